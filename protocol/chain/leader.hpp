// Aura's rules: the caller turns time into a slot (time / slot duration), the
// epoch is slot / epoch length, and the leader of a slot is one line.
#pragma once

#include "protocol/chain/chain_state.hpp"

namespace datdot {

inline epoch_number epoch_of(slot_number slot, const chain_params& p) {
  return epoch_number{slot.value / p.epoch_length_slots};
}

inline const account_id& leader_of(const validator_set& set, slot_number slot) {
  return set.members[slot.value % set.members.size()];
}

}  // namespace datdot

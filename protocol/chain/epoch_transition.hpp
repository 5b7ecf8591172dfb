// Validator-set changes are enacted by the first block of a later epoch (the
// boundary block): its own leader is already chosen from the new set. The
// finality gadget lets the old set finalize up to and including the boundary
// block; after it, the new set votes (see finality_voter.hpp).
#pragma once

#include <vector>

#include "protocol/chain/chain_event.hpp"
#include "protocol/chain/chain_state.hpp"

namespace datdot {

// The set a block at `slot` on top of `s` is produced by.
validator_set validators_for_slot(const chain_state& s, slot_number slot);

// Moves `s` into the epoch of `slot`, enacting pending joins and leaves and
// dropping recorded offenders (never emptying the set).
void enter_slot(chain_state& s, slot_number slot, std::vector<chain_event>& events);

}  // namespace datdot

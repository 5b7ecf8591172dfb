// One handler per call kind, each in its own apply_*.cpp. A handler checks
// everything first and mutates the state only once nothing can fail, so a
// rejected extrinsic leaves the state as it was. The signer's account exists
// (apply_extrinsic creates it for a first registration) and its nonce is
// advanced by the caller.
#pragma once

#include <vector>

#include "protocol/chain/chain_event.hpp"
#include "protocol/chain/chain_state.hpp"
#include "protocol/chain/extrinsic.hpp"

namespace datdot {

struct call_context {
  chain_state& state;
  const account_id& signer;
  std::vector<chain_event>& events;
};

chain_status apply_call(call_context& c, const register_node& x);
chain_status apply_call(call_context& c, const unregister_node& x);
chain_status apply_call(call_context& c, const transfer_ratio& x);
chain_status apply_call(call_context& c, const publish_feed& x);
chain_status apply_call(call_context& c, const join_validators& x);
chain_status apply_call(call_context& c, const leave_validators& x);
chain_status apply_call(call_context& c, const report_equivocation& x);
chain_status apply_call(call_context& c, const report_double_vote& x);
chain_status apply_call(call_context& c, const submit_replica_root& x);
chain_status apply_call(call_context& c, const submit_storage_proof& x);
chain_status apply_call(call_context& c, const submit_attestation& x);
chain_status apply_call(call_context& c, const back_feed& x);
chain_status apply_call(call_context& c, const update_feed& x);
chain_status apply_call(call_context& c, const dispute_sealing& x);
chain_status apply_call(call_context& c, const dispute_replica_root& x);
chain_status apply_call(call_context& c, const report_withheld_sealing& x);

}  // namespace datdot

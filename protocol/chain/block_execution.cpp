#include "protocol/chain/block_execution.hpp"

#include <set>

#include "protocol/chain/apply_extrinsic.hpp"
#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/epoch_transition.hpp"
#include "protocol/chain/hosting_assignment.hpp"
#include "protocol/chain/leader.hpp"
#include "protocol/chain/randomness.hpp"
#include "protocol/chain/replica_reshuffle.hpp"
#include "protocol/chain/sealing_deadline.hpp"
#include "protocol/chain/sealing_dispute.hpp"
#include "protocol/chain/storage_challenges.hpp"

namespace datdot {
namespace {

// What both the importer and the leader do before the extrinsics: move into
// the slot's epoch, check the leader and advance the randomness.
chain_result<applied_block> open_block(const chain_state& parent, slot_number slot, const account_id& author,
                                       const signature& proof) {
  if (slot <= parent.slot)
    return chain_fail(chain_errc::slot_not_increasing,
                      "slot " + std::to_string(slot.value) + " after " + std::to_string(parent.slot.value));
  applied_block out{parent, {}};
  enter_slot(out.state, slot, out.events);
  if (leader_of(out.state.validators, slot) != author)
    return chain_fail(chain_errc::wrong_leader, "author is not the leader of slot " + std::to_string(slot.value));
  if (!verify_randomness_proof(parent.chain, parent.randomness, proof, author))
    return chain_fail(chain_errc::bad_signature, "randomness proof");
  out.state.randomness = next_randomness(proof);
  out.state.number = block_number{parent.number.value + 1};
  out.state.slot = slot;
  return out;
}

}  // namespace

void run_hosting(chain_state& s, std::vector<chain_event>& events) {
  // Before assignment: a replica whose encoder timed out or whose hoster is named is re-created at once.
  run_sealing_deadlines(s, events);
  run_answer_deadlines(s, events);
  assign_replicas(s, events);  // repairs first: a move never takes a hoster a repair needs
  reshuffle_replicas(s, events);
  run_challenges(s, events);
}

chain_result<applied_block> apply_block(const chain_state& parent, const block_hash& parent_hash, const block& b) {
  const auto& h = b.header.header;
  if (b.extrinsics.size() > chain_limits::block_extrinsics_max)
    return chain_fail(chain_errc::oversize, std::to_string(b.extrinsics.size()) + " extrinsics");
  if (h.parent != parent_hash) return chain_fail(chain_errc::unknown_parent, "parent hash does not match");
  if (h.number.value != parent.number.value + 1) return chain_fail(chain_errc::wrong_number, "not parent + 1");
  DATDOT_CHAIN_TRY(out, open_block(parent, h.slot, h.author, h.randomness_proof));
  if (!verify_seal(b.header, parent.chain)) return chain_fail(chain_errc::bad_signature, "header seal");
  out.tx_hashes.reserve(b.extrinsics.size());
  for (const auto& x : b.extrinsics) out.tx_hashes.push_back(hash_of(x));
  if (extrinsics_root_of(out.tx_hashes) != h.extrinsics_root)
    return chain_fail(chain_errc::bad_extrinsics_root, "extrinsics do not match the header");
  for (std::size_t i = 0; i < b.extrinsics.size(); ++i) {
    auto applied = apply_extrinsic(out.state, b.extrinsics[i], out.events);
    if (!applied)
      return chain_error{applied.err().code, "extrinsic " + std::to_string(i) + ": " + applied.err().detail};
  }
  run_hosting(out.state, out.events);
  if (state_root(out.state) != h.state_root) return chain_fail(chain_errc::bad_state_root, "state root mismatch");
  return out;
}

chain_result<built_block> build_block(const chain_state& parent, const block_hash& parent_hash, slot_number slot,
                                      const key_pair& author, std::span<const extrinsic> candidates) {
  const account_id me{author.pk};
  const auto proof = randomness_proof(parent.chain, parent.randomness, author.sk);
  DATDOT_CHAIN_TRY(opened, open_block(parent, slot, me, proof));
  built_block out{{}, std::move(opened), {}};
  // encode_block's size: the signed header, the count, and each extrinsic as a blob.
  std::size_t block_bytes = chain_limits::signed_header_bytes + 4;
  // Signers with a call left out for its size: their later calls wait with it (their nonces would not follow).
  std::set<account_id> waiting;
  for (std::size_t i = 0; i < candidates.size() && out.b.extrinsics.size() < chain_limits::block_extrinsics_max; ++i) {
    if (waiting.contains(candidates[i].signer)) continue;
    const auto x_bytes = 4 + encode_extrinsic(candidates[i]).size();
    // Too large for what is left: it waits for the next block, and smaller calls behind it still go in.
    if (block_bytes + x_bytes > chain_limits::block_bytes_max) {
      waiting.insert(candidates[i].signer);
      continue;
    }
    auto applied = apply_extrinsic(out.applied.state, candidates[i], out.applied.events);
    if (applied) {
      block_bytes += x_bytes;
      out.b.extrinsics.push_back(candidates[i]);
      out.applied.tx_hashes.push_back(hash_of(candidates[i]));
    } else {
      out.rejected.emplace_back(i, applied.err());
    }
  }
  run_hosting(out.applied.state, out.applied.events);
  block_header h{parent_hash, out.applied.state.number, slot, me, proof, extrinsics_root_of(out.applied.tx_hashes),
                 state_root(out.applied.state)};
  out.b.header = seal_header(h, parent.chain, author.sk);
  return out;
}

}  // namespace datdot

// The state transition function: apply_block(state, block) -> (state', events)
// checks everything a block claims (parent, number, increasing slot, leader,
// seal, randomness proof, extrinsics, state root) and is pure; after the
// extrinsics every block runs run_hosting. build_block is
// its mirror for the slot leader: it applies candidates, drops the invalid,
// and seals a block that apply_block accepts. A candidate too large for what
// is left of the block waits for a later one (with its signer's later calls),
// and smaller ones behind it still go in.
#pragma once

#include <span>
#include <utility>
#include <vector>

#include "crypto/keys.hpp"
#include "protocol/chain/block.hpp"
#include "protocol/chain/chain_event.hpp"
#include "protocol/chain/chain_state.hpp"

namespace datdot {

struct applied_block {
  chain_state state;
  std::vector<chain_event> events;
  std::vector<hash32> tx_hashes;  // of its extrinsics, in order: what its extrinsics root is made of
};

// What every block does after its extrinsics: name the hosters whose answer
// window ended (sealing_dispute.hpp), assign waiting replicas
// (hosting_assignment.hpp), start the moves that are due
// (replica_reshuffle.hpp), then resolve and open storage challenges
// (storage_challenges.hpp).
void run_hosting(chain_state& s, std::vector<chain_event>& events);

chain_result<applied_block> apply_block(const chain_state& parent, const block_hash& parent_hash, const block& b);

struct built_block {
  block b;
  applied_block applied;
  std::vector<std::pair<std::size_t, chain_error>> rejected;  // candidate index, reason
};

// Fails only when `author` may not produce a block at `slot` on `parent`.
chain_result<built_block> build_block(const chain_state& parent, const block_hash& parent_hash, slot_number slot,
                                      const key_pair& author, std::span<const extrinsic> candidates);

}  // namespace datdot

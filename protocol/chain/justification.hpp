// Proof that a block is final: precommits of one round from more than 2/3 of
// the validator set, each for the block or a descendant, with the headers that
// link those descendants down to it. Verifiable by anyone who knows the set
// (a light client, a syncing node, the chain store on restart).
#pragma once

#include <vector>

#include "protocol/chain/block_header.hpp"
#include "protocol/chain/chain_state.hpp"
#include "protocol/chain/vote.hpp"

namespace datdot {

struct justification {
  round_number round;
  block_hash target;
  block_number target_number;
  std::vector<signed_vote> precommits;
  std::vector<block_header> ancestry;
  bool operator==(const justification&) const = default;
};

// More than two thirds: the smallest count c with 3c > 2n.
inline std::size_t supermajority(std::size_t n) { return 2 * n / 3 + 1; }

bytes encode_justification(const justification& j);
chain_result<justification> decode_justification(byte_view in);

// The set is the one that votes on the block: the validators in the state of
// the block's parent (a boundary block is finalized by the outgoing set).
chain_status verify_justification(const chain_id& chain, const validator_set& set, const justification& j);

}  // namespace datdot

// The order a slot leader offers its transaction pool to build_block. Some
// calls count only if they land by a block: a storage proof or an attestation
// by its challenge's deadline. Their signers go first, nearest deadline
// first, so that what is urgent is tried while the block still has room
// (a storage proof nearly fills one). Each signer's calls keep their nonce
// order, and signers with no such call follow in the pool's order.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "protocol/chain/chain_state.hpp"
#include "protocol/chain/extrinsic.hpp"

namespace datdot {

// The block a call must land by to count, if it has one.
std::optional<block_number> deadline_of(const chain_state& s, const call& c);

// `pool` holds each signer's calls together, in nonce order (the pool's order);
// the same calls come back with signers ordered by their nearest deadline.
std::vector<const extrinsic*> order_candidates(const chain_state& s, std::span<const extrinsic* const> pool);

}  // namespace datdot

// Roots that someone outside sends for a feed head the chain recorded (with a
// storage proof, a sealing dispute, a run of blocks): they are trusted once
// they add up to the head's length and hash to its signed tree hash.
#pragma once

#include <vector>

#include "crypto/tree_node.hpp"
#include "protocol/chain/chain_error.hpp"
#include "protocol/chain/chain_state.hpp"

namespace datdot {

chain_status check_feed_roots(const std::vector<tree_node>& roots, const feed_head& head);

}  // namespace datdot

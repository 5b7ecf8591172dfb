// How a publisher states an update_feed: from its feed's stored tree (any
// node lookup), the roots at the length the chain recorded and the upgrade
// nodes from there to the feed's signed length, as apply_update_feed checks
// them. Pure: the publisher role and the tests build updates with it.
#pragma once

#include "crypto/merkle_tree.hpp"
#include "protocol/chain/extrinsic.hpp"

namespace datdot {

result<update_feed> make_update_feed(const feed_key& key, const node_lookup& lookup, std::uint64_t recorded_length,
                                     std::uint64_t length, const signature& tree_signature);

}  // namespace datdot

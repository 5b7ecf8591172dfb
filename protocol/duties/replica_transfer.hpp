// How a replica travels, checked at every hop against what the chain
// recorded: a publisher (or hoster) serves original blocks with their paths,
// the encoder checks them and seals each for its one replica, the hoster
// unseals each sealed block and checks it against the signed feed before it
// keeps it. A bad block is refused where it arrives, naming its index.
#pragma once

#include "crypto/seal_codec.hpp"
#include "protocol/chain/chain_error.hpp"
#include "protocol/chain/chain_state.hpp"
#include "protocol/data_plane/data_message.hpp"
#include "protocol/duties/duties.hpp"

namespace datdot {

// The roots hash to the feed's recorded tree at its length, and the blocks
// are consecutive from `first`, each in the tree.
chain_status check_feed_blocks(const feed_record& feed, const feed_blocks& m, std::uint64_t first);

// The next run of the replica: checked blocks sealed under the replica's key.
result<replica_push> seal_blocks(const sealer& encoder, const replica_duty& duty, const feed_blocks& m);

// A hoster's check of a push for a replica it was assigned: it continues at
// `expected_next`, the roots are the feed's, and every sealed block unseals
// with the encoder's public key to the feed's block at its index.
chain_status check_push(const replica_duty& duty, const unsealer& encoder, const replica_push& push,
                        std::uint64_t expected_next);

}  // namespace datdot

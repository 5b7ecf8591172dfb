// Periodic reshuffle, run by every block after repairs and before challenges
// (a pure function of the state and the block's randomness, like
// assign_replicas): no replica stays with one hoster for good, so a hoster
// cannot count on a pairing lasting long enough to make collusion or
// outsourcing pay.
//
// An active replica is due to move at a block drawn from chain randomness at
// its activation, between one and two reshuffle_period_slots later, so the
// replicas of a network do not all move in the same block. A move is make
// before break: a replacement is assigned through the normal path
// (assign_replica: another hoster that holds no replica of the feed, a new
// encoder) while the moving replica stays active and challenged; when the
// replacement is active the moving one is retired (released, its hoster's
// reservation freed, no penalty). A feed moves one replica at a time and only
// while pinned and able to pay the replacement's sealing; a block starts at
// most chain_limits::moves_per_block_max moves, earliest due first. When no
// hoster or encoder fits, or the replacement fails, the replica stays and
// tries again chain_limits::move_retry_blocks later.
#pragma once

#include <vector>

#include "protocol/chain/chain_event.hpp"
#include "protocol/chain/chain_state.hpp"

namespace datdot {

void reshuffle_replicas(chain_state& s, std::vector<chain_event>& events);

// When a replica activated in the current block is due to move (0: never, reshuffle off).
block_number next_move_after(const chain_state& s, const feed_key& key, std::uint32_t replica);

// `replacement` just went live: the replica it was assigned to replace is retired.
void retire_replaced(chain_state& s, const feed_key& key, std::uint32_t replacement, std::vector<chain_event>& events);

// `replica` just failed: a move it was part of ends. A failed replacement
// leaves the moving replica in place, to try again later; a moving replica
// that fails leaves its replacement as an ordinary replica.
void abandon_move(chain_state& s, const feed_key& key, std::uint32_t replica);

}  // namespace datdot

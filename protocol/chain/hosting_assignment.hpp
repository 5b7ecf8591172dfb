// Assignment of replicas, run by every block after its extrinsics (both when
// a leader builds it and when anyone imports it), so it is a pure function of
// the state and the block's randomness: "the collective coin flip".
//
// Each feed with fewer live replicas than it wants (a replica being moved by a
// reshuffle counts as its replacement) gets new ones, feeds of
// richer publishers first (then older requests), at most
// chain_limits::assignments_per_block_max per block. A replica's hoster is
// drawn with sample_weighted among registered hosters that are not the
// publisher, hold no live replica of the feed, did not just lose the replica
// being re-created and have the feed's byte size free (weight: 1 + its whole
// ratio units, capped); its encoder among
// registered encoders other than the hoster, the publisher and any encoder
// convicted of a bad sealed block of a slot of this feed (badly_sealed),
// timed out sealing one (sealing_timed_out) or reported for withholding one
// (sealing_withheld), and among those the ones that seal no live replica of
// the feed when there are any. The hoster's
// capacity is reserved at once, so capacity is never over-committed. Without a
// suitable hoster or encoder the feed waits (queued, or pinning with fewer
// replicas) and is tried again next block.
#pragma once

#include <optional>
#include <vector>

#include "protocol/chain/chain_event.hpp"
#include "protocol/chain/chain_state.hpp"

namespace datdot {

void assign_replicas(chain_state& s, std::vector<chain_event>& events);

// One new replica for `key` as described above (also a reshuffle's
// replacement): its slot, or nothing when no hoster or encoder fits.
std::optional<std::uint32_t> assign_replica(chain_state& s, const feed_key& key, std::vector<chain_event>& events);

// The state a feed's replicas put it in (failed is kept once set).
hosting_state hosting_state_of(const feed_record& f);

// Sets a feed's hosting state from its replicas, with an event when it changes.
void update_hosting_state(feed_record& f, const feed_key& key, std::vector<chain_event>& events);

// Marks a live replica failed (or `end`, another terminal state) and releases
// its hoster's reservation: the next blocks assign a replacement through a
// new encoder.
void fail_replica(chain_state& s, const feed_key& key, std::uint32_t replica, std::vector<chain_event>& events,
                  replica_state end = replica_state::failed);
// An encoding replica whose roots agree goes live: the replica it replaces,
// if any, is retired (replica_reshuffle.hpp), its encoder is paid for the
// head it sealed, its first challenge and its move are scheduled, and it
// follows the feed if the feed grew meanwhile (replica_extension.hpp).
void activate_replica(chain_state& s, const feed_key& key, std::uint32_t replica, std::vector<chain_event>& events);
// Ends a feed's hosting for good (it cannot pay): every live replica fails, the state is failed.
void end_hosting(chain_state& s, const feed_key& key, std::vector<chain_event>& events);
// fail_replica for every live replica `hoster` keeps.
void fail_replicas_of(chain_state& s, const account_id& hoster, std::vector<chain_event>& events);

}  // namespace datdot

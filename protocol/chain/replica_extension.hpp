// How replicas follow a growing feed (update_feed): each live replica's
// hoster reserves the added bytes (or loses the replica when it has no room),
// each active replica gets an extension to the feed's newest head, sealed by
// its own encoder with the replica's key, and agreement of encoder and hoster
// on the grown replica tree moves the replica on (submit_replica_root).
//
// Only the replica's encoder can extend it: the sealing key is the replica's
// for good, and proofs check every block with it. A replica whose encoder
// left or changed its sealing key is failed instead, and re-created whole
// through a new encoder like any repair. One extension is pending at a time;
// a feed that grows again meanwhile is followed once it is agreed.
#pragma once

#include <vector>

#include "protocol/chain/chain_event.hpp"
#include "protocol/chain/chain_state.hpp"

namespace datdot {

// The feed `key` moves on to `next` (checked by update_feed): reservations,
// the feed's head, and extensions for its active replicas.
void grow_feed(chain_state& s, const feed_key& key, const feed_head& next, std::vector<chain_event>& events);

// An active replica behind its feed's head, with no extension pending, gets
// one (or is failed when its encoder cannot seal for it any more).
void extend_if_behind(chain_state& s, const feed_key& key, std::uint32_t replica, std::vector<chain_event>& events);

// Encoder and hoster agreed on the extended tree: the replica covers the
// target now, its encoder is paid for sealing the added bytes, and it follows
// the feed further if the feed grew again.
void complete_extension(chain_state& s, const feed_key& key, std::uint32_t replica, std::vector<chain_event>& events);

// An encoder that leaves, or changes its sealing key, can finish no replica
// it is sealing (first encoding or extension): those fail and are re-created.
void fail_unsealed_of(chain_state& s, const account_id& encoder, std::vector<chain_event>& events);

}  // namespace datdot

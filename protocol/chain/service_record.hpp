// One node's service as the finalized chain records it: challenges addressed
// to it as a hoster and their outcomes, attestations it made, replicas it
// sealed as an encoder, and the replicas it hosts now. Node metrics are fed
// from this, so they say what the chain credits, not what a node claims.
#pragma once

#include <span>

#include "protocol/chain/chain_event.hpp"
#include "protocol/chain/chain_state.hpp"

namespace datdot {

struct service_counts {
  std::uint64_t challenges_received = 0;
  std::uint64_t challenges_passed = 0;
  std::uint64_t challenges_failed = 0;
  std::uint64_t attestations = 0;
  std::uint64_t attestations_missed = 0;  // picked, and no report by the deadline
  std::uint64_t sealed_blocks = 0;  // of replicas activated or extended with this node as encoder
  std::uint64_t sealed_bytes = 0;   // the feed bytes they cover (before the sealing overhead)
  friend bool operator==(const service_counts&, const service_counts&) = default;
};

// What `events` (one finalized block's) credit to `me`; the events carry the
// sizes, since a feed may have grown by the time they are counted.
service_counts count_service(std::span<const chain_event> events, const account_id& me);

// Replicas `me` hosts that are active in `state`.
std::uint64_t active_replicas_of(const chain_state& state, const account_id& me);

}  // namespace datdot

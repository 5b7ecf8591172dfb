// Counters of one bus (datdot_bus_*): frames and bytes per peer, rejections by
// reason, drops by cause. Observed by operators and tests, never used for decisions.
#pragma once

#include <array>
#include <cstdint>
#include <unordered_map>

#include "actors/bus_transport.hpp"
#include "protocol/frame_codec.hpp"

namespace datdot {

struct peer_traffic {
  std::uint64_t frames_in = 0;
  std::uint64_t frames_out = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
};

struct bus_metrics {
  std::uint64_t frames_in_total = 0;
  std::uint64_t frames_out_total = 0;
  std::array<std::uint64_t, reject_reason_count> rejected_total{};  // by reject_reason
  std::uint64_t dropped_queue_full_total = 0;
  std::uint64_t dropped_no_route_total = 0;
  std::uint64_t dropped_banned_total = 0;
  std::uint64_t dropped_handler_busy_total = 0;  // inbound requests beyond handler_requests_max
  std::uint64_t handler_timeouts_total = 0;      // the inbox did not answer within handler_timeout_ms
  std::uint64_t handler_errors_total = 0;        // the inbox answered with an error (no response is sent)
  std::uint64_t late_answers_total = 0;          // the inbox answered after its deadline (dropped)
  std::uint64_t dropped_pending_full_total = 0;  // outbound requests beyond pending_requests_max
  std::uint64_t unmatched_responses_total = 0;   // late, duplicated or never asked for
  std::uint64_t request_timeouts_total = 0;
  std::uint64_t bans_total = 0;
  std::uint64_t relays_total = 0;         // others' gossip relayed
  std::uint64_t relay_frames_total = 0;   // frames those relays sent
  std::uint64_t relay_skipped_total = 0;  // peers of the group a relay left out (relay_fanout_max)
  std::uint64_t gossip_copies_dropped_total = 0;  // copies of a block or commit this node had passed on
  transport_counters transport;
  std::unordered_map<node_id, peer_traffic> peers;  // at most bus_limits::bindings_max

  std::uint64_t rejected_sum() const {
    std::uint64_t n = 0;
    for (auto r : rejected_total) n += r;
    return n;
  }
};

}  // namespace datdot

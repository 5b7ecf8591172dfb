// Decides when a peer that keeps sending bad frames is banned, and for how long.
// Pure: the caller passes the time in, so the simulated bus and the ZeroMQ bus
// apply the same rule (bus_limits: threshold within a window -> ban).
#pragma once

#include <cstdint>
#include <map>

#include "protocol/bus_limits.hpp"
#include "protocol/node_id.hpp"

namespace datdot {

class misbehavior_tracker {
 public:
  // Counts one rejected frame; true when this one crosses the threshold and
  // the peer is now banned until now_ms + ban.
  bool record_rejection(const curve_public_key& peer, std::uint64_t now_ms);
  bool is_banned(const curve_public_key& peer, std::uint64_t now_ms) const;
  std::size_t tracked() const noexcept { return entries_.size(); }

 private:
  struct entry {
    std::uint64_t window_start_ms = 0;
    std::uint32_t count = 0;
    std::uint64_t banned_until_ms = 0;
    std::uint64_t last_seen_ms = 0;
  };
  void evict_oldest();
  std::map<curve_public_key, entry> entries_;
};

}  // namespace datdot

#include "protocol/misbehavior.hpp"

#include <algorithm>

namespace datdot {

bool misbehavior_tracker::record_rejection(const curve_public_key& peer, std::uint64_t now_ms) {
  if (!entries_.contains(peer) && entries_.size() >= bus_limits::misbehavior_entries_max) evict_oldest();
  auto& e = entries_[peer];
  e.last_seen_ms = now_ms;
  if (now_ms >= e.window_start_ms + bus_limits::garbage_window_ms) {
    e.window_start_ms = now_ms;
    e.count = 0;
  }
  ++e.count;
  if (e.count < bus_limits::garbage_frames_threshold || now_ms < e.banned_until_ms) return false;
  e.banned_until_ms = now_ms + bus_limits::garbage_ban_ms;
  e.count = 0;
  return true;
}

bool misbehavior_tracker::is_banned(const curve_public_key& peer, std::uint64_t now_ms) const {
  auto i = entries_.find(peer);
  return i != entries_.end() && now_ms < i->second.banned_until_ms;
}

void misbehavior_tracker::evict_oldest() {
  // Banned peers are kept while the ban lasts unless every entry is banned.
  auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
    return std::pair{a.second.banned_until_ms, a.second.last_seen_ms} <
           std::pair{b.second.banned_until_ms, b.second.last_seen_ms};
  });
  entries_.erase(oldest);
}

}  // namespace datdot

// The garbage-peer rule: a threshold of rejected frames inside a window bans a
// peer for a fixed time; the table of tracked peers stays bounded.
#include <doctest/doctest.h>

#include "protocol/misbehavior.hpp"

using namespace datdot;

namespace {
curve_public_key key(byte b) {
  curve_public_key k;
  k.key.fill(b);
  return k;
}
}  // namespace

TEST_CASE("a peer is banned at the threshold and released after the ban") {
  misbehavior_tracker t;
  for (std::uint32_t i = 1; i < bus_limits::garbage_frames_threshold; ++i) CHECK_FALSE(t.record_rejection(key(1), 100));
  CHECK_FALSE(t.is_banned(key(1), 100));
  CHECK(t.record_rejection(key(1), 100));
  CHECK(t.is_banned(key(1), 100));
  CHECK_FALSE(t.is_banned(key(2), 100));
  CHECK(t.is_banned(key(1), 100 + bus_limits::garbage_ban_ms - 1));
  CHECK_FALSE(t.is_banned(key(1), 100 + bus_limits::garbage_ban_ms));
}

TEST_CASE("rejections spread wider than the window never ban") {
  misbehavior_tracker t;
  std::uint64_t now = 0;
  for (int i = 0; i < 100; ++i, now += bus_limits::garbage_window_ms / (bus_limits::garbage_frames_threshold - 1) + 1)
    CHECK_FALSE(t.record_rejection(key(1), now));
}

TEST_CASE("the tracker stays bounded") {
  misbehavior_tracker t;
  for (std::size_t i = 0; i < bus_limits::misbehavior_entries_max + 50; ++i) {
    curve_public_key k;
    k.key[0] = static_cast<byte>(i);
    k.key[1] = static_cast<byte>(i >> 8);
    (void)t.record_rejection(k, i);
  }
  CHECK(t.tracked() == bus_limits::misbehavior_entries_max);
}

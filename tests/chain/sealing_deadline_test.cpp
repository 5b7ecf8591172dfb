// Sealing deadlines on chain (sealing_deadline.hpp): an encoder whose root is
// not in by the replica's root_due block is timed out, is not paid, and the
// replica goes to another encoder; the deadline grows with the bytes to
// seal (a first sealing's or an extension's), and a root in time is never cut off.
#include <doctest/doctest.h>

#include "chain/sealing_fixture.hpp"
#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/sealing_deadline.hpp"

using namespace datdot;
using namespace datdot::test;

namespace {

constexpr std::uint64_t mib = std::uint64_t{1} << 20;

}  // namespace

TEST_CASE("the sealing deadline is a base plus the time the bytes take at the assumed rate, in slots") {
  chain_state s;
  s.number = block_number{1000};
  s.params.slot_duration_ms = 6000;
  const auto base = 1000 + chain_limits::sealing_deadline_base_blocks;
  CHECK(root_due_for(s, 0).value == base);
  // Any part of a MiB counts as one: 32 s, six 6 s blocks (rounded up).
  CHECK(root_due_for(s, 1).value == base + 6);
  CHECK(root_due_for(s, mib).value == base + 6);
  CHECK(root_due_for(s, mib + 1).value == base + 11);
  // 100 MiB, which the 2-core devnet seals in about 900 s: 3200 s allowed.
  CHECK(root_due_for(s, 100 * mib).value == base + 534);
  // Shorter slots give more blocks for the same time.
  s.params.slot_duration_ms = 500;
  CHECK(root_due_for(s, 100 * mib).value == base + 6400);
  // The largest feed and the shortest slot do not overflow.
  s.params.slot_duration_ms = chain_limits::slot_duration_ms_min;
  CHECK(root_due_for(s, chain_limits::feed_byte_size_max).value >
        base + (chain_limits::feed_byte_size_max / mib) * chain_limits::sealing_ms_per_mib / 1000);
}

TEST_CASE("an encoder without a root by the deadline is timed out, unpaid, and the replica goes to another encoder") {
  sealing t;
  const auto total = t.h.total_ratio();
  const auto encoder_balance = t.balance(t.r.encoder);
  const auto hoster_balance = t.balance(t.r.hoster);
  REQUIRE(t.r.root_due.value == t.r.assigned_at.value + chain_limits::sealing_deadline_base_blocks + 6);
  // The hoster's root alone does not stop the encoder's clock.
  const auto c = seal_replica(t.feed(), t.r.replica_key).commitment();
  t.h.apply(t.hoster(), submit_replica_root{t.key, 0, c.tree_hash, c.length});
  t.h.s.number = block_number{t.r.root_due.value - 2};
  t.run_blocks(1);
  CHECK(t.replica().state == replica_state::encoding);  // the last block it has
  CHECK(count_events<encoder_timed_out>(t.h.events) == 0);
  t.h.events.clear();
  t.run_blocks(1);

  const auto late = events_of<encoder_timed_out>(t.h.events);
  REQUIRE(late.size() == 1);
  CHECK(late[0] == encoder_timed_out{t.key, 0, t.r.encoder});
  CHECK(count_events<replica_failed>(t.h.events) == 1);
  CHECK(count_events<hosting_paid>(t.h.events) == 0);
  CHECK(t.balance(t.r.encoder) == encoder_balance);
  CHECK(t.balance(t.r.hoster) == hoster_balance);  // the hoster is not charged
  CHECK(t.h.total_ratio() == total);
  // Re-created in the same block through another encoder, with a fresh deadline.
  const auto again = t.replica();
  REQUIRE(again.state == replica_state::encoding);
  CHECK(again.encoder != t.r.encoder);
  CHECK(again.replica_key != t.r.replica_key);
  CHECK(again.root_due.value == t.h.s.number.value + chain_limits::sealing_deadline_base_blocks + 6);
  t.h.check_capacity();
  // The late encoder's root for the old assignment has nothing left to count for.
  CHECK(t.h.rejected(t.encoder(), submit_replica_root{t.key, 0, c.tree_hash, c.length}) ==
        chain_errc::invalid_call);
  CHECK(decode_state(encode_state(t.h.s)).value() == t.h.s);
}

TEST_CASE("over many draws a timed-out encoder is never given the replica again") {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    CAPTURE(seed);
    sealing t{seed * 100};
    t.run_until(t.r.root_due);
    REQUIRE(count_events<encoder_timed_out>(t.h.events) == 1);
    const auto again = t.replica();
    REQUIRE(again.state == replica_state::encoding);
    CHECK(again.encoder != t.r.encoder);
  }
}

TEST_CASE("an encoder whose root is in by the due block is not timed out") {
  sealing t;
  t.h.s.number = block_number{t.r.root_due.value - 1};
  // The root arrives just before the due block's hosting step runs.
  const auto c = seal_replica(t.feed(), t.r.replica_key).commitment();
  t.h.apply(t.encoder(), submit_replica_root{t.key, 0, c.tree_hash, c.length});
  CHECK(t.replica().root_due.value == 0);
  t.run_blocks(1);
  CHECK(t.h.s.number == t.r.root_due);
  CHECK(count_events<encoder_timed_out>(t.h.events) == 0);
  CHECK(t.replica().state == replica_state::encoding);  // the hoster's answer window is open instead
  t.h.apply(t.hoster(), submit_replica_root{t.key, 0, c.tree_hash, c.length});
  CHECK(t.replica().state == replica_state::active);
}

TEST_CASE("an extension whose encoder never commits times out and the replica is re-created through another encoder") {
  sealing t;
  t.h.activate(t.key, 0);
  CHECK(t.replica().root_due.value == 0);
  const auto& publisher = t.h.signer_of(t.h.s.feeds.at(t.key).publisher);
  t.h.apply(publisher, append(t.h, t.key, 4));
  const auto extending = t.replica();
  REQUIRE(extending.extension);
  // Only the added bytes are to seal: under one MiB.
  CHECK(extending.root_due.value == t.h.s.number.value + chain_limits::sealing_deadline_base_blocks + 6);
  t.h.events.clear();
  t.run_until(extending.root_due);
  CHECK(events_of<encoder_timed_out>(t.h.events) == std::vector{encoder_timed_out{t.key, 0, t.r.encoder}});
  CHECK(count_events<replica_extended>(t.h.events) == 0);  // no payment for the extension
  const auto again = t.replica();
  REQUIRE(again.state == replica_state::encoding);
  CHECK(again.encoder != t.r.encoder);
  CHECK(again.covers.length == t.h.s.feeds.at(t.key).length);  // re-created whole, at the grown head
  t.h.check_capacity();
}

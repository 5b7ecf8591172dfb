// What the actors of one type have handled, kept so that counting costs a
// handler almost nothing. Each actor writes only its own cache line (one
// writer, relaxed stores, no read-modify-write), so actors of a type on
// different cores never contend; a scrape adds the live actors' lines to what
// the ones that are gone left behind. Shared (and counted exact) atomics in
// the hot path cost the bus about 10% of its throughput.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>

namespace datdot {

// Handling-time buckets: 1 us to ~4 s in powers of four, then +Inf. A handler
// is a decode and a pure call, so most land in the first buckets; the tail
// shows blocking work that should not be there.
inline constexpr std::size_t handling_bounds = 12;
double handling_bound_seconds(std::size_t i);
// The bucket of a handling time: the first bound at or above it (handling_bounds for +Inf).
std::size_t handling_bucket(std::uint64_t nanoseconds);

struct actor_totals {
  std::uint64_t handled() const;  // the buckets' sum: the counter and the histogram's count always agree
  std::uint64_t mailbox_depth = 0;  // queued behind the message each live actor handled last
  std::uint64_t handling_nanoseconds = 0;
  std::array<std::uint64_t, handling_bounds + 1> buckets{};  // not cumulative
};

class actor_type_tally;

// One actor's line. Written by that actor only; read by scrapes.
class alignas(64) actor_tally {
 public:
  explicit actor_tally(std::shared_ptr<actor_type_tally> type);
  ~actor_tally();
  actor_tally(const actor_tally&) = delete;
  actor_tally& operator=(const actor_tally&) = delete;

  void record(std::uint64_t nanoseconds, std::uint64_t mailbox_depth) {
    bump(nanoseconds_, nanoseconds);
    bump(buckets_[handling_bucket(nanoseconds)], 1);
    depth_.store(mailbox_depth, std::memory_order_relaxed);
  }
  void add_to(actor_totals& t) const;

 private:
  // The one writer may load and store: cheaper than fetch_add, and exact.
  static void bump(std::atomic<std::uint64_t>& x, std::uint64_t by) {
    x.store(x.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
  }

  std::shared_ptr<actor_type_tally> type_;
  std::atomic<std::uint64_t> nanoseconds_{0};
  std::atomic<std::uint64_t> depth_{0};
  std::array<std::atomic<std::uint64_t>, handling_bounds + 1> buckets_{};
};

// Every actor of one type, live and gone.
class actor_type_tally {
 public:
  actor_totals totals() const;

 private:
  friend class actor_tally;
  mutable std::mutex mutex_;
  std::set<const actor_tally*> live_;
  actor_totals gone_;  // handled by actors that stopped; their mailbox depth no longer counts
};

}  // namespace datdot

#include "actors/metrics/actor_tally.hpp"

#include <bit>
#include <numeric>

namespace datdot {

double handling_bound_seconds(std::size_t i) { return 1e-6 * static_cast<double>(std::uint64_t{1} << (2 * i)); }

std::size_t handling_bucket(std::uint64_t nanoseconds) {
  // Bound i is 1000 * 4^i ns: t <= 1000 * 4^i  <=>  (t - 1) / 1000 < 4^i.
  if (nanoseconds <= 1000) return 0;
  auto bucket = static_cast<std::size_t>((std::bit_width((nanoseconds - 1) / 1000) + 1) / 2);
  return bucket < handling_bounds ? bucket : handling_bounds;
}

std::uint64_t actor_totals::handled() const { return std::accumulate(buckets.begin(), buckets.end(), std::uint64_t{0}); }

actor_tally::actor_tally(std::shared_ptr<actor_type_tally> type) : type_(std::move(type)) {
  std::lock_guard lock{type_->mutex_};
  type_->live_.insert(this);
}

actor_tally::~actor_tally() {
  std::lock_guard lock{type_->mutex_};
  type_->live_.erase(this);
  actor_totals mine;
  add_to(mine);
  type_->gone_.handling_nanoseconds += mine.handling_nanoseconds;
  for (std::size_t i = 0; i < mine.buckets.size(); ++i) type_->gone_.buckets[i] += mine.buckets[i];
}

void actor_tally::add_to(actor_totals& t) const {
  t.handling_nanoseconds += nanoseconds_.load(std::memory_order_relaxed);
  t.mailbox_depth += depth_.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < buckets_.size(); ++i) t.buckets[i] += buckets_[i].load(std::memory_order_relaxed);
}

actor_totals actor_type_tally::totals() const {
  std::lock_guard lock{mutex_};
  auto t = gone_;
  for (const auto* a : live_) a->add_to(t);
  return t;
}

}  // namespace datdot

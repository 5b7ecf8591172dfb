#include "actors/sim/lane_workers.hpp"

namespace datdot {
namespace {

// Some tens of microseconds of polling: most windows end sooner than that.
constexpr int spins_before_sleep = 2'000;

inline void relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Waits until `value` is no longer `old`: polls first, then sleeps on it.
template <class T>
T wait_change(const std::atomic<T>& value, T old) {
  for (int i = 0; i < spins_before_sleep; ++i) {
    if (auto now = value.load(std::memory_order_acquire); now != old) return now;
    relax();
  }
  for (;;) {
    value.wait(old, std::memory_order_acquire);
    if (auto now = value.load(std::memory_order_acquire); now != old) return now;
  }
}

}  // namespace

lane_workers::lane_workers(std::uint32_t lanes) : failures_(lanes) {
  for (std::uint32_t lane = 1; lane < lanes; ++lane) threads_.emplace_back([this, lane] { serve(lane); });
}

lane_workers::~lane_workers() {
  stopping_.store(true, std::memory_order_release);
  round_.fetch_add(1, std::memory_order_release);
  round_.notify_all();
  for (auto& t : threads_) t.join();
}

void lane_workers::serve(std::uint32_t lane) {
  std::uint64_t seen = 0;
  for (;;) {
    seen = wait_change(round_, seen);
    if (stopping_.load(std::memory_order_acquire)) return;
    try {
      (*work_)(lane);
    } catch (...) {
      failures_[lane] = std::current_exception();
    }
    if (busy_.fetch_sub(1, std::memory_order_acq_rel) == 1) busy_.notify_one();
  }
}

void lane_workers::run(const std::function<void(std::uint32_t)>& work) {
  if (threads_.empty()) return work(0);
  work_ = &work;
  busy_.store(static_cast<std::uint32_t>(threads_.size()), std::memory_order_relaxed);
  round_.fetch_add(1, std::memory_order_release);
  round_.notify_all();
  try {
    work(0);
  } catch (...) {
    failures_[0] = std::current_exception();
  }
  for (auto left = busy_.load(std::memory_order_acquire); left != 0; left = busy_.load(std::memory_order_acquire))
    wait_change(busy_, left);
  for (auto& f : failures_)
    if (f) std::rethrow_exception(std::exchange(f, nullptr));
}

}  // namespace datdot

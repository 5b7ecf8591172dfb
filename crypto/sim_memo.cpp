#include "crypto/sim_memo.hpp"

#include <atomic>

namespace datdot {
namespace {

std::mutex scopes_lock;
std::size_t scopes = 0;
std::atomic<bool> open{false};
std::atomic<std::uint64_t> generation{1};

}  // namespace

sim_memo_scope::sim_memo_scope() {
  std::lock_guard guard{scopes_lock};
  if (scopes++ == 0) open.store(true, std::memory_order_release);
}

sim_memo_scope::~sim_memo_scope() {
  std::lock_guard guard{scopes_lock};
  if (--scopes > 0) return;
  open.store(false, std::memory_order_release);
  generation.fetch_add(1, std::memory_order_acq_rel);
}

bool sim_memo_open() noexcept { return open.load(std::memory_order_acquire); }

namespace detail {
std::uint64_t sim_memo_generation() noexcept { return generation.load(std::memory_order_acquire); }
}  // namespace detail

}  // namespace datdot

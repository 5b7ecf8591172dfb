#include "crypto/verify_memo.hpp"

#include <atomic>
#include <cstring>
#include <mutex>
#include <unordered_set>

namespace datdot {
namespace {

struct key_hash {
  std::size_t operator()(const hash32& h) const noexcept {
    std::size_t out;
    std::memcpy(&out, h.data(), sizeof out);  // a BLAKE2b output: uniform already
    return out;
  }
};

struct memo {
  std::mutex lock;
  std::size_t scopes = 0;
  std::unordered_set<hash32, key_hash> verified;
  verify_memo_counters counters;
};

memo& the_memo() {
  static memo m;
  return m;
}

std::atomic<bool> open{false};

}  // namespace

verify_memo_scope::verify_memo_scope() {
  auto& m = the_memo();
  std::lock_guard guard{m.lock};
  if (m.scopes++ == 0) open.store(true, std::memory_order_release);
}

verify_memo_scope::~verify_memo_scope() {
  auto& m = the_memo();
  std::lock_guard guard{m.lock};
  if (--m.scopes > 0) return;
  open.store(false, std::memory_order_release);
  m.verified = {};
}

verify_memo_counters verify_memo_counts() noexcept {
  auto& m = the_memo();
  std::lock_guard guard{m.lock};
  return m.counters;
}

namespace detail {

bool verify_memo_open() noexcept { return open.load(std::memory_order_acquire); }

bool verify_memo_recall(const hash32& key) noexcept {
  auto& m = the_memo();
  std::lock_guard guard{m.lock};
  const bool known = m.verified.contains(key);
  ++(known ? m.counters.hits : m.counters.misses);
  return known;
}

void verify_memo_remember(const hash32& key) noexcept {
  auto& m = the_memo();
  std::lock_guard guard{m.lock};
  if (m.scopes == 0) return;
  if (m.verified.size() >= verify_memo_entries_max) m.verified.clear();
  try {
    m.verified.insert(key);
  } catch (...) {
    // Out of memory: the memo is only a shortcut, verification goes on without it.
  }
}

}  // namespace detail
}  // namespace datdot

// Simulation-only shortcuts: memos of pure functions that every node of a
// simulated network computes on the same inputs (an ed25519 check of the same
// vote, the same block applied to the same state). While a sim_memo_scope
// lives, such a function keeps its results keyed by the BLAKE2b-256 of its
// inputs and the next node gets them from the memo, so the process does the
// work once instead of once per node. A memo changes no outcome, only the
// time; real nodes never open a scope, and with none open a memo neither
// answers nor keeps anything. Users: `verify` (crypto/keys.hpp) and block
// import (protocol/chain/import_memo.hpp).
#pragma once

#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "crypto/bytes.hpp"

namespace datdot {

// Scopes nest (one per simulated cluster); every memo starts over once the last ends.
class sim_memo_scope {
 public:
  sim_memo_scope();
  ~sim_memo_scope();
  sim_memo_scope(const sim_memo_scope&) = delete;
  sim_memo_scope& operator=(const sim_memo_scope&) = delete;
};

bool sim_memo_open() noexcept;

struct sim_memo_counters {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;  // computed for real while a scope was open
};

namespace detail {
// Changes each time the last scope ends: a memo filled under an older one is stale.
std::uint64_t sim_memo_generation() noexcept;
}  // namespace detail

// One memo of values V, emptied when it reaches `entries_max` (then it starts over).
template <class V>
class sim_memo {
 public:
  explicit sim_memo(std::size_t entries_max) : entries_max_(entries_max) {}

  // The value kept under `key` that `usable` accepts (a value may have gone
  // stale, as a weakly held state does), counting a hit or a miss.
  template <class Usable>
  std::optional<V> recall(const hash32& key, Usable usable) {
    if (!sim_memo_open()) return std::nullopt;
    std::lock_guard guard{lock_};
    start_over_if_stale();
    auto i = entries_.find(key);
    const bool hit = i != entries_.end() && usable(i->second);
    ++(hit ? counters_.hits : counters_.misses);
    if (!hit) return std::nullopt;
    return i->second;
  }
  std::optional<V> recall(const hash32& key) {
    return recall(key, [](const V&) { return true; });
  }

  void remember(const hash32& key, V value) noexcept {
    if (!sim_memo_open()) return;
    std::lock_guard guard{lock_};
    start_over_if_stale();
    if (entries_.size() >= entries_max_) entries_.clear();
    try {
      entries_.insert_or_assign(key, std::move(value));
    } catch (...) {
      // Out of memory: the memo is only a shortcut, the work goes on without it.
    }
  }

  sim_memo_counters counts() const noexcept {
    std::lock_guard guard{lock_};
    return counters_;
  }

 private:
  struct key_hash {
    std::size_t operator()(const hash32& h) const noexcept {
      std::size_t out;
      std::memcpy(&out, h.data(), sizeof out);  // a BLAKE2b output: uniform already
      return out;
    }
  };
  void start_over_if_stale() {
    const auto now = detail::sim_memo_generation();
    if (generation_ == now) return;
    entries_ = {};
    generation_ = now;
  }

  std::size_t entries_max_;
  mutable std::mutex lock_;
  std::unordered_map<hash32, V, key_hash> entries_;
  std::uint64_t generation_ = 0;
  sim_memo_counters counters_;
};

}  // namespace datdot

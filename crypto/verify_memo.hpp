// A simulation-only shortcut: while a verify_memo_scope lives, `verify`
// remembers which (public key, message, signature) triples it found valid, so
// the same vote or seal checked by every node of a simulated network costs one
// ed25519 verification instead of one per node. Verification is a pure
// function and only `true` results are kept, keyed by their BLAKE2b-256, so
// the memo changes no outcome, only the time; real nodes never open a scope.
#pragma once

#include <cstddef>

#include "crypto/bytes.hpp"

namespace datdot {

inline constexpr std::size_t verify_memo_entries_max = 1 << 16;  // then it starts over

// Scopes nest (one per simulated cluster); the memo is emptied when the last ends.
class verify_memo_scope {
 public:
  verify_memo_scope();
  ~verify_memo_scope();
  verify_memo_scope(const verify_memo_scope&) = delete;
  verify_memo_scope& operator=(const verify_memo_scope&) = delete;
};

struct verify_memo_counters {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;  // verified for real while a scope was open
};
verify_memo_counters verify_memo_counts() noexcept;

namespace detail {
// For `verify`: whether a scope is open, and the memo's lookup and insert.
bool verify_memo_open() noexcept;
bool verify_memo_recall(const hash32& key) noexcept;
void verify_memo_remember(const hash32& key) noexcept;
}  // namespace detail

}  // namespace datdot

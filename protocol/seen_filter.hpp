// The gossip relay's memory: which messages (by the hash of their bytes) this
// node has already taken in or passed on, so each is forwarded at most once
// and copies arriving from other peers are dropped before they are decoded.
// Bounded: past `capacity` the oldest hash is forgotten. Forgetting is safe —
// the chain's own checks still drop a late copy (a known block or vote) — it
// only costs a decode. Pure: no clock, no I/O.
#pragma once

#include <cstddef>
#include <deque>
#include <unordered_set>

#include "crypto/bytes.hpp"

namespace datdot {

class seen_filter {
 public:
  explicit seen_filter(std::size_t capacity);

  bool contains(const hash32& h) const { return seen_.contains(h); }
  // Records `h`; true when it was not seen before (the caller may forward it).
  bool insert(const hash32& h);
  std::size_t size() const noexcept { return order_.size(); }
  std::size_t capacity() const noexcept { return capacity_; }

 private:
  struct hash32_hash {
    std::size_t operator()(const hash32& h) const noexcept;
  };
  std::size_t capacity_;
  std::deque<hash32> order_;  // oldest first
  std::unordered_set<hash32, hash32_hash> seen_;
};

}  // namespace datdot

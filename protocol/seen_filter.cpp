#include "protocol/seen_filter.hpp"

#include <cstring>

#include "protocol/chain/invariant.hpp"

namespace datdot {

// The table grows as hashes come rather than being sized for `capacity` up
// front: a follower takes in a few a slot, and a simulation of 10,000 nodes
// spent 640 MB on empty buckets.
seen_filter::seen_filter(std::size_t capacity) : capacity_(capacity) { DATDOT_INVARIANT(capacity > 0); }

// The hashes are BLAKE2b outputs of the message bytes: any 8 of their bytes
// are already uniformly spread.
std::size_t seen_filter::hash32_hash::operator()(const hash32& h) const noexcept {
  std::size_t out = 0;
  std::memcpy(&out, h.data(), sizeof out);
  return out;
}

bool seen_filter::insert(const hash32& h) {
  if (!seen_.insert(h).second) return false;
  order_.push_back(h);
  if (order_.size() > capacity_) {
    seen_.erase(order_.front());
    order_.pop_front();
  }
  return true;
}

}  // namespace datdot

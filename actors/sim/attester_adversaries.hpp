// An attester that takes the pay for attesting and does not do the work on
// time, as a conduct of the real attester actor
// (actors/roles/attester_conduct.hpp).
//
//   slow_attester  sets out to fetch only once the challenge's deadline has
//                  passed, so its report comes too late to count: the chain
//                  records attestation_missed and pays it nothing. An honest
//                  attester misses only when its node's finality lags past
//                  the deadline, or the hoster never answers.
#pragma once

#include <cstdint>

#include "actors/roles/attester_conduct.hpp"

namespace datdot {

class slow_attester : public attester_conduct {
 public:
  // One slot past the deadline, counted from the finalized height that showed the duty.
  std::chrono::nanoseconds hold(const challenge_duty& d, const chain_state& s) override {
    if (held_++ == 0) first_held_height_ = s.number.value;
    const auto blocks = d.challenge.deadline.value > s.number.value ? d.challenge.deadline.value - s.number.value : 0;
    return std::chrono::milliseconds{(blocks + 1) * s.params.slot_duration_ms};
  }
  // Duties it held back.
  std::uint64_t held() const noexcept { return held_; }
  // The finalized height that showed the first of them (0: none).
  std::uint64_t first_held_height() const noexcept { return first_held_height_; }

 private:
  std::uint64_t held_ = 0;
  std::uint64_t first_held_height_ = 0;
};

}  // namespace datdot

// When an attester sets out to fetch for a challenge it was picked for. A
// real node is always honest and goes at once; `datdot sim` gives its slow
// attesters another conduct (actors/sim/attester_adversaries.hpp), so the
// attack runs the real attester actor and meets the real chain rules.
#pragma once

#include <chrono>

#include "protocol/duties/duties.hpp"

namespace datdot {

class attester_conduct {
 public:
  virtual ~attester_conduct() = default;
  // How long to wait, from when the finalized chain `s` showed the duty.
  virtual std::chrono::nanoseconds hold(const challenge_duty& /*d*/, const chain_state& /*s*/) { return {}; }
};

}  // namespace datdot

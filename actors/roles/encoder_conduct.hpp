// Whether an encoder pushes a sealed run to the replica's hoster, and which
// root it submits. A real node pushes every run and submits the root it
// sealed; `datdot sim` gives its lying encoders another conduct
// (actors/sim/encoder_adversaries.hpp), so the attack runs the real encoder
// actor and meets the real chain rules.
#pragma once

#include "protocol/data_plane/data_message.hpp"
#include "protocol/duties/duties.hpp"

namespace datdot {

class encoder_conduct {
 public:
  virtual ~encoder_conduct() = default;
  // Whether to push `run` of `duty`, with `s` the finalized chain the encoder
  // acts on. A run not pushed counts as sealed all the same: the root covers it.
  virtual bool pushes(const replica_duty& /*duty*/, const replica_push& /*run*/, const chain_state& /*s*/) {
    return true;
  }
  // The root to submit once every run is sealed; `sealed` is the whole replica's commitment.
  virtual replica_commitment root(const replica_duty& /*duty*/, const replica_commitment& sealed,
                                  const chain_state& /*s*/) {
    return sealed;
  }
};

}  // namespace datdot

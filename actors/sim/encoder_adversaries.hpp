// Encoders that do the work but lie about their end of it, as a conduct of
// the real encoder actor (actors/roles/encoder_conduct.hpp).
//
//   withholding_encoder  seals every replica it is given but never pushes
//                        the last run of a sealing, then submits the whole
//                        replica's root all the same. Nothing it signed
//                        shows the lie. The hoster, left short, reports the
//                        sealing withheld (sealing_dispute.hpp) rather than
//                        be named at the end of its answer window; the chain
//                        pays neither and re-creates the replica through
//                        another encoder and hoster.
//   false_root_encoder   pushes every run honestly, each with its signed
//                        commitment of the replica so far, then submits
//                        another root. The hoster keeps the last signed
//                        commitment with the replica's blocks, so even after
//                        a restart it disputes the root and the encoder is
//                        convicted (root_dispute.hpp).
#pragma once

#include <cstdint>
#include <memory>

#include "actors/roles/encoder_conduct.hpp"
#include "actors/sim/sim_scenario.hpp"

namespace datdot {

class adversarial_encoder : public encoder_conduct {
 public:
  // Sealings it lied about: last runs kept back, or false roots submitted.
  std::uint64_t lies() const noexcept { return lies_; }
  // The finalized height it first lied at (0: never).
  std::uint64_t first_lie_height() const noexcept { return first_lie_height_; }

 protected:
  void lied(const chain_state& s) {
    if (lies_++ == 0) first_lie_height_ = s.number.value;
  }

 private:
  std::uint64_t lies_ = 0;
  std::uint64_t first_lie_height_ = 0;
};

class withholding_encoder : public adversarial_encoder {
 public:
  bool pushes(const replica_duty& duty, const replica_push& run, const chain_state& s) override {
    if (run.first + run.blocks.size() < duty.feed.length) return true;
    lied(s);
    return false;
  }
};

class false_root_encoder : public adversarial_encoder {
 public:
  replica_commitment root(const replica_duty& /*duty*/, const replica_commitment& sealed,
                          const chain_state& s) override {
    lied(s);
    auto other = sealed;
    other.tree_hash[0] ^= 0xff;
    return other;
  }
};

// The conduct of an encoder adversary of `kind` (withholding_encoder or false_root_encoder).
inline std::shared_ptr<adversarial_encoder> make_encoder_adversary(adversary_kind kind) {
  if (kind == adversary_kind::false_root_encoder) return std::make_shared<false_root_encoder>();
  return std::make_shared<withholding_encoder>();
}

}  // namespace datdot

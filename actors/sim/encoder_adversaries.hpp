// An encoder that does the work but keeps back its end of it, as a conduct
// of the real encoder actor (actors/roles/encoder_conduct.hpp).
//
//   withholding_encoder  seals every replica it is given but never pushes
//                        the last run of a sealing, then submits the whole
//                        replica's root all the same. Nothing it signed
//                        shows the lie. The hoster, left short, reports the
//                        sealing withheld (sealing_dispute.hpp) rather than
//                        be named at the end of its answer window; the chain
//                        pays neither and re-creates the replica through
//                        another encoder and hoster.
#pragma once

#include <cstdint>

#include "actors/roles/encoder_conduct.hpp"

namespace datdot {

class withholding_encoder : public encoder_conduct {
 public:
  bool pushes(const replica_duty& duty, const replica_push& run, const chain_state& s) override {
    if (run.first + run.blocks.size() < duty.feed.length) return true;
    if (withheld_++ == 0) first_withheld_height_ = s.number.value;
    return false;
  }
  // Last runs it kept back.
  std::uint64_t withheld() const noexcept { return withheld_; }
  // The finalized height it first kept one back at (0: never).
  std::uint64_t first_withheld_height() const noexcept { return first_withheld_height_; }

 private:
  std::uint64_t withheld_ = 0;
  std::uint64_t first_withheld_height_ = 0;
};

}  // namespace datdot

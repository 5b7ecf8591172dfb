// The encoder's signed commitment of a replica tree, as a hoster received it
// with a run: what convicts an encoder that submits another root
// (make_root_dispute). Here, below the duties, so that the replica store can
// keep it with the blocks it was signed for.
#pragma once

#include "protocol/hosting/storage_proof.hpp"

namespace datdot {

struct root_evidence {
  replica_commitment commitment;
  signature encoder_signature{};
  bool operator==(const root_evidence&) const = default;
};

}  // namespace datdot

// The second way a hoster shows its encoder lied (after a bad sealed block,
// sealing_dispute.hpp): the encoder signed the replica tree's commitment
// after every run it pushed (replica_commitment_claim.hpp), and the hoster
// refused any run whose commitment was not the tree it built. So an encoder
// that streamed good blocks and then submitted another root is caught by its
// own signature over the whole replica's commitment: the hoster submits
// dispute_replica_root in its answer window, and the encoder is convicted
// like for a bad block (convict_encoder).
#pragma once

#include "protocol/chain/chain_state.hpp"
#include "protocol/chain/extrinsic.hpp"
#include "protocol/chain/pending_sealing.hpp"

namespace datdot {

// Whether `x` proves that the encoder of replica `r` signed, for this slot
// and replica key, a commitment of the whole sealing `sealing` waits on (its
// head's length) other than the root it submitted. Pure: the runtime, and a
// hoster before it submits, run exactly this.
chain_status verify_root_dispute(const chain_id& chain, const replica_record& r, const pending_sealing& sealing,
                                 const dispute_replica_root& x);

}  // namespace datdot

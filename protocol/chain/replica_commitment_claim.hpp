// An encoder's signed word for the replica tree a hoster has after one run
// of sealed blocks: which replica assignment (feed, slot and replica key) and
// the tree's commitment (commit_replica: tree hash and length). A hoster
// takes a run only when the commitment is the tree it built, so after the
// last run it holds the encoder's signature over the whole replica. An
// encoder that then submits another root is shown to by dispute_replica_root
// (root_dispute.hpp): sealing is deterministic, so an honest encoder signs
// one commitment per replica key and length.
#pragma once

#include "crypto/keys.hpp"
#include "crypto/seal_codec.hpp"
#include "protocol/chain/chain_ids.hpp"
#include "protocol/hosting/storage_proof.hpp"

namespace datdot {

struct replica_commitment_claim {
  feed_key feed;
  std::uint32_t replica = 0;
  replica_key key{};  // binds the claim to one assignment of the slot
  replica_commitment commitment;
};

signature sign_replica_commitment(const chain_id& chain, const replica_commitment_claim& claim,
                                  const secret_key& encoder);
bool verify_replica_commitment(const chain_id& chain, const replica_commitment_claim& claim, const signature& sig,
                               const account_id& encoder);

}  // namespace datdot

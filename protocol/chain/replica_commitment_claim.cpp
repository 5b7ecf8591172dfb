#include "protocol/chain/replica_commitment_claim.hpp"

#include "protocol/chain/canonical_encoding.hpp"
#include "protocol/chain/signing_domain.hpp"

namespace datdot {
namespace {

bytes message_of(const chain_id& chain, const replica_commitment_claim& c) {
  canonical_writer w;
  w.fixed(c.feed.bytes).u32(c.replica).fixed(c.key).fixed(c.commitment.tree_hash).u64(c.commitment.length);
  return signing_message(signing_domain::replica_commitment, chain, w.data());
}

}  // namespace

signature sign_replica_commitment(const chain_id& chain, const replica_commitment_claim& claim,
                                  const secret_key& encoder) {
  return sign(message_of(chain, claim), encoder);
}

bool verify_replica_commitment(const chain_id& chain, const replica_commitment_claim& claim, const signature& sig,
                               const account_id& encoder) {
  return verify(message_of(chain, claim), sig, encoder.key);
}

}  // namespace datdot

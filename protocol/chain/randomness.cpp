#include "protocol/chain/randomness.hpp"

#include "crypto/blake2b.hpp"
#include "protocol/chain/signing_domain.hpp"

namespace datdot {

signature randomness_proof(const chain_id& chain, const hash32& previous, const secret_key& sk) {
  return sign(signing_message(signing_domain::randomness, chain, previous), sk);
}

bool verify_randomness_proof(const chain_id& chain, const hash32& previous, const signature& proof,
                             const account_id& author) {
  return verify(signing_message(signing_domain::randomness, chain, previous), proof, author.key);
}

hash32 next_randomness(const signature& proof) { return blake2b_256(proof); }

}  // namespace datdot

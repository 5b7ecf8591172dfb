// The collective coin flip: every block carries its author's signature over
// the previous randomness. ed25519 is deterministic, so the author cannot
// grind it; it can only withhold its block. New randomness = BLAKE2b(signature).
#pragma once

#include "crypto/keys.hpp"
#include "protocol/chain/chain_ids.hpp"

namespace datdot {

signature randomness_proof(const chain_id& chain, const hash32& previous, const secret_key& sk);
bool verify_randomness_proof(const chain_id& chain, const hash32& previous, const signature& proof,
                             const account_id& author);
hash32 next_randomness(const signature& proof);

}  // namespace datdot

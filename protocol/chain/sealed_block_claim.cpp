#include "protocol/chain/sealed_block_claim.hpp"

#include "crypto/blake2b.hpp"
#include "protocol/chain/canonical_encoding.hpp"
#include "protocol/chain/signing_domain.hpp"

namespace datdot {
namespace {

bytes message_of(const chain_id& chain, const sealed_block_claim& c) {
  canonical_writer w;
  w.fixed(c.feed.bytes).u32(c.replica).fixed(c.key).u64(c.index).fixed(blake2b_256(c.sealed));
  return signing_message(signing_domain::sealed_block, chain, w.data());
}

}  // namespace

signature sign_sealed_block(const chain_id& chain, const sealed_block_claim& claim, const secret_key& encoder) {
  return sign(message_of(chain, claim), encoder);
}

bool verify_sealed_block(const chain_id& chain, const sealed_block_claim& claim, const signature& sig,
                         const account_id& encoder) {
  return verify(message_of(chain, claim), sig, encoder.key);
}

}  // namespace datdot

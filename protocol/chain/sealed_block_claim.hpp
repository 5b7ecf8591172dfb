// An encoder's signed word for one sealed block it streams to a hoster: which
// replica assignment (feed, slot and the replica key chain randomness gave
// it) and which block index the bytes are for. A hoster keeps it with a block
// that does not unseal to the feed's, and the chain then convicts the
// encoder on it (dispute_sealing): the signature is what makes the bad block
// the encoder's, not something the hoster made up.
#pragma once

#include "crypto/keys.hpp"
#include "crypto/seal_codec.hpp"
#include "protocol/chain/chain_ids.hpp"

namespace datdot {

struct sealed_block_claim {
  feed_key feed;
  std::uint32_t replica = 0;
  replica_key key{};  // binds the claim to one assignment of the slot: a reused slot gets another key
  std::uint64_t index = 0;
  byte_view sealed;
};

signature sign_sealed_block(const chain_id& chain, const sealed_block_claim& claim, const secret_key& encoder);
bool verify_sealed_block(const chain_id& chain, const sealed_block_claim& claim, const signature& sig,
                         const account_id& encoder);

}  // namespace datdot

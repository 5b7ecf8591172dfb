// A block header and its seal. The block hash is BLAKE2b of the header's
// canonical bytes; the seal is the author's signature over the same bytes
// (ed25519 is deterministic: one header, one seal). Two sealed headers for one
// slot by one author are an equivocation (see report_equivocation).
#pragma once

#include "crypto/keys.hpp"
#include "protocol/chain/canonical_encoding.hpp"
#include "protocol/chain/chain_ids.hpp"

namespace datdot {

struct block_header {
  block_hash parent;
  block_number number;
  slot_number slot;
  account_id author;
  signature randomness_proof{};  // author's signature over the parent's randomness
  hash32 extrinsics_root{};
  hash32 state_root{};
  bool operator==(const block_header&) const = default;
};

struct signed_header {
  block_header header;
  signature seal{};
  bool operator==(const signed_header&) const = default;
};

void encode(canonical_writer& w, const block_header& h);
block_header decode_header(canonical_reader& r);
void encode(canonical_writer& w, const signed_header& h);
signed_header decode_signed_header(canonical_reader& r);

bytes header_bytes(const block_header& h);
block_hash hash_of(const block_header& h);
signed_header seal_header(const block_header& h, const chain_id& chain, const secret_key& sk);
bool verify_seal(const signed_header& h, const chain_id& chain);

}  // namespace datdot

#include "protocol/chain/block_header.hpp"

#include <optional>
#include <utility>

#include "crypto/blake2b.hpp"
#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/signing_domain.hpp"

namespace datdot {

void encode(canonical_writer& w, const block_header& h) {
  w.fixed(h.parent.bytes).u64(h.number.value).u64(h.slot.value).fixed(h.author.key);
  w.fixed(h.randomness_proof).fixed(h.extrinsics_root).fixed(h.state_root);
}

block_header decode_header(canonical_reader& r) {
  block_header h;
  h.parent.bytes = r.fixed<32>();
  h.number.value = r.u64();
  h.slot.value = r.u64();
  h.author.key = r.fixed<32>();
  h.randomness_proof = r.fixed<64>();
  h.extrinsics_root = r.fixed<32>();
  h.state_root = r.fixed<32>();
  return h;
}

void encode(canonical_writer& w, const signed_header& h) {
  encode(w, h.header);
  w.fixed(h.seal);
}

signed_header decode_signed_header(canonical_reader& r) {
  signed_header h;
  h.header = decode_header(r);
  h.seal = r.fixed<64>();
  return h;
}

bytes header_bytes(const block_header& h) {
  canonical_writer w;
  encode(w, h);
  return w.take();
}

// A block on its way in is hashed by each step that names it (the check
// for a known block, the import, the tree, the import memo): the last header
// hashed on this thread is kept, and comparing it costs far less than
// encoding and hashing again (those repeats were 3% of a 10,000-node
// simulation, whose every node takes every block).
block_hash hash_of(const block_header& h) {
  static_assert(chain_limits::header_bytes == 32 + 8 + 8 + 32 + 64 + 32 + 32);
  thread_local std::optional<std::pair<block_header, block_hash>> last;
  if (last && last->first == h) return last->second;
  const block_hash hash{blake2b_256(header_bytes(h))};
  last.emplace(h, hash);
  return hash;
}

signed_header seal_header(const block_header& h, const chain_id& chain, const secret_key& sk) {
  return signed_header{h, sign(signing_message(signing_domain::seal, chain, header_bytes(h)), sk)};
}

bool verify_seal(const signed_header& h, const chain_id& chain) {
  return verify(signing_message(signing_domain::seal, chain, header_bytes(h.header)), h.seal,
                h.header.author.key);
}

}  // namespace datdot

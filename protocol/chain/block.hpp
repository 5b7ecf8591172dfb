// A block: a sealed header and its extrinsics, with the canonical encoding
// that goes on the wire and into the chain store.
#pragma once

#include <vector>

#include "protocol/chain/block_header.hpp"
#include "protocol/chain/extrinsic.hpp"

namespace datdot {

struct block {
  signed_header header;
  std::vector<extrinsic> extrinsics;
  bool operator==(const block&) const = default;
};

bytes encode_block(const block& b);
// Checks the size bounds before parsing.
chain_result<block> decode_block(byte_view in);
// Only the sealed header at the front of a block's encoding: enough to tell a
// copy of a block already held without parsing its extrinsics.
chain_result<signed_header> decode_block_header(byte_view in);

// BLAKE2b over the concatenated extrinsic hashes, in block order.
hash32 extrinsics_root(const std::vector<extrinsic>& xs);
// The same root from the extrinsics' hashes (hash_of each), in block order.
hash32 extrinsics_root_of(const std::vector<hash32>& tx_hashes);

inline block_hash hash_of(const block& b) { return hash_of(b.header.header); }

}  // namespace datdot

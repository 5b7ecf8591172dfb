#include "protocol/chain/block.hpp"

#include "crypto/blake2b.hpp"
#include "protocol/chain/chain_limits.hpp"

namespace datdot {

bytes encode_block(const block& b) {
  canonical_writer w;
  encode(w, b.header);
  w.u32(static_cast<std::uint32_t>(b.extrinsics.size()));
  for (const auto& x : b.extrinsics) w.blob(encode_extrinsic(x));
  return w.take();
}

chain_result<block> decode_block(byte_view in) {
  if (in.size() > chain_limits::block_bytes_max)
    return chain_fail(chain_errc::oversize, "block of " + std::to_string(in.size()) + " bytes");
  canonical_reader r{in};
  block b;
  b.header = decode_signed_header(r);
  const auto count = r.u32();
  if (count > chain_limits::block_extrinsics_max)
    return chain_fail(chain_errc::oversize, std::to_string(count) + " extrinsics in a block");
  b.extrinsics.reserve(count);
  for (std::uint32_t i = 0; i < count && !r.failed(); ++i) {
    auto raw = r.blob(chain_limits::extrinsic_bytes_max);
    if (r.failed()) break;
    DATDOT_CHAIN_TRY(x, decode_extrinsic(raw));
    b.extrinsics.push_back(std::move(x));
  }
  DATDOT_CHAIN_CHECK(r.finish());
  return b;
}

chain_result<signed_header> decode_block_header(byte_view in) {
  canonical_reader r{in};
  auto h = decode_signed_header(r);
  if (r.failed()) return chain_fail(chain_errc::malformed, "block header");
  return h;
}

hash32 extrinsics_root(const std::vector<extrinsic>& xs) {
  std::vector<hash32> hashes;
  hashes.reserve(xs.size());
  for (const auto& x : xs) hashes.push_back(hash_of(x));
  return extrinsics_root_of(hashes);
}

hash32 extrinsics_root_of(const std::vector<hash32>& tx_hashes) {
  blake2b_stream h;
  for (const auto& t : tx_hashes) h.update(t);
  return h.finish();
}

}  // namespace datdot

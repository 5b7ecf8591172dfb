#include "protocol/chain/gossip_key.hpp"

#include "crypto/blake2b.hpp"
#include "protocol/chain/block.hpp"

namespace datdot {
namespace {

std::uint64_t first_word(const hash32& h) {
  std::uint64_t out = 0;
  for (std::size_t i = 0; i < 8; ++i) out |= std::uint64_t{h[i]} << (8 * i);
  return out;
}

}  // namespace

std::optional<std::uint64_t> gossip_key(const message_body& body) {
  if (const auto* b = std::get_if<chain_block>(&body)) {
    const auto header = decode_block_header(b->encoded);
    if (!header) return std::nullopt;
    return first_word(hash_of(header->header).bytes);
  }
  if (const auto* c = std::get_if<chain_commit>(&body)) return first_word(blake2b_256(c->encoded));
  return std::nullopt;
}

}  // namespace datdot

#include "protocol/chain/gossip_key.hpp"

#include "protocol/chain/chain_limits.hpp"

namespace datdot {
namespace {

std::uint64_t word_at(const byte* p) {
  std::uint64_t out = 0;
  for (std::size_t i = 0; i < 8; ++i) out |= std::uint64_t{p[i]} << (8 * i);
  return out;
}

// A block's bytes begin with its signed header: the canonical header, then
// its ed25519 seal R || S (block_header.cpp). The key is the start of S,
// which the signature derives from a hash of R, the author and the header,
// so each sealed header has its own without this node hashing the header
// for every copy (that BLAKE2b was 4% of a 10,000-node simulation). Not R:
// an author may reuse its nonce, and so R, for two headers of one slot,
// whose keys would then match and hide its equivocation. A commit's bytes
// begin with its round (8 bytes) and its target's hash (justification.cpp).
constexpr std::size_t seal_s_at = chain_limits::header_bytes + 32;
static_assert(seal_s_at + 8 <= chain_limits::signed_header_bytes);
constexpr std::size_t commit_target_at = 8;

}  // namespace

std::optional<gossip_key> gossip_key_of(message_type type, byte_view canonical) {
  if (type == message_type::chain_block) {
    if (canonical.size() < chain_limits::signed_header_bytes) return std::nullopt;
    return gossip_key{gossip_key::kind::block, word_at(canonical.data() + seal_s_at)};
  }
  if (type == message_type::chain_commit) {
    if (canonical.size() < commit_target_at + 8) return std::nullopt;
    return gossip_key{gossip_key::kind::commit, word_at(canonical.data() + commit_target_at)};
  }
  return std::nullopt;
}

std::optional<gossip_key> gossip_key_of(const message_body& body) {
  if (const auto* b = std::get_if<chain_block>(&body)) return gossip_key_of(message_type::chain_block, b->encoded);
  if (const auto* c = std::get_if<chain_commit>(&body)) return gossip_key_of(message_type::chain_commit, c->encoded);
  return std::nullopt;
}

}  // namespace datdot

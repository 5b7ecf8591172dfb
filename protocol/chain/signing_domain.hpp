// What a chain signature covers: a domain tag (so a vote can never pass as a
// seal), the chain id, then the canonical payload. One helper, used by every
// signer and verifier.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "crypto/bytes.hpp"
#include "protocol/chain/chain_ids.hpp"

namespace datdot {

enum class signing_domain : std::uint8_t {
  extrinsic = 1, seal = 2, randomness = 3, vote = 4, sealed_block = 5, replica_commitment = 6
};

inline bytes signing_message(signing_domain domain, const chain_id& chain, byte_view payload) {
  static constexpr std::string_view tag = "datdot/chain/v1";
  bytes out(tag.size() + 1 + chain.bytes.size() + payload.size());
  auto* p = out.data();
  std::memcpy(p, tag.data(), tag.size());
  p[tag.size()] = static_cast<byte>(domain);
  std::memcpy(p + tag.size() + 1, chain.bytes.data(), chain.bytes.size());
  if (!payload.empty()) std::memcpy(p + tag.size() + 1 + chain.bytes.size(), payload.data(), payload.size());
  return out;
}

}  // namespace datdot

// Sealing: how a hoster's replica of a feed becomes unique bytes. An encoder
// seals each block for one replica with a secret only it holds; anyone can
// unseal with the public key and compare with the signed feed. So a hoster can
// neither share one copy between replicas (sybil) nor rebuild a replica on
// demand from the public feed (outsourcing): it must keep the sealed bytes.
// Codecs sit behind this interface; crypto/rabin_williams.hpp is the default.
#pragma once

#include <memory>

#include "crypto/bytes.hpp"

namespace datdot {

enum class seal_codec_id : std::uint8_t {
  rabin_williams_2048 = 1,
};

// Everything that makes one replica's encoding differ from another's: derived
// on chain from the feed, the replica slot and the chain's randomness.
using replica_key = hash32;

class unsealer {
 public:
  virtual ~unsealer() = default;
  virtual seal_codec_id codec() const noexcept = 0;
  virtual bytes public_key_bytes() const = 0;
  // Sealed size of a block of `plain_bytes`.
  virtual std::size_t sealed_size(std::size_t plain_bytes) const noexcept = 0;
  // Recovers block `index` of the replica; errc::verification_failed if the
  // bytes are not a sealing of any block of that size (wrong key, replica,
  // index or size, or damaged bytes).
  virtual result<bytes> unseal(const replica_key& replica, std::uint64_t index, byte_view sealed,
                               std::size_t plain_bytes) const = 0;
};

class sealer {
 public:
  virtual ~sealer() = default;
  virtual const unsealer& public_part() const noexcept = 0;
  virtual bytes secret_key_bytes() const = 0;
  // Deterministic for a given key, replica, index and block.
  virtual result<bytes> seal(const replica_key& replica, std::uint64_t index, byte_view block) const = 0;
};

// The public half of a codec from its id and key bytes (as sent on the wire / stored on chain).
result<std::unique_ptr<unsealer>> make_unsealer(seal_codec_id codec, byte_view public_key);

// Sealed size of a block of `plain_bytes` under a codec, without a key (what
// unsealer::sealed_size gives for any key of it); 0 for an unknown codec.
std::size_t sealed_size(seal_codec_id codec, std::size_t plain_bytes) noexcept;

}  // namespace datdot

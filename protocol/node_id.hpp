// A node's identity on the bus and on the chain: its ed25519 public key, as a
// strong type so it cannot be mixed up with feed keys or CURVE keys.
#pragma once

#include <bit>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>

#include "crypto/bytes.hpp"

namespace datdot {

// Byte-wise (lexicographic) order of two 32-byte keys, a word at a time and
// inline: ids are map keys on every bus frame, where a call to memcmp per
// tree level showed up in profiles of the simulated bus.
inline std::strong_ordering compare_key_bytes(const std::array<byte, 32>& a, const std::array<byte, 32>& b) noexcept {
  for (std::size_t i = 0; i < 32; i += 8) {
    std::uint64_t x, y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    if (x == y) continue;
    if constexpr (std::endian::native == std::endian::little) {
      x = __builtin_bswap64(x);
      y = __builtin_bswap64(y);
    }
    return x <=> y;
  }
  return std::strong_ordering::equal;
}

struct node_id {
  public_key key{};
  std::strong_ordering operator<=>(const node_id& o) const noexcept { return compare_key_bytes(key, o.key); }
  bool operator==(const node_id& o) const noexcept { return compare_key_bytes(key, o.key) == 0; }
};

// The x25519 key a peer authenticated with in the CURVE handshake.
struct curve_public_key {
  std::array<byte, 32> key{};
  std::strong_ordering operator<=>(const curve_public_key& o) const noexcept { return compare_key_bytes(key, o.key); }
  bool operator==(const curve_public_key& o) const noexcept { return compare_key_bytes(key, o.key) == 0; }
};

inline std::string to_hex(const node_id& id) { return to_hex(byte_view{id.key}); }
inline std::string short_hex(const node_id& id) { return to_hex(byte_view{id.key}.first(4)); }

}  // namespace datdot

template <>
struct std::hash<datdot::node_id> {
  std::size_t operator()(const datdot::node_id& id) const noexcept {
    std::size_t h;
    std::memcpy(&h, id.key.data(), sizeof h);  // uniformly random already
    return h;
  }
};
template <>
struct std::hash<datdot::curve_public_key> {
  std::size_t operator()(const datdot::curve_public_key& k) const noexcept {
    std::size_t h;
    std::memcpy(&h, k.key.data(), sizeof h);
    return h;
  }
};

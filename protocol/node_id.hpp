// A node's identity on the bus and on the chain: its ed25519 public key, as a
// strong type so it cannot be mixed up with feed keys or CURVE keys.
#pragma once

#include <compare>
#include <cstring>
#include <functional>
#include <string>

#include "crypto/bytes.hpp"

namespace datdot {

struct node_id {
  public_key key{};
  auto operator<=>(const node_id&) const = default;
};

// The x25519 key a peer authenticated with in the CURVE handshake.
struct curve_public_key {
  std::array<byte, 32> key{};
  auto operator<=>(const curve_public_key&) const = default;
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

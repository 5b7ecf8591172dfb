// Byte-string vocabulary shared by every layer: fixed-size arrays for keys,
// hashes and signatures (sizes in the type), spans for views, and hex text.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.hpp"

namespace datdot {

using byte = std::uint8_t;
using bytes = std::vector<byte>;
using byte_view = std::span<const byte>;

using hash32 = std::array<byte, 32>;
using public_key = std::array<byte, 32>;
using secret_key = std::array<byte, 64>;  // libsodium layout: seed || public key
using key_seed = std::array<byte, 32>;
using signature = std::array<byte, 64>;

inline byte_view as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const byte*>(s.data()), s.size()};
}

std::string to_hex(byte_view data);
result<bytes> from_hex(std::string_view text);

// Parses exactly N bytes of hex (2N characters); anything else is an error.
template <std::size_t N>
result<std::array<byte, N>> from_hex_fixed(std::string_view text) {
  if (text.size() != 2 * N)
    return make_error(errc::invalid_argument,
                      "expected " + std::to_string(2 * N) + " hex characters, got " +
                          std::to_string(text.size()));
  DATDOT_TRY(raw, from_hex(text));
  std::array<byte, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = raw[i];
  return out;
}

// Little-endian u64 as hypercore's compact-encoding writes it.
inline void put_u64le(bytes& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<byte>(v >> (8 * i)));
}
inline std::uint64_t get_u64le(const byte* p) noexcept {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace datdot

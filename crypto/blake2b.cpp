#include "crypto/blake2b.hpp"

namespace datdot {

hash32 blake2b_256(byte_view data) noexcept {
  hash32 out;
  crypto_generichash(out.data(), out.size(), data.data(), data.size(), nullptr, 0);
  return out;
}

hash32 blake2b_256_keyed(byte_view data, byte_view key) noexcept {
  hash32 out;
  crypto_generichash(out.data(), out.size(), data.data(), data.size(), key.data(), key.size());
  return out;
}

blake2b_stream::blake2b_stream() noexcept { crypto_generichash_init(&state_, nullptr, 0, 32); }

blake2b_stream& blake2b_stream::update(byte_view part) noexcept {
  crypto_generichash_update(&state_, part.data(), part.size());
  return *this;
}

hash32 blake2b_stream::finish() noexcept {
  hash32 out;
  crypto_generichash_final(&state_, out.data(), out.size());
  return out;
}

}  // namespace datdot

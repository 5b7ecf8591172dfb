// BLAKE2b-256 (libsodium crypto_generichash), plain, keyed and streaming.
#pragma once

#include "crypto/bytes.hpp"

#include <sodium.h>

namespace datdot {

hash32 blake2b_256(byte_view data) noexcept;
hash32 blake2b_256_keyed(byte_view data, byte_view key) noexcept;

// Streaming form: hash the concatenation of several parts without copying them.
class blake2b_stream {
 public:
  blake2b_stream() noexcept;
  blake2b_stream& update(byte_view part) noexcept;
  hash32 finish() noexcept;

 private:
  crypto_generichash_state state_;
};

}  // namespace datdot

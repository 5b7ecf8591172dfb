// ed25519 identities (libsodium): random or seeded key pairs, detached
// signatures, and the conversion to x25519 that keys ZeroMQ CURVE from the
// same identity.
#pragma once

#include "crypto/bytes.hpp"
#include "crypto/sim_memo.hpp"

namespace datdot {

struct key_pair {
  public_key pk{};
  secret_key sk{};
};

// Must be called once before any other crypto function (idempotent, thread-safe).
void crypto_init();

key_pair generate_key_pair();                    // real entropy
key_pair key_pair_from_seed(const key_seed& seed);  // deterministic

signature sign(byte_view message, const secret_key& sk);
bool verify(byte_view message, const signature& sig, const public_key& pk) noexcept;
// While a sim_memo_scope lives (crypto/sim_memo.hpp), `verify` keeps the
// (key, message, signature) triples it found valid, keyed by their
// BLAKE2b-256: only true results, so a bad signature is checked every time.
inline constexpr std::size_t verify_memo_entries_max = 1 << 16;
sim_memo_counters verify_memo_counts() noexcept;

// x25519 keys for ZeroMQ CURVE derived from the ed25519 identity.
struct curve_key_pair {
  std::array<byte, 32> pk{};
  std::array<byte, 32> sk{};
};
result<curve_key_pair> to_curve(const key_pair& kp);
result<std::array<byte, 32>> to_curve_public(const public_key& pk);

// Fills the buffer from the operating system's secure random source.
void random_bytes(std::span<byte> out) noexcept;

}  // namespace datdot

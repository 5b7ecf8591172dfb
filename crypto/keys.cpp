#include "crypto/keys.hpp"

#include <sodium.h>

#include "crypto/blake2b.hpp"

#include <cstdlib>
#include <cstdio>

namespace datdot {

void crypto_init() {
  if (sodium_init() < 0) {
    // Without a working libsodium nothing in datdot is safe to run.
    std::fputs("datdot: libsodium failed to initialize\n", stderr);
    std::abort();
  }
}

key_pair generate_key_pair() {
  key_pair kp;
  crypto_sign_keypair(kp.pk.data(), kp.sk.data());
  return kp;
}

key_pair key_pair_from_seed(const key_seed& seed) {
  key_pair kp;
  crypto_sign_seed_keypair(kp.pk.data(), kp.sk.data(), seed.data());
  return kp;
}

signature sign(byte_view message, const secret_key& sk) {
  signature sig;
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), sk.data());
  return sig;
}

namespace {
sim_memo<bool>& verified() {
  static sim_memo<bool> memo{verify_memo_entries_max};
  return memo;
}
}  // namespace

sim_memo_counters verify_memo_counts() noexcept { return verified().counts(); }

bool verify(byte_view message, const signature& sig, const public_key& pk) noexcept {
  if (!sim_memo_open())
    return crypto_sign_verify_detached(sig.data(), message.data(), message.size(), pk.data()) == 0;
  const auto key = blake2b_stream{}.update(pk).update(sig).update(message).finish();
  if (verified().recall(key)) return true;
  const bool ok = crypto_sign_verify_detached(sig.data(), message.data(), message.size(), pk.data()) == 0;
  if (ok) verified().remember(key, true);
  return ok;
}

result<curve_key_pair> to_curve(const key_pair& kp) {
  curve_key_pair out;
  if (crypto_sign_ed25519_pk_to_curve25519(out.pk.data(), kp.pk.data()) != 0)
    return make_error(errc::invalid_argument, "ed25519 public key has no x25519 form");
  crypto_sign_ed25519_sk_to_curve25519(out.sk.data(), kp.sk.data());
  return out;
}

result<std::array<byte, 32>> to_curve_public(const public_key& pk) {
  std::array<byte, 32> out;
  if (crypto_sign_ed25519_pk_to_curve25519(out.data(), pk.data()) != 0)
    return make_error(errc::invalid_argument, "ed25519 public key has no x25519 form");
  return out;
}

void random_bytes(std::span<byte> out) noexcept { randombytes_buf(out.data(), out.size()); }

}  // namespace datdot

#include "crypto/rabin_williams.hpp"

#include <openssl/bn.h>
#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "crypto/blake2b.hpp"

namespace datdot::rabin_williams {

namespace {

struct bn_free {
  void operator()(BIGNUM* b) const noexcept { BN_clear_free(b); }
};
struct ctx_free {
  void operator()(BN_CTX* c) const noexcept { BN_CTX_free(c); }
};
struct mont_free {
  void operator()(BN_MONT_CTX* m) const noexcept { BN_MONT_CTX_free(m); }
};
using bn_ptr = std::unique_ptr<BIGNUM, bn_free>;
using ctx_ptr = std::unique_ptr<BN_CTX, ctx_free>;
using mont_ptr = std::unique_ptr<BN_MONT_CTX, mont_free>;

// OpenSSL allocation failure means the process is out of memory; nothing sane remains to do.
template <class T>
T* must(T* p) {
  if (p == nullptr) std::abort();
  return p;
}
void must(int ok) {
  if (ok != 1) std::abort();
}

bn_ptr new_bn() { return bn_ptr(must(BN_new())); }
ctx_ptr new_ctx() { return ctx_ptr(must(BN_CTX_new())); }
bn_ptr from_be(byte_view b) { return bn_ptr(must(BN_bin2bn(b.data(), static_cast<int>(b.size()), nullptr))); }
void to_be(const BIGNUM* v, byte* out, std::size_t n) { must(BN_bn2binpad(v, out, static_cast<int>(n)) == static_cast<int>(n) ? 1 : 0); }

mont_ptr mont_for(const BIGNUM* m, BN_CTX* ctx) {
  mont_ptr mont(must(BN_MONT_CTX_new()));
  must(BN_MONT_CTX_set(mont.get(), m, ctx));
  return mont;
}

// Tweak bits of a sealed chunk: bit 0 means e = -1, bit 1 means f = 2.
constexpr byte tweak_negate = 1;
constexpr byte tweak_halve = 2;

std::size_t chunk_count(std::size_t plain_bytes) { return (plain_bytes + chunk_plain_bytes - 1) / chunk_plain_bytes; }

// XORs the replica's keystream for block `index` into data (ChaCha20, nonce = index).
void whiten(const replica_key& replica, std::uint64_t index, std::span<byte> data) {
  if (data.empty()) return;  // no buffer to hand libsodium
  std::array<byte, crypto_stream_chacha20_NONCEBYTES> nonce{};
  for (std::size_t i = 0; i < nonce.size(); ++i) nonce[i] = static_cast<byte>(index >> (8 * i));
  crypto_stream_chacha20_xor(data.data(), data.data(), data.size(), nonce.data(), replica.data());
}

error not_sealed(const std::string& why) { return make_error(errc::verification_failed, "sealed block: " + why); }

class public_key_impl final : public unsealer {
 public:
  explicit public_key_impl(bn_ptr n) : n_(std::move(n)) {}

  seal_codec_id codec() const noexcept override { return seal_codec_id::rabin_williams_2048; }
  bytes public_key_bytes() const override {
    bytes out(modulus_bytes);
    to_be(n_.get(), out.data(), out.size());
    return out;
  }
  std::size_t sealed_size(std::size_t plain_bytes) const noexcept override {
    return rabin_williams::sealed_size(plain_bytes);
  }

  result<bytes> unseal(const replica_key& replica, std::uint64_t index, byte_view sealed,
                       std::size_t plain_bytes) const override {
    if (plain_bytes > block_bytes_max) return not_sealed("claims a block larger than any sealable one");
    const std::size_t chunks = chunk_count(plain_bytes);
    if (sealed.size() != chunks * chunk_sealed_bytes)
      return not_sealed("is " + std::to_string(sealed.size()) + " bytes, a block of " +
                        std::to_string(plain_bytes) + " seals to " + std::to_string(chunks * chunk_sealed_bytes));
    bytes plain(chunks * chunk_plain_bytes);
    auto ctx = new_ctx();
    auto s = new_bn(), y = new_bn();
    for (std::size_t k = 0; k < chunks; ++k) {
      const byte* in = sealed.data() + k * chunk_sealed_bytes;
      const byte tweak = in[0];
      if (tweak > (tweak_negate | tweak_halve)) return not_sealed("bad tweak in chunk " + std::to_string(k));
      must(BN_bin2bn(in + 1, modulus_bytes, s.get()) != nullptr ? 1 : 0);
      if (BN_cmp(s.get(), n_.get()) >= 0) return not_sealed("root out of range in chunk " + std::to_string(k));
      must(BN_mod_sqr(y.get(), s.get(), n_.get(), ctx.get()));
      if (tweak & tweak_halve) {
        // y / 2 mod N without a multiplication: N is odd, so y + N is even when y is not.
        if (BN_is_odd(y.get())) must(BN_add(y.get(), y.get(), n_.get()));
        must(BN_rshift1(y.get(), y.get()));
      }
      if ((tweak & tweak_negate) && !BN_is_zero(y.get())) must(BN_sub(y.get(), n_.get(), y.get()));
      if (static_cast<std::size_t>(BN_num_bytes(y.get())) > chunk_plain_bytes)
        return not_sealed("chunk " + std::to_string(k) + " does not unseal to a chunk");
      to_be(y.get(), plain.data() + k * chunk_plain_bytes, chunk_plain_bytes);
    }
    whiten(replica, index, plain);
    if (!std::all_of(plain.begin() + static_cast<std::ptrdiff_t>(plain_bytes), plain.end(), [](byte b) { return b == 0; }))
      return not_sealed("padding is not zero");
    plain.resize(plain_bytes);
    return plain;
  }

  const BIGNUM* modulus() const noexcept { return n_.get(); }

 private:
  bn_ptr n_;
};

class secret_key_impl final : public sealer {
 public:
  // p = 3 mod 8 and q = 7 mod 8, both primes of prime_bytes*8 bits with the top two bits set.
  secret_key_impl(bn_ptr p, bn_ptr q) : p_(std::move(p)), q_(std::move(q)) {
    auto ctx = new_ctx();
    auto n = new_bn();
    must(BN_mul(n.get(), p_.get(), q_.get(), ctx.get()));
    public_ = std::make_unique<public_key_impl>(std::move(n));
    exp_p_ = root_exponent(p_.get());
    exp_q_ = root_exponent(q_.get());
    q_inv_p_ = new_bn();
    must(BN_mod_inverse(q_inv_p_.get(), q_.get(), p_.get(), ctx.get()) != nullptr ? 1 : 0);
    mont_p_ = mont_for(p_.get(), ctx.get());
    mont_q_ = mont_for(q_.get(), ctx.get());
    two_root_p_ = two_root(p_.get(), exp_p_.get(), mont_p_.get(), ctx.get());
    two_root_q_ = two_root(q_.get(), exp_q_.get(), mont_q_.get(), ctx.get());
  }

  const unsealer& public_part() const noexcept override { return *public_; }
  bytes secret_key_bytes() const override {
    bytes out(2 * prime_bytes);
    to_be(p_.get(), out.data(), prime_bytes);
    to_be(q_.get(), out.data() + prime_bytes, prime_bytes);
    return out;
  }

  result<bytes> seal(const replica_key& replica, std::uint64_t index, byte_view block) const override {
    if (block.empty()) return bytes{};  // no chunks: nothing to seal
    if (block.size() > block_bytes_max) return make_error(errc::invalid_argument, "block too large to seal");
    const std::size_t chunks = chunk_count(block.size());
    bytes plain(chunks * chunk_plain_bytes, 0);
    std::memcpy(plain.data(), block.data(), block.size());
    whiten(replica, index, plain);
    bytes out(chunks * chunk_sealed_bytes);
    auto ctx = new_ctx();
    auto x = new_bn(), xp = new_bn(), xq = new_bn(), sp = new_bn(), sq = new_bn(), s = new_bn(), check = new_bn();
    const BIGNUM* n = public_->modulus();
    for (std::size_t k = 0; k < chunks; ++k) {
      must(BN_bin2bn(plain.data() + k * chunk_plain_bytes, chunk_plain_bytes, x.get()) != nullptr ? 1 : 0);
      must(BN_nnmod(xp.get(), x.get(), p_.get(), ctx.get()));
      must(BN_nnmod(xq.get(), x.get(), q_.get(), ctx.get()));
      // r = x^((p+1)/4) squares to x when x is a square mod p and to -x when it is not
      // (Euler's criterion), so the exponentiation gives the Legendre symbol too: a
      // BN_kronecker per prime had cost 40% as much as the roots themselves.
      must(BN_mod_exp_mont_consttime_x2(sp.get(), xp.get(), exp_p_.get(), p_.get(), mont_p_.get(), sq.get(),
                                        xq.get(), exp_q_.get(), q_.get(), mont_q_.get(), ctx.get()));
      const bool square_p = squares_to(sp.get(), xp.get(), p_.get(), check.get(), ctx.get());
      // Choose e, f so that z = e*f*x is a square mod p and mod q. With p = 3 mod 8,
      // -1 and 2 are non-squares mod p; with q = 7 mod 8, -1 is a non-square and 2 a square mod q.
      const bool negate = !squares_to(sq.get(), xq.get(), q_.get(), check.get(), ctx.get());
      const bool halve = square_p == negate;
      if (halve) must(BN_mod_lshift1(x.get(), x.get(), n, ctx.get()));
      if (negate && !BN_is_zero(x.get())) must(BN_sub(x.get(), n, x.get()));
      // The root of z is z^((p+1)/4) = e^((p+1)/4) * f^((p+1)/4) * r. (p+1)/4 is odd,
      // so e contributes e mod p; (q+1)/4 is even, so e contributes nothing mod q.
      if (halve) {
        must(BN_mod_mul_montgomery(sp.get(), sp.get(), two_root_p_.get(), mont_p_.get(), ctx.get()));
        must(BN_mod_mul_montgomery(sq.get(), sq.get(), two_root_q_.get(), mont_q_.get(), ctx.get()));
      }
      if (negate && !BN_is_zero(sp.get())) must(BN_sub(sp.get(), p_.get(), sp.get()));
      // CRT.
      must(BN_mod_sub(s.get(), sp.get(), sq.get(), p_.get(), ctx.get()));
      must(BN_mod_mul(s.get(), s.get(), q_inv_p_.get(), p_.get(), ctx.get()));
      must(BN_mul(s.get(), s.get(), q_.get(), ctx.get()));
      must(BN_add(s.get(), s.get(), sq.get()));
      // Our own invariant: the root squares back to z. A failure is a bug, not bad input.
      must(BN_mod_sqr(check.get(), s.get(), n, ctx.get()));
      if (BN_cmp(check.get(), x.get()) != 0)
        return make_error(errc::invalid_argument, "sealing failed: chunk has no square root (shares a factor with N)");
      byte* dst = out.data() + k * chunk_sealed_bytes;
      dst[0] = static_cast<byte>((negate ? tweak_negate : 0) | (halve ? tweak_halve : 0));
      to_be(s.get(), dst + 1, modulus_bytes);
    }
    return out;
  }

 private:
  static bn_ptr root_exponent(const BIGNUM* prime) {
    auto e = new_bn();
    must(BN_copy(e.get(), prime) != nullptr ? 1 : 0);
    must(BN_add_word(e.get(), 1));
    must(BN_rshift(e.get(), e.get(), 2));
    return e;
  }

  // 2^((prime+1)/4) mod prime in Montgomery form, so one Montgomery product by it is a plain product.
  static bn_ptr two_root(const BIGNUM* prime, const BIGNUM* exponent, BN_MONT_CTX* mont, BN_CTX* ctx) {
    auto two = new_bn(), root = new_bn();
    must(BN_set_word(two.get(), 2));
    must(BN_mod_exp_mont(root.get(), two.get(), exponent, prime, ctx, mont));
    must(BN_to_montgomery(root.get(), root.get(), mont, ctx));
    return root;
  }

  // Whether r^2 = a mod prime (a reduced).
  static bool squares_to(const BIGNUM* r, const BIGNUM* a, const BIGNUM* prime, BIGNUM* scratch, BN_CTX* ctx) {
    must(BN_mod_sqr(scratch, r, prime, ctx));
    return BN_cmp(scratch, a) == 0;
  }

  bn_ptr p_, q_, exp_p_, exp_q_, q_inv_p_, two_root_p_, two_root_q_;
  mont_ptr mont_p_, mont_q_;
  std::unique_ptr<public_key_impl> public_;
};

// The first prime = residue mod 8 at or after the candidate, after forcing its
// top two bits (so N has exactly modulus_bits bits) and its residue.
bn_ptr prime_at_or_after(std::array<byte, prime_bytes> candidate, unsigned long residue) {
  candidate[0] |= 0xc0;
  candidate.back() = static_cast<byte>((candidate.back() & ~byte{7}) | residue);
  auto p = from_be(candidate);
  auto ctx = new_ctx();
  while (BN_check_prime(p.get(), ctx.get(), nullptr) != 1) must(BN_add_word(p.get(), 8));
  return p;
}

bn_ptr random_prime(unsigned long residue) {
  std::array<byte, prime_bytes> candidate{};
  randombytes_buf(candidate.data(), candidate.size());
  return prime_at_or_after(candidate, residue);
}

bn_ptr seeded_prime(const key_seed& seed, byte label, unsigned long residue) {
  std::array<byte, 33> in{};
  std::copy(seed.begin(), seed.end(), in.begin());
  in[32] = label;
  const hash32 key = blake2b_256(in);
  std::array<byte, prime_bytes> candidate{};
  std::array<byte, crypto_stream_chacha20_NONCEBYTES> nonce{};
  crypto_stream_chacha20(candidate.data(), candidate.size(), nonce.data(), key.data());
  return prime_at_or_after(candidate, residue);
}

bool valid_prime(const BIGNUM* p, unsigned long residue, BN_CTX* ctx) {
  return BN_num_bits(p) == static_cast<int>(prime_bytes * 8) && BN_is_bit_set(p, static_cast<int>(prime_bytes * 8 - 2)) &&
         BN_mod_word(p, 8) == residue && BN_check_prime(p, ctx, nullptr) == 1;
}

}  // namespace

std::unique_ptr<sealer> generate() { return std::make_unique<secret_key_impl>(random_prime(3), random_prime(7)); }

std::unique_ptr<sealer> from_seed(const key_seed& seed) {
  return std::make_unique<secret_key_impl>(seeded_prime(seed, 'p', 3), seeded_prime(seed, 'q', 7));
}

std::unique_ptr<sealer> of_node(const key_pair& identity) {
  blake2b_stream h;
  h.update(as_bytes("datdot sealing key of a node"));
  h.update(byte_view{identity.sk.data(), 32});  // libsodium's secret key: seed || public key
  return from_seed(h.finish());
}

result<std::unique_ptr<sealer>> from_secret(byte_view secret) {
  if (secret.size() != 2 * prime_bytes)
    return make_error(errc::invalid_argument, "a Rabin-Williams secret key is " + std::to_string(2 * prime_bytes) + " bytes");
  auto p = from_be(secret.first(prime_bytes));
  auto q = from_be(secret.subspan(prime_bytes));
  auto ctx = new_ctx();
  if (!valid_prime(p.get(), 3, ctx.get()) || !valid_prime(q.get(), 7, ctx.get()))
    return make_error(errc::corrupt_data, "the secret key's factors are not the required primes");
  return std::unique_ptr<sealer>(std::make_unique<secret_key_impl>(std::move(p), std::move(q)));
}

result<std::unique_ptr<unsealer>> public_from_bytes(byte_view public_key) {
  if (public_key.size() != modulus_bytes)
    return make_error(errc::invalid_argument, "a Rabin-Williams public key is " + std::to_string(modulus_bytes) + " bytes");
  auto n = from_be(public_key);
  // N = p*q with p = 3, q = 7 mod 8 is 5 mod 8 and has exactly modulus_bits bits.
  if (BN_num_bits(n.get()) != static_cast<int>(modulus_bits) || BN_mod_word(n.get(), 8) != 5)
    return make_error(errc::invalid_argument, "not a Rabin-Williams modulus");
  return std::unique_ptr<unsealer>(std::make_unique<public_key_impl>(std::move(n)));
}

std::size_t sealed_size(std::size_t plain_bytes) noexcept { return chunk_count(plain_bytes) * chunk_sealed_bytes; }

}  // namespace datdot::rabin_williams

namespace datdot {

result<std::unique_ptr<unsealer>> make_unsealer(seal_codec_id codec, byte_view public_key) {
  switch (codec) {
    case seal_codec_id::rabin_williams_2048: return rabin_williams::public_from_bytes(public_key);
  }
  return make_error(errc::invalid_argument, "unknown sealing codec " + std::to_string(static_cast<int>(codec)));
}

std::size_t sealed_size(seal_codec_id codec, std::size_t plain_bytes) noexcept {
  switch (codec) {
    case seal_codec_id::rabin_williams_2048: return rabin_williams::sealed_size(plain_bytes);
  }
  return 0;
}

}  // namespace datdot

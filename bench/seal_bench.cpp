// Sealing benchmark: seal and unseal MB/s per core with the default codec
// (Rabin-Williams 2048) on 64 KiB blocks, each next to the raw big-number
// operation it is built on, measured in the same run: the paired CRT
// exponentiation (sealing's limit) and one modular squaring (unsealing's).
// Then storage proofs verified per second, as the chain runtime verifies them
// (verify_storage_proof: replica path, unsealing, feed path), next to their
// limit: unsealing the block plus BLAKE2b over the sealed and plain block.
// Run: build/bench/seal_bench [blocks, default 64]
#include <openssl/bn.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <sodium.h>

#include "crypto/keys.hpp"
#include "crypto/rabin_williams.hpp"
#include "protocol/hosting/storage_proof.hpp"
#include "support/tree_with_nodes.hpp"

using namespace datdot;
using clock_type = std::chrono::steady_clock;

namespace {

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

struct raw_rates {
  double private_ops_s;  // CRT root: two half-size exponentiations at once
  double squarings_s;    // one modular squaring mod N
};

raw_rates measure_raw(const bytes& secret) {
  BN_CTX* ctx = BN_CTX_new();
  BIGNUM* p = BN_bin2bn(secret.data(), 128, nullptr);
  BIGNUM* q = BN_bin2bn(secret.data() + 128, 128, nullptr);
  BIGNUM *n = BN_new(), *x = BN_new(), *y = BN_new(), *z = BN_new(), *ep = BN_new(), *eq = BN_new();
  BN_mul(n, p, q, ctx);
  BN_rand_range(x, p);
  BN_copy(ep, p);
  BN_add_word(ep, 1);
  BN_rshift(ep, ep, 2);
  BN_copy(eq, q);
  BN_add_word(eq, 1);
  BN_rshift(eq, eq, 2);
  BN_MONT_CTX *mp = BN_MONT_CTX_new(), *mq = BN_MONT_CTX_new();
  BN_MONT_CTX_set(mp, p, ctx);
  BN_MONT_CTX_set(mq, q, ctx);
  const int private_runs = 2000, square_runs = 200000;
  auto t0 = clock_type::now();
  for (int i = 0; i < private_runs; ++i) BN_mod_exp_mont_consttime_x2(y, x, ep, p, mp, z, x, eq, q, mq, ctx);
  const double priv = private_runs / seconds_since(t0);
  BN_rand_range(x, n);
  t0 = clock_type::now();
  for (int i = 0; i < square_runs; ++i) BN_mod_sqr(y, x, n, ctx);
  const double sq = square_runs / seconds_since(t0);
  for (BIGNUM* b : {p, q, n, x, y, z, ep, eq}) BN_free(b);
  BN_MONT_CTX_free(mp);
  BN_MONT_CTX_free(mq);
  BN_CTX_free(ctx);
  return {priv, sq};
}

}  // namespace

int main(int argc, char** argv) {
  crypto_init();
  const std::size_t blocks = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 64;
  const std::size_t block_size = 65536;
  const auto key = rabin_williams::generate();
  bytes block(block_size);
  random_bytes(block);
  replica_key replica{};
  random_bytes(replica);

  const auto raw = measure_raw(key->secret_key_bytes());
  const double chunk_mb = static_cast<double>(rabin_williams::chunk_plain_bytes) / 1e6;

  std::vector<bytes> sealed;
  auto t0 = clock_type::now();
  for (std::size_t i = 0; i < blocks; ++i) sealed.push_back(key->seal(replica, i, block).value());
  const double seal_mb_s = static_cast<double>(blocks * block_size) / 1e6 / seconds_since(t0);

  t0 = clock_type::now();
  std::size_t ok = 0;
  for (std::size_t i = 0; i < blocks; ++i)
    ok += key->public_part().unseal(replica, i, sealed[i], block_size).has_value();
  const double unseal_mb_s = static_cast<double>(blocks * block_size) / 1e6 / seconds_since(t0);

  std::printf("sealing codec rabin-williams-2048, %zu blocks of 64 KiB, one core\n", blocks);
  std::printf("seal    %7.2f MB/s | raw CRT root %7.0f /s = %7.2f MB/s of 255-byte chunks | ratio %5.1f%%\n",
              seal_mb_s, raw.private_ops_s, raw.private_ops_s * chunk_mb, 100 * seal_mb_s / (raw.private_ops_s * chunk_mb));
  std::printf("unseal  %7.2f MB/s | raw squaring %7.0f /s = %7.2f MB/s of 255-byte chunks | ratio %5.1f%%  (%zu ok)\n",
              unseal_mb_s, raw.squarings_s, raw.squarings_s * chunk_mb, 100 * unseal_mb_s / (raw.squarings_s * chunk_mb), ok);

  // Storage proofs over a feed of `blocks` distinct blocks and its replica.
  std::vector<bytes> plain(blocks, bytes(block_size));
  test::tree_with_nodes feed_tree, replica_tree;
  for (std::size_t i = 0; i < blocks; ++i) {
    random_bytes(plain[i]);
    sealed[i] = key->seal(replica, i, plain[i]).value();
    feed_tree.append(plain[i]);
    replica_tree.append(sealed[i]);
  }
  std::vector<storage_proof> proofs;
  for (std::size_t i = 0; i < blocks; ++i)
    proofs.push_back({i, sealed[i], block_size, replica_tree.path(i), replica_tree.tree.roots(), feed_tree.path(i)});
  const auto commitment = commit_replica(replica_tree.tree.roots());
  const auto feed_roots = feed_tree.tree.roots();
  const auto& unsealer = key->public_part();
  std::size_t verified = 0, rounds = 0;
  t0 = clock_type::now();
  do {
    for (const auto& p : proofs) verified += verify_storage_proof(p, commitment, feed_roots, unsealer, replica).has_value();
    ++rounds;
  } while (seconds_since(t0) < 1.0);
  const double proofs_s = static_cast<double>(rounds * blocks) / seconds_since(t0);

  // The limit: unseal (as measured above) and hash both blocks, nothing else.
  unsigned char h[32];
  const int hash_runs = 2000;
  t0 = clock_type::now();
  for (int i = 0; i < hash_runs; ++i) {
    crypto_generichash(h, sizeof h, sealed[static_cast<std::size_t>(i) % blocks].data(), sealed[0].size(), nullptr, 0);
    crypto_generichash(h, sizeof h, plain[static_cast<std::size_t>(i) % blocks].data(), block_size, nullptr, 0);
  }
  const double hash_pair_s = seconds_since(t0) / hash_runs;
  const double limit_s = 1.0 / (hash_pair_s + static_cast<double>(block_size) / 1e6 / unseal_mb_s);
  std::printf("storage proofs verified %7.0f /s | limit (unseal + BLAKE2b of both blocks) %7.0f /s | ratio %5.1f%%  "
              "(%zu of %zu ok)\n",
              proofs_s, limit_s, 100 * proofs_s / limit_s, verified, rounds * blocks);
  return ok == blocks && verified == rounds * blocks ? 0 : 1;
}

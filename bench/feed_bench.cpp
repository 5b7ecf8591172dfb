// Feed benchmark: append throughput (hash + tree + store) in memory and with
// LMDB at 4 KiB and 64 KiB blocks, and proof verifications per second, each
// printed next to the raw limits measured in the same run (libsodium BLAKE2b-256
// and LMDB puts of the same bytes; ed25519 verify for proofs).
// Run: build/bench/feed_bench [MiB per run, default 256]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <sodium.h>

#include "crypto/blake2b.hpp"
#include "crypto/keys.hpp"
#include "crypto/proof.hpp"
#include "protocol/feed_limits.hpp"
#include "storage/feed_store.hpp"

using namespace datdot;
using clock_type = std::chrono::steady_clock;

namespace {

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

std::vector<bytes> make_blocks(std::size_t total_bytes, std::size_t block_size) {
  std::vector<bytes> out(total_bytes / block_size, bytes(block_size));
  for (auto& b : out) randombytes_buf(b.data(), b.size());
  return out;
}

double raw_blake2b_mb_s(const std::vector<bytes>& blocks) {
  hash32 sink{};
  const auto t0 = clock_type::now();
  std::size_t total = 0;
  for (const auto& b : blocks) {
    sink = blake2b_256(b);
    total += b.size();
  }
  const double s = seconds_since(t0);
  if (sink[0] == 0 && sink[1] == 0 && sink[2] == 0) std::fputs("", stdout);  // keep the hashes live
  return static_cast<double>(total) / 1e6 / s;
}

// Append = leaf + parent hashes, keeping every node and taking ownership of every
// block (an in-memory store keeps the buffers it is handed), one signature per batch.
double memory_append_mb_s(std::vector<bytes> blocks, const key_pair& kp, std::size_t batch) {
  const feed_identity id{kp.pk, signing_mode::manifest_v1};
  merkle_tree tree;
  std::vector<tree_node> nodes;
  std::vector<bytes> stored;
  nodes.reserve(blocks.size() * 2);
  stored.reserve(blocks.size());
  const auto t0 = clock_type::now();
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    tree.append(blocks[i], nodes);
    stored.push_back(std::move(blocks[i]));
    if ((i + 1) % batch == 0 || i + 1 == blocks.size())
      (void)sign(id.signable(tree.hash(), tree.length(), 0), kp.sk);
  }
  return static_cast<double>(tree.byte_length()) / 1e6 / seconds_since(t0);
}

void check(const result<void>& r) {
  if (!r) {
    std::fprintf(stderr, "%s\n", r.err().describe().c_str());
    std::exit(1);
  }
}

// Runs fn on a fresh durable environment in a scratch directory and returns MB/s of `bytes_total`.
double on_fresh_env(std::size_t bytes_total, const std::function<void(storage::environment&)>& fn) {
  const auto dir = std::filesystem::temp_directory_path() / ("datdot-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  double mb_s = 0;
  {
    auto env = storage::environment::open({.dir = dir, .map_size_bytes = std::size_t{1} << 32});
    if (!env) check(env.err());
    const auto t0 = clock_type::now();
    fn(*env);
    mb_s = static_cast<double>(bytes_total) / 1e6 / seconds_since(t0);
  }
  std::filesystem::remove_all(dir);
  return mb_s;
}

// The physical limit of the LMDB path: the same blocks, keys and commits, no hashing.
double raw_lmdb_mb_s(const std::vector<bytes>& blocks, std::size_t batch) {
  return on_fresh_env(blocks.size() * blocks[0].size(), [&](storage::environment& env) {
    const auto db = env.open_db("raw").value();
    for (std::size_t i = 0; i < blocks.size(); i += batch) {
      check(env.update([&](storage::write_txn& txn) -> result<void> {
        for (std::size_t k = i; k < std::min(i + batch, blocks.size()); ++k) {
          std::array<byte, 8> key;
          for (int b = 0; b < 8; ++b) key[b] = static_cast<byte>(k >> (56 - 8 * b));
          DATDOT_CHECK(txn.put(db, key, blocks[k]));
        }
        return ok;
      }));
    }
  });
}

double lmdb_append_mb_s(const std::vector<bytes>& blocks, const key_pair& kp, std::size_t batch) {
  return on_fresh_env(blocks.size() * blocks[0].size(), [&](storage::environment& env) {
    auto store = storage::feed_store::open(env).value();
    auto f = storage::feed::create(store, kp.pk, signing_mode::manifest_v1).value();
    for (std::size_t i = 0; i < blocks.size(); i += batch)
      check(f.append(std::span(blocks).subspan(i, std::min(batch, blocks.size() - i)), kp.sk));
  });
}

void proofs(const key_pair& kp) {
  const auto blocks = make_blocks(4096 * 1024, 1024);  // 4,096 blocks of 1 KiB
  const feed_identity id{kp.pk, signing_mode::manifest_v1};
  merkle_tree tree;
  std::vector<tree_node> created;
  std::vector<tree_node> by_index(2 * blocks.size());
  for (const auto& b : blocks) {
    created.clear();
    tree.append(b, created);
    for (const auto& n : created) by_index[n.index] = n;
  }
  const auto stored_sig = id.encode_signature(sign(id.signable(tree.hash(), tree.length(), 0), kp.sk));
  const node_lookup lookup = [&](std::uint64_t i) -> result<tree_node> { return by_index[i]; };
  std::vector<feed_proof> all;
  for (std::size_t i = 0; i < 2000; ++i) {
    const auto index = (i * 2654435761u) % blocks.size();
    all.push_back(prove_block(lookup, tree.length(), 0, index, blocks[index], stored_sig).value());
  }
  auto t0 = clock_type::now();
  std::size_t good = 0;
  for (const auto& p : all) good += verify_proof(p, id).has_value();
  const double proofs_s = static_cast<double>(all.size()) / seconds_since(t0);

  const auto msg = id.signable(tree.hash(), tree.length(), 0);
  const auto sig = sign(msg, kp.sk);
  t0 = clock_type::now();
  for (std::size_t i = 0; i < all.size(); ++i) good += verify(msg, sig, kp.pk);
  const double verify_s = static_cast<double>(all.size()) / seconds_since(t0);
  std::printf("proof verify (4096-block feed)   %10.0f proofs/s | raw ed25519 verify %10.0f /s | ratio %5.1f%%  (%zu ok)\n",
              proofs_s, verify_s, 100 * proofs_s / verify_s, good);
}

}  // namespace

int main(int argc, char** argv) {
  crypto_init();
  const std::size_t total_mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 256;
  const auto kp = generate_key_pair();
  std::printf("datdot feed benchmark: %zu MiB per run; LMDB commits are durable (fsync)\n", total_mib);
  for (const std::size_t block_size : {std::size_t{4096}, std::size_t{65536}}) {
    const auto blocks = make_blocks(total_mib << 20, block_size);
    // The batch `datdot feed create` commits: one fsync'd transaction per batch.
    const std::size_t batch = feed_limits::batch_bytes_max / block_size;
    const double raw = raw_blake2b_mb_s(blocks);
    const double raw_db = raw_lmdb_mb_s(blocks, batch);
    const double mem = memory_append_mb_s(blocks, kp, batch);
    const double db = lmdb_append_mb_s(blocks, kp, batch);
    std::printf("%2zu KiB blocks: raw BLAKE2b-256 %6.1f MB/s, raw LMDB put+fsync %6.1f MB/s | "
                "in-memory append %6.1f MB/s (%5.1f%% of BLAKE2b) | LMDB append %6.1f MB/s "
                "(%5.1f%% of BLAKE2b, %5.1f%% of raw LMDB)\n",
                block_size / 1024, raw, raw_db, mem, 100 * mem / raw, db, 100 * db / raw,
                100 * db / raw_db);
  }
  proofs(kp);
  return 0;
}

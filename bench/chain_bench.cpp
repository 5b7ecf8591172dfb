// Chain benchmark: runtime apply throughput (signed transfers, every
// signature checked, state root per block) next to raw libsodium ed25519
// verifies/s measured in the same run; and time to finality in slots (p50,
// p99) on the simulated network with every validator online.
// Run: build/bench/chain_bench [blocks, default 20] [extrinsics per block, default 500]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <sodium.h>

#include "chain/sim_network.hpp"
#include "protocol/chain/block_execution.hpp"

using namespace datdot;
using namespace datdot::test;
using clock_type = std::chrono::steady_clock;

namespace {

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

double raw_verify_per_s(std::size_t count) {
  const auto kp = test_key(1);
  std::vector<bytes> messages(count, bytes(120));
  std::vector<signature> sigs(count);
  for (std::size_t i = 0; i < count; ++i) {
    randombytes_buf(messages[i].data(), messages[i].size());
    sigs[i] = sign(messages[i], kp.sk);
  }
  std::size_t good = 0;
  const auto t0 = clock_type::now();
  for (std::size_t i = 0; i < count; ++i) good += verify(messages[i], sigs[i], kp.pk);
  const double s = seconds_since(t0);
  if (good != count) std::fputs("raw verify failed\n", stderr);
  return static_cast<double>(count) / s;
}

double apply_extrinsics_per_s(std::size_t blocks, std::size_t per_block) {
  chain_fixture f{4, per_block};
  std::vector<block> chain;
  auto state = f.gen.state;
  auto hash = f.gen.hash;
  for (std::size_t b = 0; b < blocks; ++b) {
    std::vector<extrinsic> xs;
    for (std::size_t u = 0; u < per_block; ++u)
      xs.push_back(make_extrinsic(f.chain(), f.users[u], b,
                                  transfer_ratio{id_of(f.users[(u + 1) % per_block]), ratio{1}}));
    auto built = f.build(state, hash, slot_number{b + 1}, xs);
    if (built.b.extrinsics.size() != per_block) {
      std::fprintf(stderr, "only %zu of %zu transfers fit one block (chain_limits::block_bytes_max): use fewer per block\n",
                   built.b.extrinsics.size(), per_block);
      std::exit(2);
    }
    chain.push_back(built.b);
    state = std::move(built.applied.state);
    hash = hash_of(chain.back());
  }
  state = f.gen.state;
  hash = f.gen.hash;
  const auto t0 = clock_type::now();
  for (const auto& b : chain) {
    auto applied = apply_block(state, hash, b);
    if (!applied) {
      std::fprintf(stderr, "apply failed: %s\n", applied.err().describe().c_str());
      std::exit(1);
    }
    state = std::move(applied->state);
    hash = hash_of(b);
  }
  return static_cast<double>(blocks * per_block) / seconds_since(t0);
}

void finality_lag(std::size_t n, std::uint64_t slots) {
  network_options o;
  o.validators = n;
  o.seed = 42;
  sim_network net{o};
  net.run_until_slot(slots);
  auto lags = net.finality_lags_ms();
  std::sort(lags.begin(), lags.end());
  if (lags.empty()) {
    std::printf("finality n=%zu: nothing finalized\n", n);
    return;
  }
  auto pct = [&](std::size_t p) { return static_cast<double>(lags[(lags.size() - 1) * p / 100]) / o.slot_duration_ms; };
  std::printf("time to finality n=%-2zu (%zu finalizations, slot %llu ms, delay %llu-%llu ms): p50 %.2f slots, p99 %.2f slots\n",
              n, lags.size(), static_cast<unsigned long long>(o.slot_duration_ms),
              static_cast<unsigned long long>(o.delay_ms_min), static_cast<unsigned long long>(o.delay_ms_max), pct(50),
              pct(99));
}

}  // namespace

int main(int argc, char** argv) {
  crypto_init();
  const std::size_t blocks = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20;
  const std::size_t per_block = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 500;
  // Raw verify measured before and after; the faster run is the reference, so
  // a busy machine cannot flatter the ratio.
  const double raw_before = raw_verify_per_s(blocks * per_block);
  const double applied = apply_extrinsics_per_s(blocks, per_block);
  const double raw = std::max(raw_before, raw_verify_per_s(blocks * per_block));
  std::printf("raw libsodium ed25519 verify:       %10.0f /s\n", raw);
  std::printf("runtime apply (transfers, %zu/block): %10.0f extrinsics/s  (%.0f%% of raw verify)\n", per_block,
              applied, 100.0 * applied / raw);
  for (std::size_t n : {4u, 7u, 10u}) finality_lag(n, 100);
  return 0;
}

// The physical limit the chain benchmarks print their figures next to: raw
// libsodium ed25519 verifies per second on one core, measured in the same run.
#pragma once

#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <vector>

#include "crypto/keys.hpp"

namespace datdot::bench {

inline double raw_ed25519_verify_per_s(std::size_t count) {
  key_seed seed{};
  seed.fill(7);
  const auto kp = key_pair_from_seed(seed);
  std::vector<bytes> messages(count, bytes(120));
  std::vector<signature> sigs(count);
  for (std::size_t i = 0; i < count; ++i) {
    randombytes_buf(messages[i].data(), messages[i].size());
    sigs[i] = sign(messages[i], kp.sk);
  }
  std::size_t good = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < count; ++i) good += verify(messages[i], sigs[i], kp.pk);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (good != count) std::fputs("raw verify failed\n", stderr);
  return static_cast<double>(count) / s;
}

}  // namespace datdot::bench

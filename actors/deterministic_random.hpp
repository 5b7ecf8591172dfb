// The one seeded random source of a simulation (xoshiro256** seeded through
// splitmix64). Same seed, same sequence on every machine; split() gives each
// node its own stream so adding a draw on one node does not shift the others.
// The bus draws its relay peers from splitmix64 alone, seeded by the node id.
#pragma once

#include <array>
#include <cstdint>

namespace datdot {

class deterministic_random {
 public:
  explicit deterministic_random(std::uint64_t seed) noexcept {
    for (auto& s : state_) s = splitmix64(seed);
  }

  std::uint64_t next() noexcept {
    auto result = rotl(state_[1] * 5, 7) * 9;
    auto t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [lo, hi] (inclusive), without modulo bias.
  std::uint64_t uniform(std::uint64_t lo, std::uint64_t hi) noexcept {
    auto span = hi - lo + 1;
    if (span == 0) return next();  // the full 64-bit range
    auto limit = ~std::uint64_t{0} - (~std::uint64_t{0} % span);
    std::uint64_t x;
    do x = next();
    while (x >= limit);
    return lo + x % span;
  }

  bool chance_permille(std::uint32_t permille) noexcept { return uniform(0, 999) < permille; }

  deterministic_random split(std::uint64_t stream) noexcept {
    return deterministic_random{next() ^ (stream * 0x9e3779b97f4a7c15ull)};
  }

  // The next value of a splitmix64 stream whose state is `x`.
  static std::uint64_t splitmix64(std::uint64_t& x) noexcept {
    auto z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }

  std::array<std::uint64_t, 4> state_{};
};

}  // namespace datdot

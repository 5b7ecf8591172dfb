#include "protocol/chain/selection.hpp"

#include <algorithm>

#include "crypto/blake2b.hpp"
#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/invariant.hpp"

namespace datdot {
namespace {

// A stream of uniform 64-bit words: BLAKE2b(randomness || purpose || counter).
class draw_stream {
 public:
  draw_stream(const hash32& randomness, std::string_view purpose) : randomness_(randomness), purpose_(purpose) {}

  std::uint64_t next() {
    if (used_ == words_per_hash) refill();
    return get_u64le(block_.data() + 8 * used_++);
  }

  // Uniform in [0, bound), bound > 0.
  std::uint64_t below(std::uint64_t bound) {
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;  // accept [0, limit)
    for (;;) {
      const auto x = next();
      if (x < limit) return x % bound;
    }
  }

 private:
  static constexpr std::size_t words_per_hash = 4;

  void refill() {
    bytes counter;
    put_u64le(counter, counter_++);
    block_ = blake2b_stream{}.update(randomness_).update(as_bytes(purpose_)).update(counter).finish();
    used_ = 0;
  }

  hash32 randomness_;
  std::string_view purpose_;
  std::uint64_t counter_ = 0;
  hash32 block_{};
  std::size_t used_ = words_per_hash;
};

}  // namespace

std::vector<std::size_t> sample_weighted(const hash32& randomness, std::string_view purpose,
                                         std::span<const std::uint64_t> weights, std::size_t count) {
  DATDOT_INVARIANT(weights.size() <= chain_limits::nodes_max);
  std::vector<std::uint64_t> remaining;
  remaining.reserve(weights.size());
  std::uint64_t total = 0;
  for (auto w : weights) {
    remaining.push_back(std::min(w, chain_limits::selection_weight_max));
    total += remaining.back();
  }
  std::vector<std::size_t> picked;
  draw_stream draws{randomness, purpose};
  while (picked.size() < count && total > 0) {
    auto x = draws.below(total);
    std::size_t j = 0;
    while (x >= remaining[j]) x -= remaining[j++];
    picked.push_back(j);
    total -= remaining[j];
    remaining[j] = 0;
  }
  return picked;
}

std::uint64_t draw_below(const hash32& randomness, std::string_view purpose, std::uint64_t bound) {
  DATDOT_INVARIANT(bound > 0);
  return draw_stream{randomness, purpose}.below(bound);
}

}  // namespace datdot

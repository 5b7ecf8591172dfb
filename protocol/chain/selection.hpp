// Weighted sampling without replacement from chain randomness, integers only:
// the runtime uses it to pick hosters, encoders and attesters. Draw i hashes
// (randomness, purpose, i); rejection sampling removes modulo bias.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/bytes.hpp"

namespace datdot {

// Indices of up to `count` distinct entries with non-zero weight, each draw
// picking entry j with probability weight[j] / (sum of the remaining weights).
// Weights above chain_limits::selection_weight_max count as that maximum, and
// at most chain_limits::nodes_max entries are passed, so sums are exact.
// The purpose separates independent selections from one randomness.
std::vector<std::size_t> sample_weighted(const hash32& randomness, std::string_view purpose,
                                         std::span<const std::uint64_t> weights, std::size_t count);

// One uniform draw in [0, bound), bound > 0 (a block index, a delay).
std::uint64_t draw_below(const hash32& randomness, std::string_view purpose, std::uint64_t bound);

}  // namespace datdot

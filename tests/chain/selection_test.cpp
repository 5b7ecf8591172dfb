// Randomness and weighted selection: deterministic, without replacement, and
// unbiased (chi-square over many draws, integer arithmetic only).
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "crypto/blake2b.hpp"
#include "protocol/chain/selection.hpp"

using namespace datdot;

namespace {

hash32 randomness(std::uint64_t i) {
  bytes b;
  put_u64le(b, i);
  return blake2b_256(b);
}

// Chi-square statistic times 1000 for observed counts against weights.
std::uint64_t chi_square_milli(const std::vector<std::uint64_t>& observed, const std::vector<std::uint64_t>& weights) {
  std::uint64_t n = 0, total = 0;
  for (auto o : observed) n += o;
  for (auto w : weights) total += w;
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    // (o - n w / T)^2 / (n w / T) = (o T - n w)^2 / (n w T)
    const auto ot = static_cast<std::int64_t>(observed[i] * total);
    const auto nw = static_cast<std::int64_t>(n * weights[i]);
    const auto d = static_cast<std::uint64_t>((ot - nw) < 0 ? nw - ot : ot - nw);
    sum += d * d * 1000 / (n * weights[i] * total);
  }
  return sum;
}

}  // namespace

TEST_CASE("selection is deterministic and distinct and skips zero weights and stops when exhausted") {
  const std::vector<std::uint64_t> w{5, 0, 1, 7, 3};
  const auto a = sample_weighted(randomness(1), "hoster", w, 3);
  CHECK(a == sample_weighted(randomness(1), "hoster", w, 3));
  CHECK(a.size() == 3);
  CHECK(std::set<std::size_t>(a.begin(), a.end()).size() == 3);
  CHECK(std::find(a.begin(), a.end(), 1u) == a.end());
  CHECK(sample_weighted(randomness(1), "hoster", w, 10).size() == 4);
  CHECK(sample_weighted(randomness(1), "hoster", {}, 2).empty());
  // Purposes give independent draws from one randomness.
  std::size_t differ = 0;
  for (std::uint64_t i = 0; i < 50; ++i)
    differ += sample_weighted(randomness(i), "hoster", w, 1) != sample_weighted(randomness(i), "encoder", w, 1);
  CHECK(differ > 10);
}

TEST_CASE("first picks follow the weights (chi-square with 3 degrees of freedom at p = 0.001)") {
  const std::vector<std::uint64_t> w{1, 2, 3, 4};
  std::vector<std::uint64_t> first(4), second(4);
  constexpr std::uint64_t draws = 40'000;
  for (std::uint64_t i = 0; i < draws; ++i) {
    const auto picked = sample_weighted(randomness(i), "hoster", w, 2);
    REQUIRE(picked.size() == 2);
    REQUIRE(picked[0] != picked[1]);
    ++first[picked[0]];
  }
  CHECK(chi_square_milli(first, w) < 16'266);  // chi2(3) critical value 16.266
}

TEST_CASE("uniform weights with huge values stay unbiased (no modulo bias and clamped sums)") {
  const std::uint64_t big = UINT64_MAX / 3;  // clamped to selection_weight_max each
  const std::vector<std::uint64_t> w{big, big, big, big, big};
  std::vector<std::uint64_t> counts(5);
  for (std::uint64_t i = 0; i < 20'000; ++i) ++counts[sample_weighted(randomness(i), "x", w, 1)[0]];
  CHECK(chi_square_milli(counts, std::vector<std::uint64_t>(5, 1)) < 18'467);  // chi2(4), p = 0.001
}

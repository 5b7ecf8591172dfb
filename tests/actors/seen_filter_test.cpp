// The gossip relay's seen filter: each hash is new once, the memory stays
// within its capacity, and the oldest hash is the one forgotten.
#include <doctest/doctest.h>

#include "protocol/seen_filter.hpp"

using namespace datdot;

namespace {

hash32 h(std::uint32_t i) {
  hash32 out{};
  for (std::size_t b = 0; b < 4; ++b) out[b] = static_cast<byte>(i >> (8 * b));
  out[31] = 0x5e;
  return out;
}

}  // namespace

TEST_CASE("a hash is new once: a second copy is not forwarded again") {
  seen_filter f{8};
  CHECK_FALSE(f.contains(h(1)));
  CHECK(f.insert(h(1)));
  CHECK(f.contains(h(1)));
  CHECK_FALSE(f.insert(h(1)));
  CHECK(f.insert(h(2)));
  CHECK(f.size() == 2);
}

TEST_CASE("past its capacity the filter forgets the oldest hash first") {
  seen_filter f{3};
  for (std::uint32_t i = 1; i <= 3; ++i) CHECK(f.insert(h(i)));
  CHECK(f.insert(h(4)));
  CHECK(f.size() == 3);
  CHECK_FALSE(f.contains(h(1)));
  for (std::uint32_t i = 2; i <= 4; ++i) CHECK(f.contains(h(i)));
  // A copy seen again does not refresh its place: it is still forgotten next.
  CHECK_FALSE(f.insert(h(2)));
  CHECK(f.insert(h(5)));
  CHECK_FALSE(f.contains(h(2)));
  CHECK(f.contains(h(3)));
}

TEST_CASE("the filter stays within its capacity under a long stream") {
  seen_filter f{64};
  for (std::uint32_t i = 0; i < 10'000; ++i) CHECK(f.insert(h(i)));
  CHECK(f.size() == 64);
  CHECK(f.contains(h(9'999)));
  CHECK_FALSE(f.contains(h(9'935)));
  CHECK(f.contains(h(9'936)));
}

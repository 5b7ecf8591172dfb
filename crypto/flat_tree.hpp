// Flat-tree index math (the npm flat-tree package): every node of a feed's
// Merkle tree has one integer; block i is node 2i, parents sit at odd indices.
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

namespace datdot::flat_tree {

using u64 = std::uint64_t;

// The longest tree whose indices keep every function below free of overflow
// (indices < 2^57, shifts < 58). Lengths and indices from outside are checked
// against it before any tree math runs on them.
inline constexpr u64 length_max = u64{1} << 56;
constexpr bool index_in_range(u64 idx) noexcept { return idx < 2 * length_max; }

constexpr u64 index(u64 depth, u64 offset) noexcept { return ((2 * offset + 1) << depth) - 1; }
constexpr u64 depth(u64 idx) noexcept { return static_cast<u64>(std::countr_one(idx)); }
constexpr u64 offset(u64 idx) noexcept { return idx >> (depth(idx) + 1); }
constexpr u64 parent(u64 idx) noexcept { return index(depth(idx) + 1, offset(idx) >> 1); }
constexpr u64 sibling(u64 idx) noexcept { return index(depth(idx), offset(idx) ^ 1); }
// Children of an odd index; the caller must not pass a leaf.
constexpr u64 left_child(u64 idx) noexcept { return index(depth(idx) - 1, 2 * offset(idx)); }
constexpr u64 right_child(u64 idx) noexcept { return index(depth(idx) - 1, 2 * offset(idx) + 1); }
// Leftmost and rightmost leaf index (even) under idx.
constexpr u64 left_span(u64 idx) noexcept { return offset(idx) << (depth(idx) + 1); }
constexpr u64 right_span(u64 idx) noexcept { return ((offset(idx) + 1) << (depth(idx) + 1)) - 2; }
// Number of blocks under idx.
constexpr u64 leaf_count(u64 idx) noexcept { return u64{1} << depth(idx); }
constexpr bool is_leaf(u64 idx) noexcept { return (idx & 1) == 0; }
constexpr bool contains(u64 ancestor, u64 idx) noexcept {
  return left_span(ancestor) <= left_span(idx) && right_span(idx) <= right_span(ancestor);
}

// Roots of a tree of `length` blocks, ascending (hypercore's fullRoots(2*length)).
inline std::vector<u64> full_roots(u64 length) {
  std::vector<u64> out;
  u64 start = 0;
  while (length > 0) {
    u64 f = std::bit_floor(length);
    out.push_back(2 * start + f - 1);
    start += f;
    length -= f;
  }
  return out;
}

static_assert(parent(0) == 1 && parent(2) == 1 && parent(1) == 3 && sibling(1) == 5);
static_assert(left_span(7) == 0 && right_span(7) == 14 && depth(7) == 3 && offset(11) == 1);

}  // namespace datdot::flat_tree

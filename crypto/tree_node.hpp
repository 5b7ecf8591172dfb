// A node of a hypercore Merkle tree and hypercore-crypto's three hashes over
// nodes: leaf (block), parent, and the tree hash over the roots.
#pragma once

#include <vector>

#include "crypto/bytes.hpp"

namespace datdot {

struct tree_node {
  std::uint64_t index = 0;  // flat-tree index
  std::uint64_t size = 0;   // bytes of all blocks below
  hash32 hash{};

  friend bool operator==(const tree_node&, const tree_node&) = default;
};

// H(0x00 || u64le(len) || block) as node 2*block_index.
tree_node leaf_node(std::uint64_t block_index, byte_view block) noexcept;
// H(0x01 || u64le(a.size+b.size) || left.hash || right.hash); order by index, not by argument.
tree_node parent_node(const tree_node& a, const tree_node& b) noexcept;
// H(0x02 || for each root: hash || u64le(index) || u64le(size)), roots ascending.
hash32 tree_hash(const std::vector<tree_node>& roots) noexcept;

}  // namespace datdot

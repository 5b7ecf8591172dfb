// The growing edge of a feed's Merkle tree: its roots. Appending a block
// hashes the leaf and merges equal-sized roots, handing every new node to the
// caller (who stores them); nothing else needs to stay in memory.
#pragma once

#include <functional>
#include <vector>

#include "crypto/tree_node.hpp"

namespace datdot {

// Looks up a stored, complete tree node by flat index.
using node_lookup = std::function<result<tree_node>(std::uint64_t index)>;

class merkle_tree {
 public:
  merkle_tree() = default;
  // Reopens a tree from its stored roots; they must be exactly full_roots(length).
  static result<merkle_tree> from_roots(std::vector<tree_node> roots);

  // Appends one block; the leaf and every parent it completes are pushed to new_nodes.
  void append(byte_view block, std::vector<tree_node>& new_nodes);

  std::uint64_t length() const noexcept { return length_; }
  std::uint64_t byte_length() const noexcept { return byte_length_; }
  const std::vector<tree_node>& roots() const noexcept { return roots_; }
  hash32 hash() const noexcept { return tree_hash(roots_); }

 private:
  std::vector<tree_node> roots_;
  std::uint64_t length_ = 0;
  std::uint64_t byte_length_ = 0;
};

// The roots of the tree at an earlier (or the current) length, read from stored nodes.
result<std::vector<tree_node>> roots_at(const node_lookup& lookup, std::uint64_t length);

}  // namespace datdot

// A Merkle tree kept in memory with every node it ever made, so tests can
// read block paths and proofs back without a store.
#pragma once

#include <map>

#include "crypto/merkle_tree.hpp"
#include "crypto/proof.hpp"

namespace datdot::test {

struct tree_with_nodes {
  merkle_tree tree;
  std::map<std::uint64_t, tree_node> nodes;

  void append(byte_view b) {
    std::vector<tree_node> created;
    tree.append(b, created);
    for (const auto& n : created) nodes[n.index] = n;
  }
  node_lookup lookup() const {
    return [this](std::uint64_t i) -> result<tree_node> { return nodes.at(i); };
  }
  std::vector<tree_node> path(std::uint64_t index) const { return block_path(lookup(), tree.length(), index).value(); }
};

}  // namespace datdot::test

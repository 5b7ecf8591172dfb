#include "crypto/merkle_tree.hpp"

#include "crypto/flat_tree.hpp"

namespace datdot {

result<merkle_tree> merkle_tree::from_roots(std::vector<tree_node> roots) {
  merkle_tree t;
  std::uint64_t length = 0;
  for (const auto& r : roots) {
    length += flat_tree::leaf_count(r.index);
    t.byte_length_ += r.size;
  }
  const auto expected = flat_tree::full_roots(length);
  if (expected.size() != roots.size())
    return make_error(errc::corrupt_data, "stored roots do not form a tree");
  for (std::size_t i = 0; i < roots.size(); ++i)
    if (roots[i].index != expected[i])
      return make_error(errc::corrupt_data, "stored root " + std::to_string(roots[i].index) +
                                                " is not root " + std::to_string(expected[i]) +
                                                " of a tree of length " + std::to_string(length));
  t.roots_ = std::move(roots);
  t.length_ = length;
  return t;
}

void merkle_tree::append(byte_view block, std::vector<tree_node>& new_nodes) {
  tree_node node = leaf_node(length_, block);
  new_nodes.push_back(node);
  // Merge while the last root is this node's left sibling (same depth, adjacent).
  while (!roots_.empty() && flat_tree::sibling(node.index) == roots_.back().index) {
    node = parent_node(roots_.back(), node);
    roots_.pop_back();
    new_nodes.push_back(node);
  }
  roots_.push_back(node);
  ++length_;
  byte_length_ += block.size();
}

result<std::vector<tree_node>> roots_at(const node_lookup& lookup, std::uint64_t length) {
  std::vector<tree_node> out;
  for (auto idx : flat_tree::full_roots(length)) {
    DATDOT_TRY(node, lookup(idx));
    out.push_back(node);
  }
  return out;
}

}  // namespace datdot

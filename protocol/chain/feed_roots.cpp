#include "protocol/chain/feed_roots.hpp"

#include "crypto/flat_tree.hpp"

namespace datdot {

chain_status check_feed_roots(const std::vector<tree_node>& roots, const feed_head& head) {
  std::uint64_t length = 0;
  for (const auto& root : roots) {
    if (!flat_tree::index_in_range(root.index)) return chain_fail(chain_errc::bad_proof, "feed root index out of range");
    length += flat_tree::leaf_count(root.index);
  }
  if (length != head.length || tree_hash(roots) != head.tree_hash)
    return chain_fail(chain_errc::bad_proof, "feed roots are not the signed tree of the head");
  return chain_ok();
}

}  // namespace datdot

#include "crypto/proof.hpp"

#include <algorithm>
#include <deque>

#include "crypto/flat_tree.hpp"

namespace datdot {

namespace ft = flat_tree;

namespace {

error mismatch(const std::string& what) { return make_error(errc::verification_failed, what); }

std::uint64_t root_containing(std::uint64_t length, std::uint64_t leaf) {
  for (auto r : ft::full_roots(length))
    if (ft::contains(r, leaf)) return r;
  return leaf;  // unreachable for leaf < 2*length; callers check bounds first
}

// The nodes an upgrade from `from_len` to `to_len` carries (SPEC 6.3, upgradeProof).
result<std::vector<tree_node>> upgrade_nodes(const node_lookup& lookup, std::uint64_t from_len,
                                             std::uint64_t to_len) {
  std::vector<tree_node> out;
  const std::uint64_t from = 2 * from_len;
  bool started = false;
  for (auto r : ft::full_roots(to_len)) {
    if (from > 0 && ft::right_span(r) < from - 1) continue;  // an old root the reader has
    if (from > 0 && !started && ft::contains(r, from - 2)) {
      started = true;
      for (std::uint64_t x = from - 2; x != r; x = ft::parent(x)) {
        const auto y = ft::sibling(x);
        if (y > from - 2) {
          DATDOT_TRY(node, lookup(y));
          out.push_back(node);
        }
      }
      continue;
    }
    started = true;
    DATDOT_TRY(node, lookup(r));
    out.push_back(node);
  }
  return out;
}

// Reader side of upgrade_nodes: roots at to_len from roots at from_len and the carried nodes.
result<std::vector<tree_node>> extend_roots(const std::vector<tree_node>& old_roots,
                                            std::uint64_t from_len, std::uint64_t to_len,
                                            const std::vector<tree_node>& nodes) {
  const auto expected_old = ft::full_roots(from_len);
  if (old_roots.size() != expected_old.size())
    return mismatch("known roots do not match the upgrade start");
  for (std::size_t i = 0; i < old_roots.size(); ++i)
    if (old_roots[i].index != expected_old[i]) return mismatch("known roots do not match the upgrade start");

  std::deque<tree_node> old(old_roots.begin(), old_roots.end());
  std::size_t next = 0;
  auto take = [&](std::uint64_t index) -> result<tree_node> {
    if (next >= nodes.size()) return mismatch("upgrade is missing node " + std::to_string(index));
    if (nodes[next].index != index)
      return mismatch("upgrade node " + std::to_string(nodes[next].index) + " where " +
                      std::to_string(index) + " was expected");
    return nodes[next++];
  };

  std::vector<tree_node> roots;
  const std::uint64_t from = 2 * from_len;
  bool started = false;
  for (auto r : ft::full_roots(to_len)) {
    if (from > 0 && ft::right_span(r) < from - 1) {
      if (old.empty() || old.front().index != r) return mismatch("upgrade drops an old root");
      roots.push_back(old.front());
      old.pop_front();
      continue;
    }
    if (from > 0 && !started && ft::contains(r, from - 2)) {
      started = true;
      if (old.empty()) return mismatch("upgrade has no old root to connect");
      tree_node cur = old.back();
      old.pop_back();
      while (cur.index != r) {
        const auto y = ft::sibling(cur.index);
        tree_node other;
        if (y > cur.index) {
          DATDOT_TRY(n, take(y));
          other = n;
        } else {
          if (old.empty() || old.back().index != y) return mismatch("upgrade cannot connect old roots");
          other = old.back();
          old.pop_back();
        }
        cur = parent_node(cur, other);
      }
      roots.push_back(cur);
      continue;
    }
    started = true;
    DATDOT_TRY(n, take(r));
    roots.push_back(n);
  }
  if (!old.empty()) return mismatch("upgrade leaves old roots unused");
  if (next != nodes.size()) return mismatch("upgrade carries unexpected extra nodes");
  return roots;
}

}  // namespace

result<std::vector<tree_node>> block_path(const node_lookup& lookup, std::uint64_t length,
                                          std::uint64_t index) {
  if (index >= length)
    return make_error(errc::out_of_range, "block " + std::to_string(index) +
                                              " is past the end of a feed of length " +
                                              std::to_string(length));
  std::vector<tree_node> out;
  const auto root = root_containing(length, 2 * index);
  for (std::uint64_t x = 2 * index; x != root; x = ft::parent(x)) {
    DATDOT_TRY(node, lookup(ft::sibling(x)));
    out.push_back(node);
  }
  return out;
}

result<feed_proof> prove_block(const node_lookup& lookup, std::uint64_t length, std::uint64_t fork,
                               std::uint64_t index, bytes value, bytes stored_signature) {
  DATDOT_TRY(path, block_path(lookup, length, index));
  const auto root = root_containing(length, 2 * index);
  upgrade_proof up{0, length, {}, {}, std::move(stored_signature)};
  for (auto r : ft::full_roots(length)) {
    if (r == root) continue;
    DATDOT_TRY(node, lookup(r));
    up.nodes.push_back(node);
  }
  return feed_proof{fork, block_proof{index, std::move(value), std::move(path)}, std::move(up)};
}

result<upgrade_proof> prove_upgrade(const node_lookup& lookup, std::uint64_t length,
                                    std::uint64_t start, std::uint64_t count,
                                    bytes stored_signature) {
  if (count == 0 || start + count > length || start + count < start)
    return make_error(errc::out_of_range, "upgrade " + std::to_string(start) + "+" +
                                              std::to_string(count) + " does not fit a feed of length " +
                                              std::to_string(length));
  DATDOT_TRY(nodes, upgrade_nodes(lookup, start, start + count));
  upgrade_proof up{start, count, std::move(nodes), {}, std::move(stored_signature)};
  if (start + count < length) {
    DATDOT_TRY(extra, upgrade_nodes(lookup, start + count, length));
    up.additional_nodes = std::move(extra);
  }
  return up;
}

namespace {

result<tree_node> root_above(tree_node cur, const std::vector<tree_node>& siblings) {
  if (!ft::index_in_range(cur.index)) return mismatch("node index is out of range");
  for (const auto& s : siblings) {
    if (!ft::index_in_range(ft::parent(cur.index))) return mismatch("proof path is too long");
    if (s.index != ft::sibling(cur.index))
      return mismatch("proof node " + std::to_string(s.index) + " is not the sibling of " +
                      std::to_string(cur.index));
    cur = parent_node(cur, s);
  }
  return cur;
}

result<void> under_trusted_root(const tree_node& root, const std::vector<tree_node>& trusted_roots,
                                const std::string& what) {
  for (const auto& r : trusted_roots)
    if (r == root) return ok;
  return mismatch(what + " does not hash to a trusted root");
}

}  // namespace

result<tree_node> root_of_block(const block_proof& block) {
  if (block.index >= ft::length_max) return mismatch("block index is out of range");
  return root_above(leaf_node(block.index, block.value), block.nodes);
}

result<verified_tree> verify_proof(const feed_proof& proof, const feed_identity& identity,
                                   const std::vector<tree_node>& known_roots) {
  if (!proof.upgrade) return mismatch("proof has no upgrade to verify a signature against");
  const auto& up = *proof.upgrade;
  if (up.length == 0 || up.start >= ft::length_max || up.length > ft::length_max - up.start)
    return mismatch("upgrade length is zero or out of range");
  const std::uint64_t upgraded = up.start + up.length;

  std::vector<tree_node> roots;
  if (proof.block) {
    if (up.start != 0) return mismatch("a block proof is only accepted with an upgrade from zero");
    if (proof.block->index >= upgraded) return mismatch("block index is past the upgraded length");
    DATDOT_TRY(block_root, root_of_block(*proof.block));
    std::size_t next = 0;
    for (auto r : ft::full_roots(upgraded)) {
      if (r == block_root.index) {
        roots.push_back(block_root);
      } else {
        if (next >= up.nodes.size() || up.nodes[next].index != r)
          return mismatch("upgrade is missing root " + std::to_string(r));
        roots.push_back(up.nodes[next++]);
      }
    }
    if (next != up.nodes.size()) return mismatch("upgrade carries unexpected extra nodes");
    if (std::none_of(roots.begin(), roots.end(), [&](const tree_node& n) { return n == block_root; }))
      return mismatch("block does not lie under a root of the upgraded tree");
  } else {
    DATDOT_TRY(r, extend_roots(known_roots, up.start, upgraded, up.nodes));
    roots = std::move(r);
  }

  std::uint64_t signed_length = upgraded;
  if (!up.additional_nodes.empty()) {
    const auto& last = up.additional_nodes.back();
    if (!ft::index_in_range(last.index)) return mismatch("additional node index is out of range");
    signed_length = ft::right_span(last.index) / 2 + 1;
    if (signed_length <= upgraded) return mismatch("additional nodes do not extend the tree");
    DATDOT_TRY(r, extend_roots(roots, upgraded, signed_length, up.additional_nodes));
    roots = std::move(r);
  }

  DATDOT_TRY(sig, identity.decode_signature(up.signature));
  if (!identity.verify_tree(tree_hash(roots), signed_length, proof.fork, sig))
    return mismatch("signature does not match the tree at length " + std::to_string(signed_length));
  return verified_tree{signed_length, std::move(roots)};
}

result<void> verify_block(const block_proof& block, const std::vector<tree_node>& trusted_roots) {
  DATDOT_TRY(root, root_of_block(block));
  return under_trusted_root(root, trusted_roots, "block " + std::to_string(block.index));
}

result<void> verify_node(const tree_node& node, const std::vector<tree_node>& siblings,
                         const std::vector<tree_node>& trusted_roots) {
  DATDOT_TRY(root, root_above(node, siblings));
  return under_trusted_root(root, trusted_roots, "node " + std::to_string(node.index));
}

}  // namespace datdot

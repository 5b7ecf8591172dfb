// Hypercore block and upgrade proofs (MerkleTree.proof / verify): a block with
// its sibling path, and an upgrade that lets a reader holding the tree at
// length `start` (zero for a fresh reader) reach the signed length.
#pragma once

#include <optional>
#include <vector>

#include "crypto/feed_identity.hpp"
#include "crypto/merkle_tree.hpp"

namespace datdot {

struct block_proof {
  std::uint64_t index = 0;
  bytes value;
  std::vector<tree_node> nodes;  // siblings, bottom-up, up to (excluding) the root over the block
  bool operator==(const block_proof&) const = default;
};

struct upgrade_proof {
  std::uint64_t start = 0;
  std::uint64_t length = 0;
  std::vector<tree_node> nodes;
  std::vector<tree_node> additional_nodes;  // from start+length up to the signed length
  bytes signature;                          // stored form (feed_identity::encode_signature)
};

struct feed_proof {
  std::uint64_t fork = 0;
  std::optional<block_proof> block;
  std::optional<upgrade_proof> upgrade;
};

// What a verified proof establishes.
struct verified_tree {
  std::uint64_t length = 0;       // the signed length
  std::vector<tree_node> roots;   // roots at that length
};

// The sibling path of block `index` up to its root in a tree of `length` blocks.
result<std::vector<tree_node>> block_path(const node_lookup& lookup, std::uint64_t length,
                                          std::uint64_t index);

// Block + upgrade from zero to the feed's current (signed) length — what a fresh reader gets.
result<feed_proof> prove_block(const node_lookup& lookup, std::uint64_t length, std::uint64_t fork,
                               std::uint64_t index, bytes value, bytes stored_signature);

// Upgrade {start, count} of a tree whose signed length is `length` (>= start + count).
result<upgrade_proof> prove_upgrade(const node_lookup& lookup, std::uint64_t length,
                                    std::uint64_t start, std::uint64_t count,
                                    bytes stored_signature);

// Rebuilds the root above a block from its value and sibling path.
result<tree_node> root_of_block(const block_proof& block);

// Verifies a proof with an upgrade against the feed's identity. `known_roots`
// are the reader's roots at upgrade->start (empty for start 0). A block in the
// proof is checked to lie in the upgraded tree. Any mismatch is an error.
result<verified_tree> verify_proof(const feed_proof& proof, const feed_identity& identity,
                                   const std::vector<tree_node>& known_roots = {});

// Verifies a block (no upgrade) against roots the reader already trusts.
result<void> verify_block(const block_proof& block, const std::vector<tree_node>& trusted_roots);
// The same for a tree node given with its siblings: proves a block's leaf
// (its hash and size) without the block's bytes.
result<void> verify_node(const tree_node& node, const std::vector<tree_node>& siblings,
                         const std::vector<tree_node>& trusted_roots);

}  // namespace datdot

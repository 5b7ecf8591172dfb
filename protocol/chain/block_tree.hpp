// The blocks a node has imported above its last finalized block, each with
// the state it produced: fork choice (the longest chain containing the last
// finalized block; ties to the lower hash, so every node with the same blocks
// agrees), ancestry, and pruning on finality. Pure: the validator owns one.
#pragma once

#include <map>
#include <memory>
#include <optional>

#include "protocol/chain/block.hpp"
#include "protocol/chain/block_execution.hpp"
#include "protocol/chain/genesis.hpp"
#include "protocol/chain/import_memo.hpp"

namespace datdot {

struct tree_entry {
  block_hash hash;
  block_hash parent;
  block_number number;
  slot_number slot;
  // After the block; never changed once applied, so finalized views share it
  // instead of copying a state that grows with every account.
  std::shared_ptr<const chain_state> state_after;
  // The header alone (a justification's ancestry names headers): the block's
  // extrinsics are in the chain store, and a simulation of thousands of
  // nodes would otherwise hold a copy of every unfinalized block per node.
  block_header header;  // empty for the root
  const chain_state& state() const { return *state_after; }
};

// Where a tree starts: a block taken as final without importing it, with the
// state after it. Genesis, or a stored snapshot of a finalized block whose
// state matched that block's state root.
struct trusted_root {
  block_hash hash;
  block_hash parent;
  block_number number;
  slot_number slot;
  std::shared_ptr<const chain_state> state;  // shared: every node of a simulation starts from one genesis
};

trusted_root root_of(const genesis& g);
// Shares the genesis's state instead of copying it (it holds every account).
trusted_root root_of(std::shared_ptr<const genesis> g);

class block_tree {
 public:
  explicit block_tree(const trusted_root& root);
  explicit block_tree(const genesis& g) : block_tree(root_of(g)) {}

  const tree_entry* find(const block_hash& h) const;
  bool contains(const block_hash& h) const { return entries_.contains(h); }
  const tree_entry& finalized() const { return entries_.at(finalized_); }
  const tree_entry& best() const { return entries_.at(best_); }
  std::size_t size() const { return entries_.size(); }

  // What importing a block gave besides its state: its events and its extrinsics' hashes.
  struct imported {
    std::vector<chain_event> events;
    std::vector<hash32> tx_hashes;
  };
  // Applies the block on its parent's state and keeps it. Errors: unknown
  // parent, a parent at or below the finalized block, a full tree, or any
  // apply_block rejection.
  chain_result<imported> import(const block& b);
  // Keeps a block its leader built on its parent here, and so already applied
  // (build_block): the same as import without applying it again.
  chain_result<imported> import_built(const block& b, applied_block applied);

  // `descendant` is `ancestor` or lies on a chain above it.
  bool descends_from(const block_hash& descendant, const block_hash& ancestor) const;
  // The head of the longest chain through `base` (base itself when it has no children).
  block_hash best_descendant(const block_hash& base) const;
  std::vector<block_hash> children_of(const block_hash& h) const;
  // The ancestor of `h` at `number` (h itself at its own number).
  std::optional<block_hash> ancestor_at(const block_hash& h, block_number number) const;

  // Makes `h` (a known descendant of the finalized block) the new root and
  // drops every block not above it.
  void finalize(const block_hash& h);

 private:
  // The block's parent, if the tree has it and room for one more.
  chain_result<const tree_entry*> room_for(const block& b) const;
  imported keep(const block& b, shared_applied_block applied);
  bool better(const tree_entry& a, const tree_entry& b) const;
  void choose_best();

  std::map<block_hash, tree_entry> entries_;
  block_hash finalized_;
  block_hash best_;
};

}  // namespace datdot

#include "protocol/chain/block_tree.hpp"

#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/import_memo.hpp"
#include "protocol/chain/invariant.hpp"

namespace datdot {

trusted_root root_of(const genesis& g) { return root_of(std::make_shared<const genesis>(g)); }

trusted_root root_of(std::shared_ptr<const genesis> g) {
  const auto* state = &g->state;
  return {g->hash, g->header.parent, block_number{0}, slot_number{0}, std::shared_ptr<const chain_state>{g, state}};
}

block_tree::block_tree(const trusted_root& root) : finalized_(root.hash), best_(root.hash) {
  DATDOT_INVARIANT(root.state != nullptr);
  entries_.emplace(root.hash, tree_entry{root.hash, root.parent, root.number, root.slot, root.state, {}});
}

const tree_entry* block_tree::find(const block_hash& h) const {
  const auto it = entries_.find(h);
  return it == entries_.end() ? nullptr : &it->second;
}

bool block_tree::better(const tree_entry& a, const tree_entry& b) const {
  if (a.number != b.number) return a.number > b.number;
  return a.hash < b.hash;
}

chain_result<const tree_entry*> block_tree::room_for(const block& b) const {
  const auto* parent = find(b.header.header.parent);
  if (!parent) return chain_fail(chain_errc::unknown_parent, "parent not in the tree");
  if (entries_.size() >= chain_limits::unfinalized_blocks_max)
    return chain_fail(chain_errc::oversize, "too many unfinalized blocks");
  return parent;
}

chain_result<block_tree::imported> block_tree::import(const block& b) {
  DATDOT_CHAIN_TRY(parent, room_for(b));
  DATDOT_CHAIN_TRY(applied, apply_block_shared(parent->state(), parent->hash, b));
  return keep(b, std::move(applied));
}

chain_result<block_tree::imported> block_tree::import_built(const block& b, applied_block applied) {
  DATDOT_CHAIN_CHECK(room_for(b));
  return keep(b, share_applied(b, std::move(applied)));
}

block_tree::imported block_tree::keep(const block& b, shared_applied_block applied) {
  const auto& h = b.header.header;
  const auto hash = hash_of(b);
  const auto [it, inserted] =
      entries_.emplace(hash, tree_entry{hash, h.parent, h.number, h.slot, std::move(applied.state), h});
  if (inserted && better(it->second, best())) best_ = hash;
  return imported{std::move(applied.events), std::move(applied.tx_hashes)};
}

bool block_tree::descends_from(const block_hash& descendant, const block_hash& ancestor) const {
  const auto* a = find(ancestor);
  if (!a) return false;
  const auto at = ancestor_at(descendant, a->number);
  return at && *at == ancestor;
}

std::optional<block_hash> block_tree::ancestor_at(const block_hash& h, block_number number) const {
  const auto* e = find(h);
  while (e && e->number > number) e = find(e->parent);
  if (!e || e->number != number) return std::nullopt;
  return e->hash;
}

std::vector<block_hash> block_tree::children_of(const block_hash& h) const {
  std::vector<block_hash> out;
  for (const auto& [hash, e] : entries_)
    if (e.parent == h && hash != finalized_) out.push_back(hash);
  return out;
}

block_hash block_tree::best_descendant(const block_hash& base) const {
  if (descends_from(best_, base)) return best_;
  const tree_entry* best = find(base);
  DATDOT_INVARIANT(best != nullptr);
  for (const auto& [hash, e] : entries_)
    if (better(e, *best) && descends_from(hash, base)) best = &e;
  return best->hash;
}

void block_tree::finalize(const block_hash& h) {
  DATDOT_INVARIANT(descends_from(h, finalized_));
  finalized_ = h;
  std::vector<block_hash> dropped;
  for (const auto& [hash, e] : entries_)
    if (!descends_from(hash, h)) dropped.push_back(hash);
  for (const auto& hash : dropped) entries_.erase(hash);
  choose_best();
}

void block_tree::choose_best() {
  best_ = finalized_;
  for (const auto& [hash, e] : entries_)
    if (better(e, best())) best_ = hash;
}

}  // namespace datdot

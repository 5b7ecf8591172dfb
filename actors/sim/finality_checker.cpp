#include "actors/sim/finality_checker.hpp"

#include "protocol/chain/invariant.hpp"

namespace datdot {
namespace {

std::string short_hex(const block_hash& h) { return to_hex(h.bytes).substr(0, 16); }

invariant_violation unreadable(sim_node_index node, const error& e) {
  return {"store_readable", node, "the chain store cannot be read: " + e.describe()};
}

}  // namespace

finality_checker::finality_checker(std::size_t nodes, const block_hash& genesis)
    : agreed_{agreed{genesis, 0}}, heights_(nodes, 0) {}

std::optional<invariant_violation> finality_checker::check(sim_node_index node, const storage::chain_store& store) {
  auto head = store.finalized();
  if (!head) return unreadable(node, head.err());
  const std::uint64_t height = *head ? (*head)->number.value : 0;
  const auto before = heights_[node];
  if (height < before)
    return invariant_violation{"finality_monotonic", node,
                               "finalized height went back from " + std::to_string(before) + " to " +
                                   std::to_string(height)};
  for (auto n = before + 1; n <= height; ++n) {
    auto hash = store.finalized_hash_at(block_number{n});
    if (!hash) return unreadable(node, hash.err());
    if (!*hash)
      return invariant_violation{"store_readable", node,
                                 "finalized height " + std::to_string(height) + " but no block at " +
                                     std::to_string(n)};
    if (auto bad = check_height(node, n, **hash)) return bad;
    heights_[node] = n;
  }
  return std::nullopt;
}

std::optional<invariant_violation> finality_checker::check_height(sim_node_index node, std::uint64_t height,
                                                                  const block_hash& hash) {
  if (height < agreed_.size()) {
    const auto& first = agreed_[height];
    if (first.hash == hash) return std::nullopt;
    return invariant_violation{"finalized_prefix_agrees", node,
                               "finalized " + short_hex(hash) + " at height " + std::to_string(height) +
                                   " where node " + std::to_string(first.node) + " finalized " +
                                   short_hex(first.hash)};
  }
  // Heights are checked in order on every node, so the next new height is always the next one.
  DATDOT_INVARIANT(height == agreed_.size());
  agreed_.push_back(agreed{hash, node});
  fresh_.push_back(first_finality{block_number{height}, hash, node});
  return std::nullopt;
}

std::vector<first_finality> finality_checker::take_first_finalities() { return std::exchange(fresh_, {}); }

}  // namespace datdot

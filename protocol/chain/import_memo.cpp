#include "protocol/chain/import_memo.hpp"

#include <atomic>

#include "crypto/blake2b.hpp"
#include "protocol/chain/block_execution.hpp"

namespace datdot {
namespace {

// The state is held weakly: the nodes' block trees keep it alive while any
// node still needs it, and the memo never holds on to states they dropped.
struct applied_entry {
  std::weak_ptr<const chain_state> state;
  std::vector<chain_event> events;
  std::vector<hash32> tx_hashes;
};

sim_memo<applied_entry>& applied() {
  static sim_memo<applied_entry> memo{import_memo_entries_max};
  return memo;
}

thread_local const known_block_digest* innermost_known = nullptr;
std::atomic<std::uint64_t> blocks_built{0};

shared_applied_block share(applied_block done, const std::optional<hash32>& key) {
  shared_applied_block out{std::make_shared<const chain_state>(std::move(done.state)), std::move(done.events),
                           std::move(done.tx_hashes)};
  if (key) applied().remember(*key, applied_entry{out.state, out.events, out.tx_hashes});
  return out;
}

std::optional<hash32> key_of(const block& b) {
  if (!sim_memo_open()) return std::nullopt;
  return known_block_digest::of(b);
}

}  // namespace

import_memo_counters import_memo_counts() noexcept {
  const auto memo = applied().counts();
  return {memo.hits, memo.misses, blocks_built.load()};
}

known_block_digest::known_block_digest(const block_hash& header, const hash32& digest) noexcept
    : header_{header}, digest_{digest}, outer_{innermost_known} {
  innermost_known = this;
}

known_block_digest::~known_block_digest() { innermost_known = outer_; }

hash32 known_block_digest::of(const block& b) {
  if (innermost_known) {
    const auto header = hash_of(b);
    for (const auto* k = innermost_known; k; k = k->outer_)
      if (k->header_ == header) return k->digest_;
  }
  return blake2b_256(encode_block(b));
}

chain_result<shared_applied_block> apply_block_shared(const chain_state& parent, const block_hash& parent_hash,
                                                      const block& b) {
  const auto key = key_of(b);
  if (key)
    if (auto known = applied().recall(*key, [](const applied_entry& e) { return !e.state.expired(); }))
      if (auto state = known->state.lock())
        return shared_applied_block{std::move(state), std::move(known->events), std::move(known->tx_hashes)};
  DATDOT_CHAIN_TRY(done, apply_block(parent, parent_hash, b));
  return share(std::move(done), key);
}

shared_applied_block share_applied(const block& b, applied_block done) {
  const auto key = key_of(b);
  if (key) ++blocks_built;
  return share(std::move(done), key);
}

}  // namespace datdot

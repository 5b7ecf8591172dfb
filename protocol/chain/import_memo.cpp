#include "protocol/chain/import_memo.hpp"

#include <algorithm>
#include <atomic>

#include "protocol/chain/block_execution.hpp"

namespace datdot {
namespace {

// The state is held weakly: the nodes' block trees keep it alive while any
// node still needs it, and the memo never holds on to states they dropped.
struct applied_entry {
  std::shared_ptr<const bytes> encoded;  // the block's, compared at each recall
  std::weak_ptr<const chain_state> state;
  std::vector<chain_event> events;
  std::vector<hash32> tx_hashes;
};

sim_memo<applied_entry>& applied() {
  static sim_memo<applied_entry> memo{import_memo_entries_max};
  return memo;
}

thread_local const known_block_bytes* innermost_known = nullptr;
std::atomic<std::uint64_t> blocks_built{0};

// A block's memo key and its encoding, while a scope is open.
struct memo_key {
  block_hash header;
  bytes made;  // the encoding, when none was known
  byte_view encoded;
};

std::optional<memo_key> key_of(const block& b) {
  if (!sim_memo_open()) return std::nullopt;
  memo_key k{hash_of(b), {}, {}};
  if (const auto known = known_block_bytes::of(k.header)) {
    k.encoded = *known;
  } else {
    k.made = encode_block(b);
    k.encoded = k.made;
  }
  return k;
}

shared_applied_block share(applied_block done, const std::optional<memo_key>& key) {
  shared_applied_block out{std::make_shared<const chain_state>(std::move(done.state)), std::move(done.events),
                           std::move(done.tx_hashes)};
  if (key)
    applied().remember(key->header.bytes,
                       applied_entry{std::make_shared<const bytes>(key->encoded.begin(), key->encoded.end()),
                                     out.state, out.events, out.tx_hashes});
  return out;
}

}  // namespace

import_memo_counters import_memo_counts() noexcept {
  const auto memo = applied().counts();
  return {memo.hits, memo.misses, blocks_built.load()};
}

known_block_bytes::known_block_bytes(const block_hash& header, byte_view encoded) noexcept
    : header_{header}, encoded_{encoded}, outer_{innermost_known} {
  innermost_known = this;
}

known_block_bytes::~known_block_bytes() { innermost_known = outer_; }

std::optional<byte_view> known_block_bytes::of(const block_hash& header) {
  for (const auto* k = innermost_known; k; k = k->outer_)
    if (k->header_ == header) return k->encoded_;
  return std::nullopt;
}

chain_result<shared_applied_block> apply_block_shared(const chain_state& parent, const block_hash& parent_hash,
                                                      const block& b) {
  const auto key = key_of(b);
  const auto same_block = [&](const applied_entry& e) {
    return !e.state.expired() && std::ranges::equal(*e.encoded, key->encoded);
  };
  if (key)
    if (auto known = applied().recall(key->header.bytes, same_block))
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

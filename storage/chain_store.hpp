// The chain at rest: every imported block (by hash, as the bytes it arrived
// in), the finalized chain by number with its justifications, the blocks not
// yet final (replayed on restart), and the transactions this node has
// acknowledged but not yet seen finalized. Each call is one durable LMDB
// transaction, so kill -9 loses nothing a call has returned from.
// Blocks and justifications are opaque bytes here: the chain's codecs
// (protocol/chain) decode and check them. A store opened with shared values
// (shared_values.hpp: a simulation's) keeps blocks, events, snapshots and
// justifications there and only their keys in LMDB. All records live in one
// LMDB database, each kind under a key prefix (chain_store.cpp).
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "protocol/chain/chain_ids.hpp"
#include "storage/lmdb_env.hpp"
#include "storage/shared_values.hpp"

namespace datdot::storage {

struct stored_block_ref {
  block_hash hash;
  block_number number;
  block_hash parent;
  friend bool operator==(const stored_block_ref&, const stored_block_ref&) = default;
};

struct finalized_head {
  block_hash hash;
  block_number number;
  friend bool operator==(const finalized_head&, const finalized_head&) = default;
};

class chain_store {
 public:
  static result<chain_store> open(environment& env, std::shared_ptr<shared_values> shared = nullptr);

  // Stores a block that passed import checks; it stays "unfinalized" until finalize().
  result<void> put_block(const stored_block_ref& ref, byte_view encoded) const;
  result<std::optional<bytes>> block(const block_hash& hash) const;

  // Marks `path` (ascending numbers, each the parent of the next, starting right
  // after the current finalized head) final, with the justification of its last
  // block, in one transaction with what finality makes durable beside it:
  // each block's events (empty, or one entry per block of `path`) and,
  // optionally, a snapshot of the state after the last block.
  result<void> finalize(const std::vector<stored_block_ref>& path, byte_view justification,
                        const std::vector<bytes>& block_events = {}, byte_view state_snapshot = {}) const;
  // The same, with the events and snapshot made only when this store needs
  // them: with shared values, once for every store (the others find them).
  struct finality_record {
    std::function<bytes(std::size_t)> block_events;  // of path[i], empty: none; null: no events at all
    std::function<bytes()> state_snapshot;           // null: no snapshot
  };
  result<void> finalize(const std::vector<stored_block_ref>& path, byte_view justification,
                        const finality_record& made) const;
  result<std::optional<finalized_head>> finalized() const;
  result<std::optional<block_hash>> finalized_hash_at(block_number number) const;
  result<std::optional<bytes>> justification(const block_hash& hash) const;
  // The events of finalized blocks from `from` on, ascending, at most `blocks_max` blocks.
  result<std::vector<std::pair<block_number, bytes>>> events(block_number from, std::size_t blocks_max) const;
  // The newest state snapshot: the finalized block it follows and the state's bytes.
  result<std::optional<std::pair<finalized_head, bytes>>> snapshot() const;
  // Imported blocks above the finalized head, ascending by number: replayed on restart.
  result<std::vector<stored_block_ref>> unfinalized() const;

  // This validator's own finality votes, written before they are sent, so a
  // restarted voter casts the same votes again instead of signing others
  // (which would be a double vote). Keyed by (set, round, kind); each write
  // drops older sets and rounds more than `rounds_kept` below its own.
  result<void> put_own_vote(std::uint64_t set, std::uint64_t round, std::uint8_t kind, byte_view encoded,
                            std::uint64_t rounds_kept) const;
  result<std::vector<bytes>> own_votes() const;  // ascending by (set, round, kind)

  // The transaction pool's durable copy: acknowledged transactions survive a crash.
  result<void> pool_put(const hash32& tx_hash, byte_view encoded) const;
  result<void> pool_remove(const std::vector<hash32>& tx_hashes) const;
  result<std::vector<bytes>> pool() const;

 private:
  result<std::vector<bytes>> values_of(byte table) const;  // in key order
  // With shared values: the bytes a stored key names.
  result<bytes> shared(shared_values::kind k, byte_view key) const;
  // A value read from LMDB as the caller gets it: its bytes, or with shared values those its key names.
  result<std::optional<bytes>> value_of(const std::optional<byte_view>& stored, shared_values::kind k,
                                        byte_view key) const;
  chain_store(environment& env, std::shared_ptr<shared_values> shared, dbi records)
      : env_(&env), shared_(std::move(shared)), records_(records) {}
  environment* env_;
  std::shared_ptr<shared_values> shared_;
  dbi records_;
};

}  // namespace datdot::storage

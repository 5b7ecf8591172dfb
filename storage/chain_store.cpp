#include "storage/chain_store.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <span>
#include <string_view>
#include <utility>

namespace datdot::storage {

namespace {

// The chain's records share one LMDB database, each kind under a one-byte
// prefix of its keys. An import and a finality each write several kinds:
// with a database for each kind, every such transaction also looked up and
// rewrote the record of each database it touched and copied more pages; a
// simulation's 10,000 stores each run two of them a block, and that pair,
// timed on 3,000 stores, took 15.1-16.8 µs with a database for each kind
// and 10.7-14.2 µs with one.
namespace table {
constexpr byte blocks = 'b', numbers = 'n', justifications = 'j', pending = 'p', pool = 'o', meta = 'm',
               own_votes = 'v', events = 'e';
}  // namespace table

// Before that each kind had a database of its own: a store of that layout
// is moved into the shared database when it is opened. Such a store has all
// of them (each open created any that were missing), so the first tells.
constexpr std::array<std::pair<std::string_view, byte>, 8> separate_databases{{
    {"chain_blocks", table::blocks},
    {"chain_numbers", table::numbers},
    {"chain_justifications", table::justifications},
    {"chain_pending", table::pending},
    {"chain_pool", table::pool},
    {"chain_meta", table::meta},
    {"chain_own_votes", table::own_votes},
    {"chain_events", table::events},
}};

bytes key_in(byte t, byte_view key) {
  bytes out;
  out.reserve(1 + key.size());
  out.push_back(t);
  out.insert(out.end(), key.begin(), key.end());
  return out;
}

result<std::optional<byte_view>> get(const read_txn& txn, dbi db, byte t, byte_view key) {
  return txn.get(db, key_in(t, key));
}
result<void> put(write_txn& txn, dbi db, byte t, byte_view key, byte_view value) {
  return txn.put(db, key_in(t, key), value);
}
result<bool> erase(write_txn& txn, dbi db, byte t, byte_view key) { return txn.erase(db, key_in(t, key)); }
result<void> del(write_txn& txn, dbi db, byte t, byte_view key) { return txn.del(db, key_in(t, key)); }
// The records of one kind from `from` on, their keys without the prefix.
result<void> for_each(const read_txn& txn, dbi db, byte t, byte_view from,
                      const std::function<bool(byte_view, byte_view)>& fn) {
  return txn.for_each(db, key_in(t, from), [&](byte_view key, byte_view value) {
    if (key.empty() || key.front() != t) return false;
    return fn(key.subspan(1), value);
  });
}

result<void> move_separate_databases(environment& env, dbi records) {
  DATDOT_TRY(first, env.existing_db(separate_databases.front().first));
  if (!first) return ok;
  std::vector<std::pair<dbi, byte>> found{{*first, separate_databases.front().second}};
  for (const auto& [name, t] : std::span{separate_databases}.subspan(1)) {
    DATDOT_TRY(db, env.existing_db(name));
    if (db) found.emplace_back(*db, t);
  }
  return env.update([&](write_txn& txn) -> result<void> {
    for (const auto& separate : found) {
      std::vector<std::pair<bytes, bytes>> moved;
      DATDOT_CHECK(txn.for_each(separate.first, {}, [&](byte_view key, byte_view value) {
        moved.emplace_back(key_in(separate.second, key), bytes(value.begin(), value.end()));
        return true;
      }));
      for (const auto& [key, value] : moved) DATDOT_CHECK(txn.put(records, key, value));
      DATDOT_CHECK(txn.remove(separate.first));
    }
    return ok;
  });
}

const std::string_view finalized_key = "finalized";
const std::string_view snapshot_key = "snapshot";  // number (8) || hash (32) || state bytes (none when shared)

std::array<byte, 8> be64(std::uint64_t v) {
  std::array<byte, 8> out;
  for (int i = 0; i < 8; ++i) out[i] = static_cast<byte>(v >> (56 - 8 * i));
  return out;
}
std::uint64_t read_be64(const byte* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

// pending value and finalized meta: number (8, big-endian) || hash or parent (32)
std::array<byte, 40> number_and_hash(block_number n, const block_hash& h) {
  std::array<byte, 40> out;
  const auto nb = be64(n.value);
  std::copy(nb.begin(), nb.end(), out.begin());
  std::copy(h.bytes.begin(), h.bytes.end(), out.begin() + 8);
  return out;
}

result<std::pair<block_number, block_hash>> split_number_and_hash(byte_view v, const char* what) {
  if (v.size() != 40) return make_error(errc::corrupt_data, std::string{"malformed "} + what + " record");
  block_hash h;
  std::copy(v.begin() + 8, v.end(), h.bytes.begin());
  return std::pair{block_number{read_be64(v.data())}, h};
}

std::optional<bytes> copy_of(const std::optional<byte_view>& v) {
  if (!v) return std::nullopt;
  return bytes(v->begin(), v->end());
}

}  // namespace

result<chain_store> chain_store::open(environment& env, std::shared_ptr<shared_values> shared) {
  DATDOT_TRY(records, env.open_db("chain"));
  DATDOT_CHECK(move_separate_databases(env, records));
  return chain_store{env, std::move(shared), records};
}

result<bytes> chain_store::shared(shared_values::kind k, byte_view key) const {
  hash32 h;
  if (key.size() != h.size()) return make_error(errc::corrupt_data, "malformed shared value key");
  std::copy(key.begin(), key.end(), h.begin());
  const auto value = shared_->find(k, h);
  if (!value) return make_error(errc::corrupt_data, "a stored key names no shared value (a store outlived its process?)");
  return *value;
}

result<std::optional<bytes>> chain_store::value_of(const std::optional<byte_view>& stored, shared_values::kind k,
                                                   byte_view key) const {
  if (!stored || !shared_) return copy_of(stored);
  DATDOT_TRY(value, shared(k, key));
  return std::optional<bytes>{std::move(value)};
}

result<void> chain_store::put_block(const stored_block_ref& ref, byte_view encoded) const {
  if (shared_) shared_->put(shared_values::kind::block, ref.hash.bytes, encoded);
  return env_->update([&](write_txn& txn) -> result<void> {
    DATDOT_CHECK(put(txn, records_, table::blocks, ref.hash.bytes, shared_ ? byte_view{} : encoded));
    return put(txn, records_, table::pending, ref.hash.bytes, number_and_hash(ref.number, ref.parent));
  });
}

result<std::optional<bytes>> chain_store::block(const block_hash& hash) const {
  std::optional<bytes> out;
  DATDOT_CHECK(env_->view([&](read_txn& txn) -> result<void> {
    DATDOT_TRY(v, get(txn, records_, table::blocks, hash.bytes));
    DATDOT_TRY(value, value_of(v, shared_values::kind::block, hash.bytes));
    out = std::move(value);
    return ok;
  }));
  return out;
}

result<void> chain_store::finalize(const std::vector<stored_block_ref>& path, byte_view justification,
                                   const std::vector<bytes>& block_events, byte_view state_snapshot) const {
  if (!block_events.empty() && block_events.size() != path.size())
    return make_error(errc::invalid_argument, "finalize wants the events of every block or of none");
  finality_record made;
  if (!block_events.empty()) made.block_events = [&](std::size_t i) { return block_events[i]; };
  if (!state_snapshot.empty()) made.state_snapshot = [&] { return bytes(state_snapshot.begin(), state_snapshot.end()); };
  return finalize(path, justification, made);
}

result<void> chain_store::finalize(const std::vector<stored_block_ref>& path, byte_view justification,
                                   const finality_record& made) const {
  if (path.empty()) return make_error(errc::invalid_argument, "finalize needs at least one block");
  for (std::size_t i = 1; i < path.size(); ++i)
    if (path[i].parent != path[i - 1].hash || path[i].number.value != path[i - 1].number.value + 1)
      return make_error(errc::invalid_argument, "finalized path is not a chain");
  const auto& last = path.back();
  // What goes into LMDB: the bytes, or with shared values the keys that name them there (made only if missing).
  std::vector<std::optional<bytes>> events(path.size());  // per block; none: no events
  std::optional<bytes> snapshot;                          // after the head in the snapshot record
  bytes justification_value(justification.begin(), justification.end());
  for (std::size_t i = 0; i < path.size() && made.block_events; ++i) {
    const auto& key = path[i].hash.bytes;
    if (!shared_) {
      if (auto b = made.block_events(i); !b.empty()) events[i] = std::move(b);
      continue;
    }
    if (!shared_->find(shared_values::kind::block_events, key)) {
      const auto b = made.block_events(i);
      if (b.empty()) continue;
      shared_->put(shared_values::kind::block_events, key, b);
    }
    events[i] = bytes(key.begin(), key.end());
  }
  if (made.state_snapshot) {
    snapshot = shared_ ? bytes{} : made.state_snapshot();
    if (shared_ && !shared_->find(shared_values::kind::state_snapshot, last.hash.bytes))
      shared_->put(shared_values::kind::state_snapshot, last.hash.bytes, made.state_snapshot());
  }
  if (shared_) {
    // Nodes may hold different justifications of one block: these are named by their bytes.
    const auto key = shared_->put_named(shared_values::kind::justification, justification);
    justification_value.assign(key.begin(), key.end());
  }
  return env_->update([&](write_txn& txn) -> result<void> {
    DATDOT_TRY(head_raw, get(txn, records_, table::meta, as_bytes(finalized_key)));
    if (head_raw) {
      DATDOT_TRY(head, split_number_and_hash(*head_raw, "finalized head"));
      if (path.front().parent != head.second || path.front().number.value != head.first.value + 1)
        return make_error(errc::invalid_argument, "finalized path does not extend the finalized head");
    } else if (path.front().number.value != 0) {
      return make_error(errc::invalid_argument, "the first finalized block must be genesis");
    }
    for (std::size_t i = 0; i < path.size(); ++i) {
      const auto& ref = path[i];
      // Every block stored and not yet final has its pending entry (put_block),
      // so that entry says it was stored without a look into the blocks.
      DATDOT_TRY(stored, erase(txn, records_, table::pending, ref.hash.bytes));
      if (!stored) return make_error(errc::not_found, "finalizing a block that was never stored");
      DATDOT_CHECK(put(txn, records_, table::numbers, be64(ref.number.value), ref.hash.bytes));
      if (events[i]) DATDOT_CHECK(put(txn, records_, table::events, be64(ref.number.value), *events[i]));
    }
    if (snapshot) {
      const auto head = number_and_hash(last.number, last.hash);
      bytes value(head.begin(), head.end());
      value.insert(value.end(), snapshot->begin(), snapshot->end());
      DATDOT_CHECK(put(txn, records_, table::meta, as_bytes(snapshot_key), value));
    }
    DATDOT_CHECK(put(txn, records_, table::justifications, last.hash.bytes, justification_value));
    // Blocks on forks that lost to the new finalized chain can never become final.
    std::vector<hash32> stale;
    DATDOT_CHECK(for_each(txn, records_, table::pending, {}, [&](byte_view key, byte_view value) {
      if (value.size() == 40 && read_be64(value.data()) <= last.number.value) {
        stale.emplace_back();
        std::copy(key.begin(), key.end(), stale.back().begin());
      }
      return true;
    }));
    for (const auto& h : stale) {
      DATDOT_CHECK(del(txn, records_, table::pending, h));
      DATDOT_CHECK(del(txn, records_, table::blocks, h));
    }
    return put(txn, records_, table::meta, as_bytes(finalized_key), number_and_hash(last.number, last.hash));
  });
}

result<std::optional<finalized_head>> chain_store::finalized() const {
  std::optional<finalized_head> out;
  DATDOT_CHECK(env_->view([&](read_txn& txn) -> result<void> {
    DATDOT_TRY(raw, get(txn, records_, table::meta, as_bytes(finalized_key)));
    if (!raw) return ok;
    DATDOT_TRY(head, split_number_and_hash(*raw, "finalized head"));
    out = finalized_head{head.second, head.first};
    return ok;
  }));
  return out;
}

result<std::optional<block_hash>> chain_store::finalized_hash_at(block_number number) const {
  std::optional<block_hash> out;
  DATDOT_CHECK(env_->view([&](read_txn& txn) -> result<void> {
    DATDOT_TRY(raw, get(txn, records_, table::numbers, be64(number.value)));
    if (!raw) return ok;
    if (raw->size() != 32) return make_error(errc::corrupt_data, "malformed block number index");
    block_hash h;
    std::copy(raw->begin(), raw->end(), h.bytes.begin());
    out = h;
    return ok;
  }));
  return out;
}

result<std::optional<bytes>> chain_store::justification(const block_hash& hash) const {
  std::optional<bytes> out;
  DATDOT_CHECK(env_->view([&](read_txn& txn) -> result<void> {
    DATDOT_TRY(v, get(txn, records_, table::justifications, hash.bytes));
    DATDOT_TRY(value, value_of(v, shared_values::kind::justification, v ? *v : byte_view{}));
    out = std::move(value);
    return ok;
  }));
  return out;
}

result<std::vector<std::pair<block_number, bytes>>> chain_store::events(block_number from,
                                                                         std::size_t blocks_max) const {
  std::vector<std::pair<block_number, bytes>> out;
  result<void> status = ok;
  DATDOT_CHECK(env_->view([&](read_txn& txn) {
    return for_each(txn, records_, table::events, be64(from.value), [&](byte_view key, byte_view value) {
      if (key.size() != 8) return false;
      if (!shared_) {
        out.emplace_back(block_number{read_be64(key.data())}, bytes(value.begin(), value.end()));
        return out.size() < blocks_max;
      }
      auto events = shared(shared_values::kind::block_events, value);
      if (!events) {
        status = events.err();
        return false;
      }
      out.emplace_back(block_number{read_be64(key.data())}, std::move(*events));
      return out.size() < blocks_max;
    });
  }));
  DATDOT_CHECK(status);
  return out;
}

result<std::optional<std::pair<finalized_head, bytes>>> chain_store::snapshot() const {
  std::optional<std::pair<finalized_head, bytes>> out;
  DATDOT_CHECK(env_->view([&](read_txn& txn) -> result<void> {
    DATDOT_TRY(raw, get(txn, records_, table::meta, as_bytes(snapshot_key)));
    if (!raw) return ok;
    if (raw->size() < 40) return make_error(errc::corrupt_data, "malformed state snapshot record");
    DATDOT_TRY(head, split_number_and_hash(raw->first(40), "state snapshot"));
    if (shared_) {
      DATDOT_TRY(state, shared(shared_values::kind::state_snapshot, head.second.bytes));
      out.emplace(finalized_head{head.second, head.first}, std::move(state));
      return ok;
    }
    out.emplace(finalized_head{head.second, head.first}, bytes(raw->begin() + 40, raw->end()));
    return ok;
  }));
  return out;
}

result<std::vector<stored_block_ref>> chain_store::unfinalized() const {
  std::vector<stored_block_ref> out;
  DATDOT_CHECK(env_->view([&](read_txn& txn) -> result<void> {
    result<void> status = ok;
    DATDOT_CHECK(for_each(txn, records_, table::pending, {}, [&](byte_view key, byte_view value) {
      auto parsed = split_number_and_hash(value, "pending block");
      if (!parsed || key.size() != 32) {
        status = make_error(errc::corrupt_data, "malformed pending block record");
        return false;
      }
      stored_block_ref ref{{}, parsed->first, parsed->second};
      std::copy(key.begin(), key.end(), ref.hash.bytes.begin());
      out.push_back(ref);
      return true;
    }));
    return status;
  }));
  std::sort(out.begin(), out.end(), [](const stored_block_ref& a, const stored_block_ref& b) {
    return a.number != b.number ? a.number < b.number : a.hash < b.hash;
  });
  return out;
}

result<void> chain_store::put_own_vote(std::uint64_t set, std::uint64_t round, std::uint8_t kind, byte_view encoded,
                                       std::uint64_t rounds_kept) const {
  // key: set (8, big-endian) || round (8, big-endian) || kind: ascending in LMDB's order
  std::array<byte, 17> key;
  const auto s = be64(set), r = be64(round);
  std::copy(s.begin(), s.end(), key.begin());
  std::copy(r.begin(), r.end(), key.begin() + 8);
  key[16] = kind;
  return env_->update([&](write_txn& txn) -> result<void> {
    std::vector<bytes> stale;
    DATDOT_CHECK(for_each(txn, records_, table::own_votes, {}, [&](byte_view k, byte_view) {
      if (k.size() != key.size() || read_be64(k.data()) < set ||
          (read_be64(k.data()) == set && read_be64(k.data() + 8) + rounds_kept < round))
        stale.emplace_back(k.begin(), k.end());
      return true;
    }));
    for (const auto& k : stale) DATDOT_CHECK(del(txn, records_, table::own_votes, k));
    return put(txn, records_, table::own_votes, key, encoded);
  });
}

result<std::vector<bytes>> chain_store::own_votes() const { return values_of(table::own_votes); }

result<void> chain_store::pool_put(const hash32& tx_hash, byte_view encoded) const {
  return env_->update([&](write_txn& txn) { return put(txn, records_, table::pool, tx_hash, encoded); });
}

result<void> chain_store::pool_remove(const std::vector<hash32>& tx_hashes) const {
  return env_->update([&](write_txn& txn) -> result<void> {
    for (const auto& h : tx_hashes) DATDOT_CHECK(del(txn, records_, table::pool, h));
    return ok;
  });
}

result<std::vector<bytes>> chain_store::pool() const { return values_of(table::pool); }

result<std::vector<bytes>> chain_store::values_of(byte t) const {
  std::vector<bytes> out;
  DATDOT_CHECK(env_->view([&](read_txn& txn) {
    return for_each(txn, records_, t, {}, [&](byte_view, byte_view value) {
      out.emplace_back(value.begin(), value.end());
      return true;
    });
  }));
  return out;
}

}  // namespace datdot::storage

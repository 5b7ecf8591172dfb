#include "storage/chain_store.hpp"

#include <algorithm>

#include "crypto/blake2b.hpp"

namespace datdot::storage {

namespace {

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
  DATDOT_TRY(blocks, env.open_db("chain_blocks"));
  DATDOT_TRY(numbers, env.open_db("chain_numbers"));
  DATDOT_TRY(justifications, env.open_db("chain_justifications"));
  DATDOT_TRY(pending, env.open_db("chain_pending"));
  DATDOT_TRY(pool, env.open_db("chain_pool"));
  DATDOT_TRY(meta, env.open_db("chain_meta"));
  DATDOT_TRY(own_votes, env.open_db("chain_own_votes"));
  DATDOT_TRY(events, env.open_db("chain_events"));
  return chain_store{env, std::move(shared), blocks, numbers, justifications, pending, pool, meta, own_votes, events};
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
    DATDOT_CHECK(txn.put(blocks_, ref.hash.bytes, shared_ ? byte_view{} : encoded));
    return txn.put(pending_, ref.hash.bytes, number_and_hash(ref.number, ref.parent));
  });
}

result<std::optional<bytes>> chain_store::block(const block_hash& hash) const {
  std::optional<bytes> out;
  DATDOT_CHECK(env_->view([&](read_txn& txn) -> result<void> {
    DATDOT_TRY(v, txn.get(blocks_, hash.bytes));
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
    const auto key = blake2b_256(justification);
    shared_->put(shared_values::kind::justification, key, justification);
    justification_value.assign(key.begin(), key.end());
  }
  return env_->update([&](write_txn& txn) -> result<void> {
    DATDOT_TRY(head_raw, txn.get(meta_, as_bytes(finalized_key)));
    if (head_raw) {
      DATDOT_TRY(head, split_number_and_hash(*head_raw, "finalized head"));
      if (path.front().parent != head.second || path.front().number.value != head.first.value + 1)
        return make_error(errc::invalid_argument, "finalized path does not extend the finalized head");
    } else if (path.front().number.value != 0) {
      return make_error(errc::invalid_argument, "the first finalized block must be genesis");
    }
    for (std::size_t i = 0; i < path.size(); ++i) {
      const auto& ref = path[i];
      DATDOT_TRY(present, txn.get(blocks_, ref.hash.bytes));
      if (!present) return make_error(errc::not_found, "finalizing a block that was never stored");
      DATDOT_CHECK(txn.put(numbers_, be64(ref.number.value), ref.hash.bytes));
      DATDOT_CHECK(txn.del(pending_, ref.hash.bytes));
      if (events[i]) DATDOT_CHECK(txn.put(events_, be64(ref.number.value), *events[i]));
    }
    if (snapshot) {
      const auto head = number_and_hash(last.number, last.hash);
      bytes value(head.begin(), head.end());
      value.insert(value.end(), snapshot->begin(), snapshot->end());
      DATDOT_CHECK(txn.put(meta_, as_bytes(snapshot_key), value));
    }
    DATDOT_CHECK(txn.put(justifications_, last.hash.bytes, justification_value));
    // Blocks on forks that lost to the new finalized chain can never become final.
    std::vector<hash32> stale;
    DATDOT_CHECK(txn.for_each(pending_, {}, [&](byte_view key, byte_view value) {
      if (value.size() == 40 && read_be64(value.data()) <= last.number.value) {
        stale.emplace_back();
        std::copy(key.begin(), key.end(), stale.back().begin());
      }
      return true;
    }));
    for (const auto& h : stale) {
      DATDOT_CHECK(txn.del(pending_, h));
      DATDOT_CHECK(txn.del(blocks_, h));
    }
    return txn.put(meta_, as_bytes(finalized_key), number_and_hash(last.number, last.hash));
  });
}

result<std::optional<finalized_head>> chain_store::finalized() const {
  std::optional<finalized_head> out;
  DATDOT_CHECK(env_->view([&](read_txn& txn) -> result<void> {
    DATDOT_TRY(raw, txn.get(meta_, as_bytes(finalized_key)));
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
    DATDOT_TRY(raw, txn.get(numbers_, be64(number.value)));
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
    DATDOT_TRY(v, txn.get(justifications_, hash.bytes));
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
    return txn.for_each(events_, be64(from.value), [&](byte_view key, byte_view value) {
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
    DATDOT_TRY(raw, txn.get(meta_, as_bytes(snapshot_key)));
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
    DATDOT_CHECK(txn.for_each(pending_, {}, [&](byte_view key, byte_view value) {
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
    DATDOT_CHECK(txn.for_each(own_votes_, {}, [&](byte_view k, byte_view) {
      if (k.size() != key.size() || read_be64(k.data()) < set ||
          (read_be64(k.data()) == set && read_be64(k.data() + 8) + rounds_kept < round))
        stale.emplace_back(k.begin(), k.end());
      return true;
    }));
    for (const auto& k : stale) DATDOT_CHECK(txn.del(own_votes_, k));
    return txn.put(own_votes_, key, encoded);
  });
}

result<std::vector<bytes>> chain_store::own_votes() const { return values_of(own_votes_); }

result<void> chain_store::pool_put(const hash32& tx_hash, byte_view encoded) const {
  return env_->update([&](write_txn& txn) { return txn.put(pool_, tx_hash, encoded); });
}

result<void> chain_store::pool_remove(const std::vector<hash32>& tx_hashes) const {
  return env_->update([&](write_txn& txn) -> result<void> {
    for (const auto& h : tx_hashes) DATDOT_CHECK(txn.del(pool_, h));
    return ok;
  });
}

result<std::vector<bytes>> chain_store::pool() const { return values_of(pool_); }

result<std::vector<bytes>> chain_store::values_of(dbi db) const {
  std::vector<bytes> out;
  DATDOT_CHECK(env_->view([&](read_txn& txn) {
    return txn.for_each(db, {}, [&](byte_view, byte_view value) {
      out.emplace_back(value.begin(), value.end());
      return true;
    });
  }));
  return out;
}

}  // namespace datdot::storage

#include "storage/replica_store.hpp"

#include <algorithm>

namespace datdot::storage {

namespace {

constexpr byte head_format_version = 1;
constexpr std::size_t head_fixed_size = 1 + 1 + 32 + 8 + 32;  // then the encoder key, to the end
constexpr std::size_t node_value_size = 8 + 32;
constexpr std::size_t id_size = 32 + 4;
constexpr std::size_t indexed_key_size = id_size + 8;

using id_key = std::array<byte, id_size>;
using indexed_key = std::array<byte, indexed_key_size>;

id_key key_of(const replica_id& id) {
  id_key k;
  std::copy(id.feed.begin(), id.feed.end(), k.begin());
  for (int i = 0; i < 4; ++i) k[32 + i] = static_cast<byte>(id.slot >> (24 - 8 * i));
  return k;
}

replica_id id_of(byte_view key) {
  replica_id id;
  std::copy_n(key.begin(), 32, id.feed.begin());
  for (int i = 0; i < 4; ++i) id.slot = (id.slot << 8) | key[32 + i];
  return id;
}

indexed_key key_at(const replica_id& id, std::uint64_t index) {
  indexed_key k;
  const auto prefix = key_of(id);
  std::copy(prefix.begin(), prefix.end(), k.begin());
  for (int i = 0; i < 8; ++i) k[id_size + i] = static_cast<byte>(index >> (56 - 8 * i));
  return k;
}

bytes encode_head(const replica_head& h) {
  bytes out;
  out.reserve(head_fixed_size + h.encoder_key.size());
  out.push_back(head_format_version);
  out.push_back(static_cast<byte>(h.codec));
  out.insert(out.end(), h.key.begin(), h.key.end());
  put_u64le(out, h.length);
  out.insert(out.end(), h.tree_hash.begin(), h.tree_hash.end());
  out.insert(out.end(), h.encoder_key.begin(), h.encoder_key.end());
  return out;
}

// The codec byte and the encoder key are checked by make_unsealer when a replica is opened.
result<replica_head> decode_head(byte_view in) {
  if (in.size() <= head_fixed_size || in[0] != head_format_version)
    return make_error(errc::corrupt_data, "replica head record is malformed");
  replica_head h;
  h.codec = static_cast<seal_codec_id>(in[1]);
  std::copy_n(in.begin() + 2, 32, h.key.begin());
  h.length = get_u64le(in.data() + 34);
  std::copy_n(in.begin() + 42, 32, h.tree_hash.begin());
  h.encoder_key.assign(in.begin() + head_fixed_size, in.end());
  return h;
}

std::string at_index(const char* what, std::uint64_t index) {
  return std::string{what} + " " + std::to_string(index);
}

result<void> one_size_per_block(std::span<const bytes> sealed, std::span<const std::uint64_t> plain_sizes) {
  if (sealed.size() == plain_sizes.size()) return ok;
  return make_error(errc::invalid_argument, std::to_string(sealed.size()) + " sealed blocks but " +
                                                std::to_string(plain_sizes.size()) + " plain sizes");
}

// Reads the record of block or node `index` and decodes it while the transaction still holds it.
template <class T>
result<T> read_at(const environment& env, dbi db, const replica_id& id, std::uint64_t index, const char* what,
                  const std::function<result<T>(byte_view)>& decode) {
  std::optional<T> out;
  DATDOT_CHECK(env.view([&](read_txn& txn) -> result<void> {
    DATDOT_TRY(raw, txn.get(db, key_at(id, index)));
    if (!raw) return make_error(errc::not_found, "no stored " + at_index(what, index));
    DATDOT_TRY(value, decode(*raw));
    out = std::move(value);
    return ok;
  }));
  return std::move(*out);
}

}  // namespace

result<replica_store> replica_store::open(environment& env) {
  DATDOT_TRY(heads, env.open_db("replica_heads"));
  DATDOT_TRY(blocks, env.open_db("replica_blocks"));
  DATDOT_TRY(sizes, env.open_db("replica_plain_sizes"));
  DATDOT_TRY(nodes, env.open_db("replica_nodes"));
  return replica_store{env, heads, blocks, sizes, nodes};
}

result<std::optional<replica_head>> replica_store::head(const replica_id& id) const {
  std::optional<replica_head> out;
  DATDOT_CHECK(env_->view([&](read_txn& txn) -> result<void> {
    DATDOT_TRY(raw, txn.get(heads_, key_of(id)));
    if (!raw) return ok;
    DATDOT_TRY(h, decode_head(*raw));
    out = std::move(h);
    return ok;
  }));
  return out;
}

result<std::vector<replica_id>> replica_store::list() const {
  std::vector<replica_id> out;
  DATDOT_CHECK(env_->view([&](read_txn& txn) {
    return txn.for_each(heads_, {}, [&](byte_view key, byte_view) {
      if (key.size() == id_size) out.push_back(id_of(key));
      return true;
    });
  }));
  return out;
}

result<bytes> replica_store::sealed(const replica_id& id, std::uint64_t index) const {
  return read_at<bytes>(*env_, blocks_, id, index, "sealed block", [](byte_view raw) -> result<bytes> {
    return bytes(raw.begin(), raw.end());
  });
}

result<std::uint64_t> replica_store::plain_size(const replica_id& id, std::uint64_t index) const {
  return read_at<std::uint64_t>(*env_, sizes_, id, index, "plain size of block",
                                [&](byte_view raw) -> result<std::uint64_t> {
    if (raw.size() != 8) return make_error(errc::corrupt_data, at_index("malformed plain size of block", index));
    return get_u64le(raw.data());
  });
}

result<tree_node> replica_store::node(const replica_id& id, std::uint64_t index) const {
  return read_at<tree_node>(*env_, nodes_, id, index, "replica tree node", [&](byte_view raw) -> result<tree_node> {
    if (raw.size() != node_value_size)
      return make_error(errc::corrupt_data, at_index("malformed replica tree node", index));
    tree_node out;
    out.index = index;
    out.size = get_u64le(raw.data());
    std::copy_n(raw.begin() + 8, 32, out.hash.begin());
    return out;
  });
}

result<void> replica_store::write(const replica_id& id, std::optional<std::uint64_t> length_before,
                                  std::span<const bytes> sealed, std::span<const std::uint64_t> plain_sizes,
                                  const std::vector<tree_node>& nodes, const replica_head& head) const {
  DATDOT_CHECK(one_size_per_block(sealed, plain_sizes));
  const auto head_key = key_of(id);
  return env_->update([&](write_txn& txn) -> result<void> {
    DATDOT_TRY(stored, txn.get(heads_, head_key));
    if (!length_before && stored) return make_error(errc::already_exists, "a replica with this id exists already");
    if (length_before && !stored) return make_error(errc::not_found, "the replica was erased");
    if (length_before) {
      DATDOT_TRY(current, decode_head(*stored));
      if (current.length != *length_before)
        return make_error(errc::invalid_argument, "the replica grew to length " + std::to_string(current.length) +
                                                      " since this handle was opened");
    }
    const std::uint64_t first = length_before.value_or(0);
    bytes value;
    for (std::size_t i = 0; i < sealed.size(); ++i) {
      const auto key = key_at(id, first + i);
      DATDOT_CHECK(txn.put(blocks_, key, sealed[i]));
      value.clear();
      put_u64le(value, plain_sizes[i]);
      DATDOT_CHECK(txn.put(sizes_, key, value));
    }
    for (const auto& n : nodes) {
      value.clear();
      put_u64le(value, n.size);
      value.insert(value.end(), n.hash.begin(), n.hash.end());
      DATDOT_CHECK(txn.put(nodes_, key_at(id, n.index), value));
    }
    return txn.put(heads_, head_key, encode_head(head));
  });
}

result<void> replica_store::erase(const replica_id& id) const {
  const auto prefix = key_of(id);
  return env_->update([&](write_txn& txn) -> result<void> {
    for (auto db : {blocks_, sizes_, nodes_}) {
      std::vector<indexed_key> keys;
      DATDOT_CHECK(txn.for_each(db, prefix, [&](byte_view key, byte_view) {
        if (key.size() != indexed_key_size || !std::equal(prefix.begin(), prefix.end(), key.begin())) return false;
        keys.emplace_back();
        std::copy(key.begin(), key.end(), keys.back().begin());
        return true;
      }));
      for (const auto& k : keys) DATDOT_CHECK(txn.del(db, k));
    }
    return txn.del(heads_, prefix);
  });
}

result<replica> replica::create(const replica_store& store, const replica_id& id, const replica_key& key,
                                seal_codec_id codec, bytes encoder_key) {
  DATDOT_TRY(encoder, make_unsealer(codec, encoder_key));
  replica_head head{key, codec, std::move(encoder_key), 0, tree_hash({})};
  DATDOT_CHECK(store.write(id, std::nullopt, {}, {}, {}, head));
  return replica{store, id, std::move(head), merkle_tree{}, std::move(encoder)};
}

result<replica> replica::open(const replica_store& store, const replica_id& id) {
  DATDOT_TRY(head, store.head(id));
  if (!head) return make_error(errc::not_found, "no replica " + std::to_string(id.slot) + " of feed " + to_hex(id.feed));
  auto encoder = make_unsealer(head->codec, head->encoder_key);
  if (!encoder) return make_error(errc::corrupt_data, "stored encoder key is unusable: " + encoder.err().message);
  auto lookup = [&](std::uint64_t i) { return store.node(id, i); };
  auto roots = roots_at(lookup, head->length);
  if (!roots) return make_error(errc::corrupt_data, "stored replica tree is incomplete: " + roots.err().message);
  DATDOT_TRY(tree, merkle_tree::from_roots(std::move(*roots)));
  if (tree.hash() != head->tree_hash)
    return make_error(errc::corrupt_data, "stored replica roots do not match the stored tree hash");
  return replica{store, id, std::move(*head), std::move(tree), std::move(*encoder)};
}

result<void> replica::append(std::span<const bytes> sealed, std::span<const std::uint64_t> plain_sizes) {
  DATDOT_CHECK(one_size_per_block(sealed, plain_sizes));
  merkle_tree next = tree_;
  std::vector<tree_node> nodes;
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    if (sealed[i].size() != encoder_->sealed_size(plain_sizes[i]))
      return make_error(errc::invalid_argument,
                        "sealed block " + std::to_string(head_.length + i) + " has " +
                            std::to_string(sealed[i].size()) + " bytes, not the sealed size of a " +
                            std::to_string(plain_sizes[i]) + "-byte block");
    next.append(sealed[i], nodes);
  }
  replica_head head = head_;
  head.length = next.length();
  head.tree_hash = next.hash();
  DATDOT_CHECK(store_->write(id_, head_.length, sealed, plain_sizes, nodes, head));
  head_ = std::move(head);
  tree_ = std::move(next);
  return ok;
}

result<void> replica::within(std::uint64_t index) const {
  if (index < head_.length) return ok;
  return make_error(errc::out_of_range, "block " + std::to_string(index) + " is past the end of a replica of length " +
                                            std::to_string(head_.length));
}

result<bytes> replica::sealed(std::uint64_t index) const {
  DATDOT_CHECK(within(index));
  return store_->sealed(id_, index);
}

result<std::uint64_t> replica::plain_size(std::uint64_t index) const {
  DATDOT_CHECK(within(index));
  return store_->plain_size(id_, index);
}

node_lookup replica::lookup() const {
  return [store = store_, id = id_](std::uint64_t i) { return store->node(id, i); };
}

result<storage_proof> replica::prove(std::uint64_t index, std::vector<tree_node> feed_path) const {
  DATDOT_TRY(block, sealed(index));
  DATDOT_TRY(plain, plain_size(index));
  DATDOT_TRY(path, block_path(lookup(), head_.length, index));
  return storage_proof{index, std::move(block), plain, std::move(path), tree_.roots(), std::move(feed_path)};
}

result<bytes> replica::original(std::uint64_t index) const {
  DATDOT_TRY(block, sealed(index));
  DATDOT_TRY(plain, plain_size(index));
  auto out = encoder_->unseal(head_.key, index, block, plain);
  if (!out) return make_error(out.err().code, "block " + std::to_string(index) + ": " + out.err().message);
  return out;
}

result<void> replica::verify_all() const {
  merkle_tree rebuilt;
  std::vector<tree_node> nodes;
  for (std::uint64_t i = 0; i < head_.length; ++i) {
    DATDOT_TRY(block, store_->sealed(id_, i));
    nodes.clear();
    rebuilt.append(block, nodes);
    for (const auto& n : nodes) {
      DATDOT_TRY(stored, store_->node(id_, n.index));
      if (stored != n)
        return make_error(errc::verification_failed,
                          "block " + std::to_string(i) + " does not match the replica tree");
    }
    DATDOT_TRY(plain, store_->plain_size(id_, i));
    const auto unsealed = encoder_->unseal(head_.key, i, block, plain);
    if (!unsealed)
      return make_error(errc::verification_failed, "block " + std::to_string(i) + " does not unseal: " +
                                                       unsealed.err().message);
  }
  if (rebuilt.hash() != head_.tree_hash)
    return make_error(errc::verification_failed, "the replica's blocks do not hash to its stored tree hash");
  return ok;
}

}  // namespace datdot::storage

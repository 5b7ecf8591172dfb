#include "storage/replica_store.hpp"

#include <algorithm>

namespace datdot::storage {

namespace {

// Version 1 heads had no feed roots, version 2 replicas kept one feed path
// per block instead of the feed tree's nodes (so they could not follow a
// growing feed). Neither can be upgraded in place: the roots and paths come
// from the encoder, so such a replica has to be fetched again.
constexpr byte head_format_version = 3;
constexpr std::size_t head_fixed_size = 1 + 1 + 32 + 8 + 32;  // then the feed roots, then the encoder key to the end
constexpr std::size_t node_value_size = 8 + 32;
// A path or the roots of a tree of up to 2^64 blocks has at most 64 nodes;
// more in a record means the bytes are not what they claim to be.
constexpr std::uint64_t node_list_max = 64;
constexpr std::size_t node_list_entry_size = 8 + 8 + 32;
// The encoder's signed commitment: version, tree hash, u64le length, signature.
constexpr byte evidence_format_version = 1;
constexpr std::size_t evidence_size = 1 + 32 + 8 + 64;
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

// Feed paths and roots: u64le count, then (u64le index, u64le size, hash) per node.
void encode_nodes(bytes& out, const std::vector<tree_node>& nodes) {
  put_u64le(out, nodes.size());
  for (const auto& n : nodes) {
    put_u64le(out, n.index);
    put_u64le(out, n.size);
    out.insert(out.end(), n.hash.begin(), n.hash.end());
  }
}

// Decodes a node list from the front of `in` and drops it from `in`; nullopt if it is malformed.
std::optional<std::vector<tree_node>> decode_nodes(byte_view& in) {
  if (in.size() < 8) return std::nullopt;
  const auto count = get_u64le(in.data());
  if (count > node_list_max || in.size() - 8 < count * node_list_entry_size) return std::nullopt;
  std::vector<tree_node> out(count);
  const byte* p = in.data() + 8;
  for (auto& n : out) {
    n.index = get_u64le(p);
    n.size = get_u64le(p + 8);
    std::copy_n(p + 16, 32, n.hash.begin());
    p += node_list_entry_size;
  }
  in = in.subspan(8 + count * node_list_entry_size);
  return out;
}

result<void> at_most_a_tree_path(const std::vector<tree_node>& nodes, const std::string& what) {
  if (nodes.size() <= node_list_max) return ok;
  return make_error(errc::invalid_argument, what + " has " + std::to_string(nodes.size()) + " nodes, more than " +
                                                std::to_string(node_list_max));
}

// The number of blocks of the feed whose roots these are.
result<std::uint64_t> feed_length(std::vector<tree_node> roots) {
  DATDOT_CHECK(at_most_a_tree_path(roots, "the feed roots"));
  DATDOT_TRY(tree, merkle_tree::from_roots(std::move(roots)));
  return tree.length();
}

bytes encode_head(const replica_head& h) {
  bytes out;
  out.reserve(head_fixed_size + 8 + h.feed_roots.size() * node_list_entry_size + h.encoder_key.size());
  out.push_back(head_format_version);
  out.push_back(static_cast<byte>(h.codec));
  out.insert(out.end(), h.key.begin(), h.key.end());
  put_u64le(out, h.length);
  out.insert(out.end(), h.tree_hash.begin(), h.tree_hash.end());
  encode_nodes(out, h.feed_roots);
  out.insert(out.end(), h.encoder_key.begin(), h.encoder_key.end());
  return out;
}

// The codec byte and the encoder key are checked by make_unsealer, and the
// roots' shape by feed_length, when a replica is opened.
result<replica_head> decode_head(byte_view in) {
  if (in.size() <= head_fixed_size || in[0] != head_format_version)
    return make_error(errc::corrupt_data, "replica head record is malformed");
  replica_head h;
  h.codec = static_cast<seal_codec_id>(in[1]);
  std::copy_n(in.begin() + 2, 32, h.key.begin());
  h.length = get_u64le(in.data() + 34);
  std::copy_n(in.begin() + 42, 32, h.tree_hash.begin());
  auto rest = in.subspan(head_fixed_size);
  auto roots = decode_nodes(rest);
  if (!roots || rest.empty()) return make_error(errc::corrupt_data, "replica head record is malformed");
  h.feed_roots = std::move(*roots);
  h.encoder_key.assign(rest.begin(), rest.end());
  return h;
}

bytes encode_evidence(const root_evidence& e) {
  bytes out;
  out.reserve(evidence_size);
  out.push_back(evidence_format_version);
  out.insert(out.end(), e.commitment.tree_hash.begin(), e.commitment.tree_hash.end());
  put_u64le(out, e.commitment.length);
  out.insert(out.end(), e.encoder_signature.begin(), e.encoder_signature.end());
  return out;
}

result<root_evidence> decode_evidence(byte_view in) {
  if (in.size() != evidence_size || in[0] != evidence_format_version)
    return make_error(errc::corrupt_data, "replica evidence record is malformed");
  root_evidence e;
  std::copy_n(in.begin() + 1, 32, e.commitment.tree_hash.begin());
  e.commitment.length = get_u64le(in.data() + 33);
  std::copy_n(in.begin() + 41, 64, e.encoder_signature.begin());
  return e;
}

std::string at_index(const char* what, std::uint64_t index) {
  return std::string{what} + " " + std::to_string(index);
}

result<void> one_size_and_path_per_block(std::span<const bytes> sealed, std::span<const std::uint64_t> plain_sizes,
                                          std::span<const std::vector<tree_node>> feed_paths) {
  if (sealed.size() == plain_sizes.size() && sealed.size() == feed_paths.size()) return ok;
  return make_error(errc::invalid_argument, std::to_string(sealed.size()) + " sealed blocks but " +
                                                std::to_string(plain_sizes.size()) + " plain sizes and " +
                                                std::to_string(feed_paths.size()) + " feed paths");
}

// Hashes block `index` up its feed path, handing every node met (the
// path's siblings and the block's ancestors) to `out`; returns the top.
tree_node climb(std::uint64_t index, byte_view block, const std::vector<tree_node>& path, std::vector<tree_node>& out) {
  tree_node cur = leaf_node(index, block);
  out.push_back(cur);
  for (const auto& sibling : path) {
    out.push_back(sibling);
    cur = parent_node(cur, sibling);
    out.push_back(cur);
  }
  return cur;
}

// Reads the record kept once per replica (its head or evidence), if there is one.
template <class T>
result<std::optional<T>> read_of(const environment& env, dbi db, const replica_id& id,
                                 result<T> (*decode)(byte_view)) {
  std::optional<T> out;
  DATDOT_CHECK(env.view([&](read_txn& txn) -> result<void> {
    DATDOT_TRY(raw, txn.get(db, key_of(id)));
    if (!raw) return ok;
    DATDOT_TRY(value, decode(*raw));
    out = std::move(value);
    return ok;
  }));
  return out;
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
  DATDOT_TRY(feed_nodes, env.open_db("replica_feed_nodes"));
  // Created on first open: stores from before it have no evidence, as if their runs came without.
  DATDOT_TRY(evidence, env.open_db("replica_evidence"));
  return replica_store{env, heads, blocks, sizes, nodes, feed_nodes, evidence};
}

result<std::optional<replica_head>> replica_store::head(const replica_id& id) const {
  return read_of(*env_, heads_, id, decode_head);
}

result<std::uint64_t> replica_store::sealed_bytes() const {
  DATDOT_TRY(ids, list());
  std::uint64_t total = 0;
  for (const auto& id : ids) {
    DATDOT_TRY(h, head(id));
    if (!h) continue;  // erased since list()
    DATDOT_TRY(roots, roots_at([&](std::uint64_t i) { return node(id, i); }, h->length));
    for (const auto& r : roots) total += r.size;
  }
  return total;
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

namespace {

result<tree_node> read_node(const environment& env, dbi db, const replica_id& id, std::uint64_t index,
                            const char* what) {
  return read_at<tree_node>(env, db, id, index, what, [&](byte_view raw) -> result<tree_node> {
    if (raw.size() != node_value_size)
      return make_error(errc::corrupt_data, "malformed " + at_index(what, index));
    tree_node out;
    out.index = index;
    out.size = get_u64le(raw.data());
    std::copy_n(raw.begin() + 8, 32, out.hash.begin());
    return out;
  });
}

result<void> put_nodes(write_txn& txn, dbi db, const replica_id& id, const std::vector<tree_node>& nodes) {
  bytes value;
  for (const auto& n : nodes) {
    value.clear();
    put_u64le(value, n.size);
    value.insert(value.end(), n.hash.begin(), n.hash.end());
    DATDOT_CHECK(txn.put(db, key_at(id, n.index), value));
  }
  return ok;
}

}  // namespace

result<tree_node> replica_store::node(const replica_id& id, std::uint64_t index) const {
  return read_node(*env_, nodes_, id, index, "replica tree node");
}

result<tree_node> replica_store::feed_node(const replica_id& id, std::uint64_t index) const {
  return read_node(*env_, feed_nodes_, id, index, "feed tree node");
}

result<std::optional<root_evidence>> replica_store::evidence(const replica_id& id) const {
  return read_of(*env_, evidence_, id, decode_evidence);
}

result<void> replica_store::write(const replica_id& id, std::optional<std::uint64_t> length_before,
                                  std::span<const bytes> sealed, std::span<const std::uint64_t> plain_sizes,
                                  const std::vector<tree_node>& feed_nodes, const std::vector<tree_node>& nodes,
                                  const replica_head& head, const std::optional<root_evidence>& evidence) const {
  if (sealed.size() != plain_sizes.size())
    return make_error(errc::invalid_argument, std::to_string(sealed.size()) + " sealed blocks but " +
                                                  std::to_string(plain_sizes.size()) + " plain sizes");
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
    DATDOT_CHECK(put_nodes(txn, nodes_, id, nodes));
    DATDOT_CHECK(put_nodes(txn, feed_nodes_, id, feed_nodes));
    if (evidence)
      DATDOT_CHECK(txn.put(evidence_, head_key, encode_evidence(*evidence)));
    else if (!sealed.empty())
      DATDOT_CHECK(txn.del(evidence_, head_key));
    return txn.put(heads_, head_key, encode_head(head));
  });
}

result<void> replica_store::erase(const replica_id& id) const {
  const auto prefix = key_of(id);
  return env_->update([&](write_txn& txn) -> result<void> {
    for (auto db : {blocks_, sizes_, nodes_, feed_nodes_}) {
      std::vector<indexed_key> keys;
      DATDOT_CHECK(txn.for_each(db, prefix, [&](byte_view key, byte_view) {
        if (key.size() != indexed_key_size || !std::equal(prefix.begin(), prefix.end(), key.begin())) return false;
        keys.emplace_back();
        std::copy(key.begin(), key.end(), keys.back().begin());
        return true;
      }));
      for (const auto& k : keys) DATDOT_CHECK(txn.del(db, k));
    }
    DATDOT_CHECK(txn.del(evidence_, prefix));
    return txn.del(heads_, prefix);
  });
}

result<replica> replica::create(const replica_store& store, const replica_id& id, const replica_key& key,
                                seal_codec_id codec, bytes encoder_key, std::vector<tree_node> feed_roots) {
  DATDOT_TRY(encoder, make_unsealer(codec, encoder_key));
  if (auto length = feed_length(feed_roots); !length)
    return make_error(errc::invalid_argument, "feed roots: " + length.err().message);
  replica_head head{key, codec, std::move(encoder_key), std::move(feed_roots), 0, tree_hash({})};
  DATDOT_CHECK(store.write(id, std::nullopt, {}, {}, {}, {}, head, std::nullopt));
  return replica{store, id, std::move(head), merkle_tree{}, std::move(encoder)};
}

result<replica> replica::open(const replica_store& store, const replica_id& id) {
  DATDOT_TRY(head, store.head(id));
  if (!head) return make_error(errc::not_found, "no replica " + std::to_string(id.slot) + " of feed " + to_hex(id.feed));
  auto encoder = make_unsealer(head->codec, head->encoder_key);
  if (!encoder) return make_error(errc::corrupt_data, "stored encoder key is unusable: " + encoder.err().message);
  const auto length_max = feed_length(head->feed_roots);
  if (!length_max) return make_error(errc::corrupt_data, "stored feed roots are unusable: " + length_max.err().message);
  if (*length_max < head->length)
    return make_error(errc::corrupt_data, "the stored replica is longer than its stored feed roots");
  auto lookup = [&](std::uint64_t i) { return store.node(id, i); };
  auto roots = roots_at(lookup, head->length);
  if (!roots) return make_error(errc::corrupt_data, "stored replica tree is incomplete: " + roots.err().message);
  DATDOT_TRY(tree, merkle_tree::from_roots(std::move(*roots)));
  if (tree.hash() != head->tree_hash)
    return make_error(errc::corrupt_data, "stored replica roots do not match the stored tree hash");
  if (auto feed = roots_at([&](std::uint64_t i) { return store.feed_node(id, i); }, head->length); !feed)
    return make_error(errc::corrupt_data, "stored feed tree is incomplete: " + feed.err().message);
  return replica{store, id, std::move(*head), std::move(tree), std::move(*encoder)};
}

result<void> replica::same_as_kept(std::uint64_t first, std::span<const bytes> sealed,
                                   std::span<const std::uint64_t> plain_sizes) const {
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    DATDOT_TRY(kept, this->sealed(first + i));
    DATDOT_TRY(kept_size, plain_size(first + i));
    if (kept != sealed[i] || kept_size != plain_sizes[i])
      return make_error(errc::invalid_argument, "block " + std::to_string(first + i) + " differs from the one kept");
  }
  return ok;
}

result<void> replica::append(std::uint64_t first, std::span<const bytes> sealed_run,
                             std::span<const std::uint64_t> plain_sizes_run,
                             std::span<const std::vector<tree_node>> feed_paths_run,
                             std::optional<root_evidence> evidence) {
  DATDOT_CHECK(one_size_and_path_per_block(sealed_run, plain_sizes_run, feed_paths_run));
  if (first > head_.length)
    return make_error(errc::invalid_argument, "a run from block " + std::to_string(first) +
                                                  " leaves a gap after a replica of length " +
                                                  std::to_string(head_.length));
  const auto kept = std::min<std::uint64_t>(head_.length - first, sealed_run.size());
  DATDOT_CHECK(same_as_kept(first, sealed_run.first(kept), plain_sizes_run.first(kept)));
  // Nothing new: the tree and its evidence stay (the evidence kept is of this tree or a longer one).
  if (kept == sealed_run.size()) return ok;
  const auto sealed = sealed_run.subspan(kept);
  const auto plain_sizes = plain_sizes_run.subspan(kept);
  const auto feed_paths = feed_paths_run.subspan(kept);
  // Blocks past the roots' length could never be proven against them.
  DATDOT_TRY(length_max, feed_length(head_.feed_roots));
  if (sealed.size() > length_max - head_.length)
    return make_error(errc::invalid_argument,
                      std::to_string(sealed.size()) + " blocks would take a replica of length " +
                          std::to_string(head_.length) + " past its feed's length " + std::to_string(length_max));
  merkle_tree next = tree_;
  std::vector<tree_node> nodes, feed_nodes;
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    const auto index = head_.length + i;
    if (sealed[i].size() != encoder_->sealed_size(plain_sizes[i]))
      return make_error(errc::invalid_argument,
                        "sealed block " + std::to_string(index) + " has " + std::to_string(sealed[i].size()) +
                            " bytes, not the sealed size of a " + std::to_string(plain_sizes[i]) + "-byte block");
    DATDOT_CHECK(at_most_a_tree_path(feed_paths[i], at_index("the feed path of block", index)));
    DATDOT_TRY(original, unseal(index, sealed[i], plain_sizes[i]));
    const auto top = climb(index, original, feed_paths[i], feed_nodes);
    if (std::find(head_.feed_roots.begin(), head_.feed_roots.end(), top) == head_.feed_roots.end())
      return make_error(errc::verification_failed, "block " + std::to_string(index) +
                                                       " and its feed path do not hash to a feed root");
    next.append(sealed[i], nodes);
  }
  replica_head head = head_;
  head.length = next.length();
  head.tree_hash = next.hash();
  DATDOT_CHECK(store_->write(id_, head_.length, sealed, plain_sizes, feed_nodes, nodes, head, evidence));
  head_ = std::move(head);
  tree_ = std::move(next);
  return ok;
}

result<void> replica::grow(std::vector<tree_node> feed_roots) {
  DATDOT_TRY(length_before, feed_length(head_.feed_roots));
  auto length = feed_length(feed_roots);
  if (!length) return make_error(errc::invalid_argument, "feed roots: " + length.err().message);
  if (*length <= length_before)
    return make_error(errc::invalid_argument, "roots of " + std::to_string(*length) +
                                                  " blocks do not grow a replica filled towards " +
                                                  std::to_string(length_before));
  replica_head head = head_;
  head.feed_roots = std::move(feed_roots);
  DATDOT_CHECK(store_->write(id_, head_.length, {}, {}, {}, {}, head, std::nullopt));
  head_ = std::move(head);
  return ok;
}

result<void> replica::within(std::uint64_t index) const { return within(index, head_.length); }

result<void> replica::up_to(std::uint64_t length) const {
  if (length <= head_.length) return ok;
  return make_error(errc::out_of_range, "length " + std::to_string(length) + " is past the end of a replica of length " +
                                            std::to_string(head_.length));
}

result<void> replica::within(std::uint64_t index, std::uint64_t length) const {
  DATDOT_CHECK(up_to(length));
  if (index < length) return ok;
  return make_error(errc::out_of_range, "block " + std::to_string(index) + " is past the end of a replica of length " +
                                            std::to_string(length));
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

node_lookup replica::feed_lookup() const {
  return [store = store_, id = id_](std::uint64_t i) { return store->feed_node(id, i); };
}

result<std::vector<tree_node>> replica::feed_path(std::uint64_t index) const {
  DATDOT_CHECK(within(index));
  // Every appended block's path to the head's roots was kept, so this holds even before the replica is filled.
  DATDOT_TRY(towards, feed_length(head_.feed_roots));
  return block_path(feed_lookup(), towards, index);
}

result<std::vector<tree_node>> replica::feed_path(std::uint64_t index, std::uint64_t length) const {
  DATDOT_CHECK(within(index, length));
  return block_path(feed_lookup(), length, index);
}

result<std::vector<tree_node>> replica::feed_roots(std::uint64_t length) const {
  DATDOT_CHECK(up_to(length));
  return roots_at(feed_lookup(), length);
}

result<std::vector<tree_node>> replica::roots(std::uint64_t length) const {
  DATDOT_CHECK(up_to(length));
  return roots_at(lookup(), length);
}

result<merkle_tree> replica::tree(std::uint64_t length) const {
  if (length == head_.length) return tree_;
  DATDOT_TRY(at, roots(length));
  return merkle_tree::from_roots(std::move(at));
}

result<storage_proof> replica::prove(std::uint64_t index) const {
  DATDOT_TRY(block, sealed(index));
  DATDOT_TRY(plain, plain_size(index));
  DATDOT_TRY(path, block_path(lookup(), head_.length, index));
  DATDOT_TRY(feed, feed_path(index));
  return storage_proof{index, std::move(block), plain, std::move(path), tree_.roots(), std::move(feed)};
}

result<storage_proof> replica::prove(std::uint64_t index, std::uint64_t length) const {
  DATDOT_CHECK(within(index, length));
  DATDOT_TRY(block, sealed(index));
  DATDOT_TRY(plain, plain_size(index));
  DATDOT_TRY(path, block_path(lookup(), length, index));
  DATDOT_TRY(replica_roots, roots(length));
  DATDOT_TRY(feed, feed_path(index, length));
  return storage_proof{index, std::move(block), plain, std::move(path), std::move(replica_roots), std::move(feed)};
}

result<bytes> replica::unseal(std::uint64_t index, const bytes& sealed, std::uint64_t plain_size) const {
  auto out = encoder_->unseal(head_.key, index, sealed, plain_size);
  if (!out)
    return make_error(out.err().code, "block " + std::to_string(index) + " does not unseal: " + out.err().message);
  return out;
}

result<block_proof> replica::read(std::uint64_t index) const {
  DATDOT_TRY(path, feed_path(index));
  return read_with(index, std::move(path));
}

result<block_proof> replica::read(std::uint64_t index, std::uint64_t length) const {
  DATDOT_TRY(path, feed_path(index, length));
  return read_with(index, std::move(path));
}

result<block_proof> replica::read_with(std::uint64_t index, std::vector<tree_node> path) const {
  DATDOT_TRY(block, sealed(index));
  DATDOT_TRY(plain, plain_size(index));
  DATDOT_TRY(original, unseal(index, block, plain));
  return block_proof{index, std::move(original), std::move(path)};
}

result<void> replica::verify_all() const {
  DATDOT_TRY(feed_roots_now, feed_roots(head_.length));
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
    auto original = unseal(i, block, plain);
    if (!original) return make_error(errc::verification_failed, original.err().message);
    auto path = feed_path(i, head_.length);
    if (!path || !verify_block({i, std::move(*original), std::move(*path)}, feed_roots_now))
      return make_error(errc::verification_failed,
                        "block " + std::to_string(i) + " and its stored feed path do not hash to the feed roots");
  }
  if (rebuilt.hash() != head_.tree_hash)
    return make_error(errc::verification_failed, "the replica's blocks do not hash to its stored tree hash");
  // Filled up: the feed tree it kept is the one the head promises.
  const auto filled_towards = feed_length(head_.feed_roots);
  if (filled_towards && *filled_towards == head_.length && feed_roots_now != head_.feed_roots)
    return make_error(errc::verification_failed, "the stored feed tree does not have the head's feed roots");
  return ok;
}

}  // namespace datdot::storage

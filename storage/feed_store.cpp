#include "storage/feed_store.hpp"

#include <algorithm>
#include <future>

namespace datdot::storage {

namespace {

constexpr byte head_format_version = 1;
constexpr std::size_t head_size = 1 + 1 + 32 + 8 * 3 + 64;
constexpr std::size_t node_value_size = 8 + 32;

using key40 = std::array<byte, 40>;

key40 indexed_key(const hash32& dk, std::uint64_t index) {
  key40 k;
  std::copy(dk.begin(), dk.end(), k.begin());
  for (int i = 0; i < 8; ++i) k[32 + i] = static_cast<byte>(index >> (56 - 8 * i));
  return k;
}

bytes encode_head(const feed_head& h) {
  bytes out;
  out.reserve(head_size);
  out.push_back(head_format_version);
  out.push_back(static_cast<byte>(h.mode));
  out.insert(out.end(), h.signer.begin(), h.signer.end());
  put_u64le(out, h.length);
  put_u64le(out, h.byte_length);
  put_u64le(out, h.fork);
  out.insert(out.end(), h.sig.begin(), h.sig.end());
  return out;
}

result<feed_head> decode_head(byte_view in) {
  if (in.size() != head_size || in[0] != head_format_version || in[1] > 1)
    return make_error(errc::corrupt_data, "feed head record is malformed");
  feed_head h;
  h.mode = static_cast<signing_mode>(in[1]);
  std::copy_n(in.begin() + 2, 32, h.signer.begin());
  h.length = get_u64le(in.data() + 34);
  h.byte_length = get_u64le(in.data() + 42);
  h.fork = get_u64le(in.data() + 50);
  std::copy_n(in.begin() + 58, 64, h.sig.begin());
  return h;
}

std::string at_index(const char* what, std::uint64_t index) {
  return std::string{what} + " " + std::to_string(index);
}

}  // namespace

result<feed_store> feed_store::open(environment& env) {
  DATDOT_TRY(heads, env.open_db("feed_heads"));
  DATDOT_TRY(blocks, env.open_db("feed_blocks"));
  DATDOT_TRY(nodes, env.open_db("feed_nodes"));
  return feed_store{env, heads, blocks, nodes};
}

result<std::optional<feed_head>> feed_store::head(const hash32& dk) const {
  std::optional<feed_head> out;
  DATDOT_CHECK(env_->view([&](read_txn& txn) -> result<void> {
    DATDOT_TRY(raw, txn.get(heads_, dk));
    if (!raw) return ok;
    DATDOT_TRY(h, decode_head(*raw));
    out = h;
    return ok;
  }));
  return out;
}

result<std::vector<hash32>> feed_store::discovery_keys() const {
  std::vector<hash32> out;
  DATDOT_CHECK(env_->view([&](read_txn& txn) {
    return txn.for_each(heads_, {}, [&](byte_view key, byte_view) {
      if (key.size() == 32) {
        hash32 k;
        std::copy(key.begin(), key.end(), k.begin());
        out.push_back(k);
      }
      return true;
    });
  }));
  return out;
}

result<bytes> feed_store::block(const hash32& dk, std::uint64_t index) const {
  bytes out;
  DATDOT_CHECK(env_->view([&](read_txn& txn) -> result<void> {
    DATDOT_TRY(raw, txn.get(blocks_, indexed_key(dk, index)));
    if (!raw) return make_error(errc::not_found, at_index("no stored block", index));
    out.assign(raw->begin(), raw->end());
    return ok;
  }));
  return out;
}

result<tree_node> feed_store::node(const hash32& dk, std::uint64_t index) const {
  tree_node out;
  DATDOT_CHECK(env_->view([&](read_txn& txn) -> result<void> {
    DATDOT_TRY(raw, txn.get(nodes_, indexed_key(dk, index)));
    if (!raw) return make_error(errc::not_found, at_index("no stored tree node", index));
    if (raw->size() != node_value_size)
      return make_error(errc::corrupt_data, at_index("malformed tree node", index));
    out.index = index;
    out.size = get_u64le(raw->data());
    std::copy_n(raw->begin() + 8, 32, out.hash.begin());
    return ok;
  }));
  return out;
}

result<void> feed_store::write(const hash32& dk, std::uint64_t first_index,
                               std::span<const bytes> blocks, const tail_source& tail) const {
  return env_->update([&](write_txn& txn) -> result<void> {
    for (std::size_t i = 0; i < blocks.size(); ++i)
      DATDOT_CHECK(txn.put(blocks_, indexed_key(dk, first_index + i), blocks[i]));
    DATDOT_TRY(rest, tail());
    bytes value;
    for (const auto& n : rest->nodes) {
      value.clear();
      put_u64le(value, n.size);
      value.insert(value.end(), n.hash.begin(), n.hash.end());
      DATDOT_CHECK(txn.put(nodes_, indexed_key(dk, n.index), value));
    }
    if (!rest->head) return ok;
    return txn.put(heads_, dk, encode_head(*rest->head));
  });
}

result<void> feed_store::write(const hash32& dk, std::uint64_t first_index,
                               std::span<const bytes> blocks, const append_tail& tail) const {
  return write(dk, first_index, blocks, [&]() -> result<const append_tail*> { return &tail; });
}

result<void> feed_store::erase(const hash32& dk) const {
  return env_->update([&](write_txn& txn) -> result<void> {
    for (auto db : {blocks_, nodes_}) {
      std::vector<key40> keys;
      DATDOT_CHECK(txn.for_each(db, dk, [&](byte_view key, byte_view) {
        if (key.size() != 40 || !std::equal(dk.begin(), dk.end(), key.begin())) return false;
        keys.emplace_back();
        std::copy(key.begin(), key.end(), keys.back().begin());
        return true;
      }));
      for (const auto& k : keys) DATDOT_CHECK(txn.del(db, k));
    }
    return txn.del(heads_, dk);
  });
}

result<feed> feed::create(const feed_store& store, const public_key& signer, signing_mode mode) {
  feed_identity identity{signer, mode};
  const auto dk = identity.discovery_key();
  DATDOT_TRY(existing, store.head(dk));
  if (existing) return make_error(errc::already_exists, "a feed with this key exists already");
  feed_head head;
  head.signer = signer;
  head.mode = mode;
  DATDOT_CHECK(store.write(dk, 0, {}, append_tail{{}, head}));
  return feed{store, std::move(identity), head, merkle_tree{}};
}

result<feed> feed::open(const feed_store& store, const hash32& dk) {
  DATDOT_TRY(head, store.head(dk));
  if (!head) return make_error(errc::not_found, "no feed with discovery key " + to_hex(dk));
  feed_identity identity{head->signer, head->mode};
  if (identity.discovery_key() != dk)
    return make_error(errc::corrupt_data, "stored feed head belongs to another feed");
  auto lookup = [&](std::uint64_t i) { return store.node(dk, i); };
  DATDOT_TRY(roots, roots_at(lookup, head->length));
  DATDOT_TRY(tree, merkle_tree::from_roots(std::move(roots)));
  if (tree.byte_length() != head->byte_length)
    return make_error(errc::corrupt_data, "stored byte length disagrees with the tree");
  if (head->length > 0 && !identity.verify_tree(tree.hash(), head->length, head->fork, head->sig))
    return make_error(errc::corrupt_data, "stored signature does not match the stored tree");
  return feed{store, std::move(identity), *head, std::move(tree)};
}

// Hashing (CPU) and copying blocks into the LMDB transaction (memory, disk)
// overlap for big appends: the tree is built on a helper thread while this
// thread puts the blocks; the nodes and the new head follow once both are done.
result<void> feed::commit(std::span<const bytes> blocks,
                          const std::function<result<feed_head>(const merkle_tree&)>& seal_head) {
  struct prepared {
    merkle_tree tree;
    append_tail tail;
    std::optional<error> failure;
  };
  auto prepare = [&]() {
    prepared p{tree_, {}, std::nullopt};
    for (const auto& b : blocks) p.tree.append(b, p.tail.nodes);
    auto head = seal_head(p.tree);
    if (head)
      p.tail.head = *head;
    else
      p.failure = head.err();
    return p;
  };
  std::size_t total_bytes = 0;
  for (const auto& b : blocks) total_bytes += b.size();
  const auto policy = total_bytes >= parallel_append_bytes_min ? std::launch::async : std::launch::deferred;
  std::shared_future<prepared> next = std::async(policy, prepare).share();
  DATDOT_CHECK(store_->write(identity_.discovery_key(), head_.length, blocks,
                             [&]() -> result<const append_tail*> {
                               const prepared& p = next.get();
                               if (p.failure) return *p.failure;
                               return &p.tail;
                             }));
  const prepared& p = next.get();
  head_ = *p.tail.head;
  tree_ = p.tree;
  return ok;
}

result<void> feed::append(std::span<const bytes> blocks, const secret_key& sk) {
  if (!std::equal(head_.signer.begin(), head_.signer.end(), sk.begin() + 32))
    return make_error(errc::invalid_argument, "the secret key does not belong to this feed");
  return commit(blocks, [&](const merkle_tree& next) -> result<feed_head> {
    feed_head h = head_;
    h.length = next.length();
    h.byte_length = next.byte_length();
    h.sig = sign(identity_.signable(next.hash(), h.length, h.fork), sk);
    return h;
  });
}

result<void> feed::append_signed(std::span<const bytes> blocks, std::uint64_t fork,
                                 const signature& sig) {
  return commit(blocks, [&](const merkle_tree& next) -> result<feed_head> {
    if (!identity_.verify_tree(next.hash(), next.length(), fork, sig))
      return make_error(errc::verification_failed, "signature does not match the feed at length " +
                                                       std::to_string(next.length()));
    feed_head h = head_;
    h.length = next.length();
    h.byte_length = next.byte_length();
    h.fork = fork;
    h.sig = sig;
    return h;
  });
}

result<bytes> feed::get(std::uint64_t index) const {
  if (index >= head_.length)
    return make_error(errc::out_of_range, "block " + std::to_string(index) +
                                              " is past the end of a feed of length " +
                                              std::to_string(head_.length));
  return store_->block(identity_.discovery_key(), index);
}

node_lookup feed::lookup() const {
  return [store = store_, dk = identity_.discovery_key()](std::uint64_t i) { return store->node(dk, i); };
}

result<feed_proof> feed::proof(std::uint64_t index) const {
  DATDOT_TRY(value, get(index));
  return prove_block(lookup(), head_.length, head_.fork, index, std::move(value), stored_signature());
}

result<void> feed::verify_all() const {
  const auto dk = identity_.discovery_key();
  merkle_tree rebuilt;
  std::vector<tree_node> nodes;
  for (std::uint64_t i = 0; i < head_.length; ++i) {
    DATDOT_TRY(block, store_->block(dk, i));
    nodes.clear();
    rebuilt.append(block, nodes);
    for (const auto& n : nodes) {
      DATDOT_TRY(stored, store_->node(dk, n.index));
      if (stored != n)
        return make_error(errc::verification_failed,
                          "block " + std::to_string(i) + " does not match the signed tree");
    }
  }
  if (head_.length > 0 && !identity_.verify_tree(rebuilt.hash(), head_.length, head_.fork, head_.sig))
    return make_error(errc::verification_failed, "signature does not match the feed's tree");
  return ok;
}

}  // namespace datdot::storage

// The replica store: a stored replica answers storage challenges the chain
// accepts, survives reopening and filling in runs, follows a growing feed
// while staying provable at the length it had, fails appends without a
// trace, names a damaged block or feed tree node, serves readers the original
// blocks with paths to the feed roots, and keeps replicas apart.
#include <doctest/doctest.h>

#include <map>

#include "crypto/rabin_williams.hpp"
#include "storage/replica_store.hpp"
#include "support/temp_dir.hpp"

using namespace datdot;
using namespace datdot::storage;
using datdot::storage::testing::temp_dir;
using datdot::storage::testing::why;

namespace {

const sealer& encoder() {
  static const auto k = rabin_williams::from_seed(key_seed{7});
  return *k;
}

replica_key key_for_slot(std::uint32_t slot) {
  replica_key k{};
  k.fill(static_cast<byte>(0xa0 + slot));
  return k;
}

// A feed held in memory (its tree gives the roots and paths a verifier
// trusts) and its blocks sealed for one replica key. Blocks are 1-4 KiB:
// sealing is slow, and a few blocks exercise every tree shape needed here.
struct sealed_feed {
  replica_key key;
  std::vector<bytes> blocks;
  std::vector<bytes> sealed;
  std::vector<std::uint64_t> plain_sizes;
  merkle_tree tree;
  std::map<std::uint64_t, tree_node> nodes;

  explicit sealed_feed(replica_key k, std::size_t length) : key(k) { grow(length); }

  // Adds blocks to the feed; returns the index of the first new one.
  std::size_t grow(std::size_t count) {
    const std::size_t first = blocks.size();
    for (std::size_t i = first; i < first + count; ++i) {
      bytes b(1024 + (i * 977) % 3072);
      for (std::size_t k = 0; k < b.size(); ++k) b[k] = static_cast<byte>(k * 13 + i * 101);
      std::vector<tree_node> created;
      tree.append(b, created);
      for (const auto& n : created) nodes[n.index] = n;
      sealed.push_back(encoder().seal(key, i, b).value());
      plain_sizes.push_back(b.size());
      blocks.push_back(std::move(b));
    }
    return first;
  }

  std::span<const bytes> sealed_from(std::size_t first) const { return std::span{sealed}.subspan(first); }
  std::span<const std::uint64_t> sizes_from(std::size_t first) const { return std::span{plain_sizes}.subspan(first); }

  // Paths to the roots at the feed's current length, as the encoder sends them.
  std::vector<tree_node> feed_path(std::uint64_t index) const {
    const node_lookup lookup = [this](std::uint64_t i) -> result<tree_node> { return nodes.at(i); };
    return block_path(lookup, tree.length(), index).value();
  }
  std::vector<std::vector<tree_node>> paths_from(std::size_t first) const {
    std::vector<std::vector<tree_node>> out;
    for (std::size_t i = first; i < blocks.size(); ++i) out.push_back(feed_path(i));
    return out;
  }
};

environment open_env(const temp_dir& tmp) {
  auto env = environment::open({.dir = tmp.path(), .durable = false});
  REQUIRE_MESSAGE(env.has_value(), why(env));
  return std::move(*env);
}

// A replica of the feed at its current length.
replica create_replica(const replica_store& store, const replica_id& id, const sealed_feed& feed) {
  auto r = replica::create(store, id, feed.key, encoder().public_part().codec(),
                           encoder().public_part().public_key_bytes(), feed.tree.roots());
  REQUIRE_MESSAGE(r.has_value(), why(r));
  return std::move(*r);
}

// Appends blocks first .. first+count-1 of the feed as the encoder sends them.
result<void> fill(replica& r, const sealed_feed& feed, std::size_t first, std::size_t count,
                  std::optional<root_evidence> evidence = std::nullopt) {
  const auto paths = feed.paths_from(first);
  return r.append(first, feed.sealed_from(first).first(count), feed.sizes_from(first).first(count),
                  std::span{paths}.first(count), std::move(evidence));
}

// What an encoder signs after a run ending at `length` (the signature is only stored here, not checked).
root_evidence evidence_after(const sealed_feed& feed, std::size_t length, byte signature_fill) {
  merkle_tree t;
  std::vector<tree_node> unused;
  for (std::size_t i = 0; i < length; ++i) t.append(feed.sealed[i], unused);
  root_evidence e{commit_replica(t.roots()), {}};
  e.encoder_signature.fill(signature_fill);
  return e;
}

// Checked against the feed's own roots rather than the replica's stored ones,
// so that a replica storing wrong roots fails too.
result<void> challenge(const replica& r, const sealed_feed& feed, std::uint64_t index) {
  DATDOT_TRY(proof, r.prove(index));
  return verify_storage_proof(proof, r.commitment(), feed.tree.roots(), encoder().public_part(), feed.key);
}

result<void> read_verifies(const replica& r, const sealed_feed& feed, std::uint64_t index) {
  DATDOT_TRY(proof, r.read(index));
  return verify_block(proof, feed.tree.roots());
}

const hash32 feed_key = [] {
  hash32 k{};
  k.fill(0x42);
  return k;
}();

// The key of block `index` of a replica in the store's databases.
bytes record_key(std::uint32_t slot, std::uint64_t index) {
  bytes key(feed_key.begin(), feed_key.end());
  for (int i = 0; i < 4; ++i) key.push_back(static_cast<byte>(slot >> (24 - 8 * i)));
  for (int i = 0; i < 8; ++i) key.push_back(static_cast<byte>(index >> (56 - 8 * i)));
  return key;
}

// One replica of a feed of `length` blocks, its first `stored` blocks stored
// (all of them unless told), in a scratch environment.
struct stored_replica {
  temp_dir tmp;
  environment env;
  replica_store store;
  sealed_feed feed;
  replica_id id;
  replica r;

  stored_replica(std::uint32_t slot, std::size_t length, std::optional<std::size_t> stored = std::nullopt)
      : env(open_env(tmp)),
        store(replica_store::open(env).value()),
        feed(key_for_slot(slot), length),
        id{feed_key, slot},
        r(create_replica(store, id, feed)) {
    const auto appended = fill(r, feed, 0, stored.value_or(length));
    REQUIRE_MESSAGE(appended.has_value(), why(appended));
  }

  // Replaces a raw record behind the store's back, as a bad disk would.
  void overwrite(const char* db_name, byte_view key, byte_view value) {
    const auto db = env.open_db(db_name).value();
    REQUIRE(env.update([&](write_txn& txn) { return txn.put(db, key, value); }));
  }
  bytes raw(const char* db_name, byte_view key) {
    const auto db = env.open_db(db_name).value();
    bytes out;
    REQUIRE(env.view([&](read_txn& txn) -> result<void> {
      DATDOT_TRY(value, txn.get(db, key));
      if (!value) return make_error(errc::not_found, "no such record");
      out.assign(value->begin(), value->end());
      return ok;
    }));
    return out;
  }
};

}  // namespace

TEST_CASE("every block of a stored replica answers a challenge the chain accepts") {
  const stored_replica s(0, 5);
  const auto& r = s.r;
  const auto& feed = s.feed;

  CHECK(r.head().length == 5);
  CHECK(r.head().feed_roots == feed.tree.roots());
  std::vector<tree_node> unused;
  merkle_tree over_sealed;
  for (const auto& s : feed.sealed) over_sealed.append(s, unused);
  CHECK(r.commitment() == commit_replica(over_sealed.roots()));
  for (std::uint64_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    const auto proof = r.prove(i);
    REQUIRE_MESSAGE(proof.has_value(), why(proof));
    CHECK(proof->feed_path == feed.feed_path(i));
    const auto verified =
        verify_storage_proof(*proof, r.commitment(), r.head().feed_roots, encoder().public_part(), feed.key);
    CHECK_MESSAGE(verified.has_value(), why(verified));
  }
  CHECK(r.prove(5).err().code == errc::out_of_range);
}

TEST_CASE("read serves every original block with a path readers verify against the feed roots") {
  const stored_replica s(1, 5);
  const auto& r = s.r;
  for (std::uint64_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    const auto proof = r.read(i);
    REQUIRE_MESSAGE(proof.has_value(), why(proof));
    CHECK(proof->index == i);
    CHECK(proof->value == s.feed.blocks[i]);
    CHECK(proof->value != s.feed.sealed[i]);
    const auto verified = verify_block(*proof, r.head().feed_roots);
    CHECK_MESSAGE(verified.has_value(), why(verified));
    CHECK(read_verifies(r, s.feed, i));
  }
  CHECK(r.read(5).err().code == errc::out_of_range);
  CHECK(r.feed_path(5).err().code == errc::out_of_range);
}

TEST_CASE("a replica reopens with the same commitment, feed roots and bytes") {
  temp_dir tmp;
  const sealed_feed feed(key_for_slot(0), 4);
  replica_commitment before;
  replica_head head_before;
  {
    auto env = open_env(tmp);
    const auto store = replica_store::open(env).value();
    auto r = create_replica(store, {feed_key, 0}, feed);
    REQUIRE(fill(r, feed, 0, 4));
    before = r.commitment();
    head_before = r.head();
  }
  auto env = open_env(tmp);
  const auto store = replica_store::open(env).value();
  const auto r = replica::open(store, {feed_key, 0});
  REQUIRE_MESSAGE(r.has_value(), why(r));
  CHECK(r->commitment() == before);
  CHECK(r->head() == head_before);
  CHECK(r->head().encoder_key == encoder().public_part().public_key_bytes());
  CHECK(r->head().feed_roots == feed.tree.roots());
  for (std::uint64_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    CHECK(r->sealed(i).value() == feed.sealed[i]);
    CHECK(r->plain_size(i).value() == feed.plain_sizes[i]);
    CHECK(r->feed_path(i).value() == feed.feed_path(i));
    CHECK(challenge(*r, feed, i));
    CHECK(read_verifies(*r, feed, i));
  }
  const auto verified = r->verify_all();
  CHECK_MESSAGE(verified.has_value(), why(verified));
}

TEST_CASE("a replica filled in two runs commits to the longer tree and proves blocks of both") {
  temp_dir tmp;
  const sealed_feed feed(key_for_slot(0), 6);
  replica_commitment full;
  {
    auto env = open_env(tmp);
    const auto store = replica_store::open(env).value();
    auto r = create_replica(store, {feed_key, 0}, feed);
    REQUIRE(fill(r, feed, 0, 3));
    const auto half = r.commitment();
    CHECK(half.length == 3);
    for (std::uint64_t i = 0; i < 3; ++i) CHECK(challenge(r, feed, i));
    CHECK(r.verify_all());

    REQUIRE(fill(r, feed, 3, 3));
    full = r.commitment();
    CHECK(full != half);
    CHECK(full.length == 6);
    for (std::uint64_t i = 0; i < 6; ++i) {
      CAPTURE(i);
      const auto verified = challenge(r, feed, i);
      CHECK_MESSAGE(verified.has_value(), why(verified));
      CHECK(read_verifies(r, feed, i));
    }
  }
  auto env = open_env(tmp);
  const auto store = replica_store::open(env).value();
  const auto r = replica::open(store, {feed_key, 0});
  REQUIRE_MESSAGE(r.has_value(), why(r));
  CHECK(r->commitment() == full);
  CHECK(r->verify_all());
}

TEST_CASE("a replica follows a growing feed and stays provable at the length it had") {
  stored_replica s(0, 5);
  auto& r = s.r;
  auto& feed = s.feed;
  const auto old_roots = feed.tree.roots();
  const auto old_commitment = r.commitment();
  const auto first_new = feed.grow(4);
  CHECK(r.grow(old_roots).err().code == errc::invalid_argument);  // not longer
  REQUIRE(r.grow(feed.tree.roots()));
  CHECK(r.head().feed_roots == feed.tree.roots());
  CHECK(r.head().length == 5);

  auto at_old_length = [&](std::uint64_t i) -> result<void> {
    DATDOT_TRY(proof, r.prove(i, 5));
    return verify_storage_proof(proof, old_commitment, old_roots, encoder().public_part(), feed.key);
  };
  REQUIRE(fill(r, feed, first_new, 2));
  for (std::uint64_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    CHECK(at_old_length(i));  // what the chain agreed while the extension goes on
    CHECK(verify_block(r.read(i, 5).value(), old_roots));
  }
  CHECK(r.feed_roots(5).value() == old_roots);
  CHECK(r.prove(5, 5).err().code == errc::out_of_range);
  CHECK(r.prove(0, 8).err().code == errc::out_of_range);  // not filled that far yet
  REQUIRE(fill(r, feed, first_new + 2, 2));
  CHECK(r.head().length == 9);
  CHECK(r.feed_roots(9).value() == feed.tree.roots());
  for (std::uint64_t i = 0; i < 9; ++i) {
    CAPTURE(i);
    const auto verified = challenge(r, feed, i);
    CHECK_MESSAGE(verified.has_value(), why(verified));
    CHECK(read_verifies(r, feed, i));
    CHECK(r.feed_path(i).value() == feed.feed_path(i));
  }
  CHECK(at_old_length(2));
  const auto reopened = replica::open(s.store, s.id);
  REQUIRE_MESSAGE(reopened.has_value(), why(reopened));
  CHECK(reopened->verify_all());
  CHECK(reopened->commitment() == r.commitment());
}

TEST_CASE("the encoder's signed commitment is kept with its run, replaced by the next, and survives reopening") {
  temp_dir tmp;
  const sealed_feed feed(key_for_slot(0), 6);
  const replica_id id{feed_key, 0};
  const auto first_run = evidence_after(feed, 3, 0x11);
  const auto second_run = evidence_after(feed, 6, 0x22);
  {
    auto env = open_env(tmp);
    const auto store = replica_store::open(env).value();
    auto r = create_replica(store, id, feed);
    CHECK(r.evidence().value() == std::nullopt);
    REQUIRE(fill(r, feed, 0, 3, first_run));
    CHECK(r.evidence().value() == first_run);
    REQUIRE(fill(r, feed, 3, 3, second_run));
    CHECK(r.evidence().value() == second_run);
    // A run sent again adds nothing: the evidence of the longer tree stays.
    REQUIRE(fill(r, feed, 0, 3, evidence_after(feed, 3, 0x33)));
    CHECK(r.evidence().value() == second_run);
  }
  auto env = open_env(tmp);
  const auto store = replica_store::open(env).value();
  CHECK(store.evidence(id).value() == second_run);
  REQUIRE(store.erase(id));
  CHECK(store.evidence(id).value() == std::nullopt);
}

TEST_CASE("a run without the encoder's signed commitment drops the one kept, writes that add no block keep it") {
  stored_replica s(0, 6, 2);
  const auto signed_run = evidence_after(s.feed, 4, 0x44);
  REQUIRE(fill(s.r, s.feed, 2, 2, signed_run));
  REQUIRE(fill(s.r, s.feed, 4, 0));
  CHECK(s.r.evidence().value() == signed_run);
  s.feed.grow(2);
  REQUIRE(s.r.grow(s.feed.tree.roots()));
  CHECK(s.r.evidence().value() == signed_run);
  REQUIRE(fill(s.r, s.feed, 4, 2));
  CHECK(s.r.evidence().value() == std::nullopt);
}

TEST_CASE("a stored commitment record of the wrong size or version does not decode") {
  stored_replica s(0, 2, 0);
  REQUIRE(fill(s.r, s.feed, 0, 2, evidence_after(s.feed, 2, 0x55)));
  const auto key = record_key(0, 0);
  const bytes id_key(key.begin(), key.begin() + 36);
  const auto good = s.raw("replica_evidence", id_key);
  REQUIRE(good.size() == 1 + 32 + 8 + 64);
  SUBCASE("truncated") {
    s.overwrite("replica_evidence", id_key, byte_view{good}.first(good.size() - 1));
  }
  SUBCASE("another version") {
    auto other = good;
    other[0] = 2;
    s.overwrite("replica_evidence", id_key, other);
  }
  CHECK(s.store.evidence(s.id).err().code == errc::corrupt_data);
}

TEST_CASE("a run sent again from an earlier block is taken if it is the blocks kept, and only the rest is added") {
  stored_replica s(0, 6, 4);
  auto& r = s.r;
  auto& feed = s.feed;
  const auto held = r.commitment();
  const auto held_tree = r.tree();
  CHECK(r.tree(4).value().roots() == held_tree.roots());
  CHECK(r.tree(2).value().length() == 2);
  CHECK(r.tree(5).err().code == errc::out_of_range);

  REQUIRE(fill(r, feed, 2, 2));  // within what it holds
  CHECK(r.commitment() == held);
  auto flipped = feed.sealed_from(1).first(2);
  std::vector<bytes> other(flipped.begin(), flipped.end());
  other[1][7] ^= 1;
  const auto paths = feed.paths_from(1);
  CHECK(r.append(1, other, feed.sizes_from(1).first(2), std::span{paths}.first(2), std::nullopt).err().code ==
        errc::invalid_argument);
  CHECK(fill(r, feed, 5, 1).err().code == errc::invalid_argument);  // a gap after block 3
  CHECK(r.commitment() == held);

  REQUIRE(fill(r, feed, 2, 4));  // across the end
  CHECK(r.head().length == 6);
  const auto reopened = replica::open(s.store, s.id);
  REQUIRE_MESSAGE(reopened.has_value(), why(reopened));
  CHECK(reopened->verify_all());
  for (std::uint64_t i = 0; i < 6; ++i) CHECK(challenge(*reopened, feed, i));
}

TEST_CASE("an appended block whose feed path does not reach the feed roots is refused") {
  stored_replica s(0, 5, 3);
  auto paths = s.feed.paths_from(3);
  paths[0][0].hash[3] ^= 1;  // block 3 (leaf 6) has leaf 4 and node 1 on its path
  CHECK(s.r.append(3, s.feed.sealed_from(3), s.feed.sizes_from(3), paths, std::nullopt).err().code == errc::verification_failed);
  CHECK(s.r.head().length == 3);
}

TEST_CASE("failed appends and creates leave the replica as it was") {
  stored_replica s(0, 5, 3);
  auto& r = s.r;
  auto& feed = s.feed;
  const auto& store = s.store;
  const auto& id = s.id;
  const auto commitment = r.commitment();
  const auto head = r.head();
  const std::size_t first_new = 3;
  const auto new_paths = feed.paths_from(first_new);

  auto unchanged = [&] {
    CHECK(r.commitment() == commitment);
    CHECK(r.head() == head);
    const auto reopened = replica::open(store, id);
    REQUIRE_MESSAGE(reopened.has_value(), why(reopened));
    CHECK(reopened->head() == head);
    CHECK(reopened->commitment() == commitment);
    for (std::uint64_t i = head.length; i < feed.blocks.size(); ++i) {
      CAPTURE(i);
      CHECK(store.sealed(id, i).err().code == errc::not_found);
      CHECK(store.plain_size(id, i).err().code == errc::not_found);
    }
  };

  SUBCASE("fewer plain sizes than sealed blocks") {
    CHECK(r.append(first_new, feed.sealed_from(first_new), feed.sizes_from(first_new + 1), new_paths, std::nullopt).err().code ==
          errc::invalid_argument);
    unchanged();
  }
  SUBCASE("fewer feed paths than sealed blocks") {
    CHECK(r.append(first_new, feed.sealed_from(first_new), feed.sizes_from(first_new), std::span{new_paths}.first(1),
                   std::nullopt)
              .err()
              .code == errc::invalid_argument);
    unchanged();
  }
  SUBCASE("more feed paths than sealed blocks") {
    auto paths = new_paths;
    paths.push_back(paths.back());
    CHECK(r.append(first_new, feed.sealed_from(first_new), feed.sizes_from(first_new), paths, std::nullopt).err().code ==
          errc::invalid_argument);
    unchanged();
  }
  SUBCASE("a feed path longer than any tree's") {
    auto paths = new_paths;
    paths.back().resize(65);
    CHECK(r.append(first_new, feed.sealed_from(first_new), feed.sizes_from(first_new), paths, std::nullopt).err().code ==
          errc::invalid_argument);
    unchanged();
  }
  SUBCASE("a sealed block of the wrong size for its plain size") {
    const auto new_sizes = feed.sizes_from(first_new);
    std::vector<std::uint64_t> sizes(new_sizes.begin(), new_sizes.end());
    sizes.back() += 300;
    CHECK(r.append(first_new, feed.sealed_from(first_new), sizes, new_paths, std::nullopt).err().code == errc::invalid_argument);
    unchanged();
  }
  SUBCASE("blocks past the length of the feed roots") {
    feed.grow(1);
    CHECK(fill(r, feed, first_new, 3).err().code == errc::invalid_argument);
    unchanged();
  }
  SUBCASE("creating it again") {
    const auto other = rabin_williams::from_seed(key_seed{8});
    CHECK(replica::create(store, id, key_for_slot(9), other->public_part().codec(),
                          other->public_part().public_key_bytes(), feed.tree.roots())
              .err()
              .code == errc::already_exists);
    unchanged();
    CHECK(replica::open(store, id)->head().encoder_key == encoder().public_part().public_key_bytes());
  }
  SUBCASE("appending through a handle that another append made stale") {
    auto stale = replica::open(store, id).value();
    REQUIRE(fill(r, feed, first_new, 2));
    CHECK(fill(stale, feed, first_new, 2).err().code == errc::invalid_argument);
    const auto reopened = replica::open(store, id).value();
    CHECK(reopened.commitment() == r.commitment());
    CHECK(reopened.verify_all());
  }
}

TEST_CASE("create refuses feed roots that are not the roots of a tree, and writes nothing") {
  temp_dir tmp;
  auto env = open_env(tmp);
  const auto store = replica_store::open(env).value();
  const sealed_feed feed(key_for_slot(0), 5);
  REQUIRE(feed.tree.roots().size() == 2);
  const replica_id id{feed_key, 0};
  const auto created = replica::create(store, id, feed.key, encoder().public_part().codec(),
                                       encoder().public_part().public_key_bytes(), {feed.tree.roots().back()});
  CHECK(created.err().code == errc::invalid_argument);
  CHECK(store.head(id).value() == std::nullopt);
}

TEST_CASE("a head record that is not a version 3 head with at most 64 feed roots does not decode") {
  stored_replica s(0, 1);
  const auto key = record_key(0, 0);
  const bytes head_key(key.begin(), key.begin() + 36);
  const auto good = s.raw("replica_heads", head_key);
  constexpr std::size_t roots_at = 1 + 1 + 32 + 8 + 32;
  REQUIRE(get_u64le(good.data() + roots_at) == 1);
  const bytes encoder_key(good.begin() + roots_at + 8 + 48, good.end());
  REQUIRE(encoder_key == encoder().public_part().public_key_bytes());

  auto with_roots = [&](std::uint64_t count) {
    bytes out(good.begin(), good.begin() + roots_at);
    put_u64le(out, count);
    const auto root = good.begin() + roots_at + 8;
    for (std::uint64_t i = 0; i < count; ++i) out.insert(out.end(), root, root + 48);
    out.insert(out.end(), encoder_key.begin(), encoder_key.end());
    return out;
  };
  // The well-formed control: the same record rebuilt decodes, so the failures below are the count's.
  s.overwrite("replica_heads", head_key, with_roots(64));
  CHECK(s.store.head(s.id).value()->feed_roots.size() == 64);

  SUBCASE("65 roots") {
    s.overwrite("replica_heads", head_key, with_roots(65));
    CHECK(s.store.head(s.id).err().code == errc::corrupt_data);
  }
  SUBCASE("a count past the end of the record") {
    auto claimed = with_roots(1);
    claimed[roots_at] = 40;
    s.overwrite("replica_heads", head_key, claimed);
    CHECK(s.store.head(s.id).err().code == errc::corrupt_data);
  }
  SUBCASE("the old formats (no feed roots; one feed path per block)") {
    for (const byte version : {byte{1}, byte{2}}) {
      auto old = good;
      old[0] = version;
      s.overwrite("replica_heads", head_key, old);
      CHECK(s.store.head(s.id).err().code == errc::corrupt_data);
      CHECK(replica::open(s.store, s.id).err().code == errc::corrupt_data);
    }
  }
}

TEST_CASE("a flipped byte in a stored sealed block is named by verify and fails its challenge") {
  stored_replica s(3, 5);
  const auto& r = s.r;
  const auto& feed = s.feed;
  REQUIRE(r.verify_all());

  auto damaged = feed.sealed[2];
  damaged[damaged.size() / 2] ^= 0x10;
  s.overwrite("replica_blocks", record_key(3, 2), damaged);
  REQUIRE(r.sealed(2).value() == damaged);

  const auto verified = r.verify_all();
  REQUIRE_FALSE(verified);
  CHECK(verified.err().code == errc::verification_failed);
  CHECK(verified.err().message.find("block 2 ") != std::string::npos);
  CHECK_FALSE(challenge(r, feed, 2));
  CHECK(challenge(r, feed, 1));
  CHECK(challenge(r, feed, 3));
}

TEST_CASE("a damaged stored feed tree node is named by verify and read serves a proof readers reject") {
  stored_replica s(2, 5);
  const auto& r = s.r;
  const auto& feed = s.feed;
  REQUIRE(r.verify_all());
  // Block 2 of 5 (leaf 4) has leaf 6 (block 3) and node 1 on its path to root 3.
  const auto key = record_key(2, 6);
  auto path = s.raw("replica_feed_nodes", key);
  REQUIRE(path.size() == 8 + 32);

  SUBCASE("a flipped byte of a sibling's hash") {
    path[8 + 5] ^= 0x01;
    s.overwrite("replica_feed_nodes", key, path);

    const auto verified = r.verify_all();
    REQUIRE_FALSE(verified);
    CHECK(verified.err().code == errc::verification_failed);
    CHECK(verified.err().message.find("block 2 ") != std::string::npos);

    const auto proof = r.read(2);
    REQUIRE_MESSAGE(proof.has_value(), why(proof));
    CHECK(proof->value == feed.blocks[2]);
    CHECK_FALSE(verify_block(*proof, r.head().feed_roots));
    CHECK_FALSE(challenge(r, feed, 2));
  }
  SUBCASE("a truncated record") {
    path.pop_back();
    s.overwrite("replica_feed_nodes", key, path);

    CHECK(r.feed_path(2).err().code == errc::corrupt_data);
    CHECK(r.read(2).err().code == errc::corrupt_data);
    const auto verified = r.verify_all();
    REQUIRE_FALSE(verified);
    CHECK(verified.err().message.find("block 2") != std::string::npos);
  }
  CHECK(read_verifies(r, feed, 1));
  CHECK(read_verifies(r, feed, 3));
  CHECK(challenge(r, feed, 1));
}

TEST_CASE("replicas of one feed in different slots are independent") {
  temp_dir tmp;
  auto env = open_env(tmp);
  const auto store = replica_store::open(env).value();
  const sealed_feed first(key_for_slot(0), 3);
  const sealed_feed second(key_for_slot(1), 3);
  REQUIRE(first.blocks == second.blocks);
  REQUIRE(first.sealed != second.sealed);
  const replica_id id0{feed_key, 0};
  const replica_id id1{feed_key, 1};
  auto r0 = create_replica(store, id0, first);
  auto r1 = create_replica(store, id1, second);
  REQUIRE(fill(r0, first, 0, 3));
  REQUIRE(fill(r1, second, 0, 3));
  CHECK(r0.commitment() != r1.commitment());
  CHECK(store.list().value() == std::vector<replica_id>{id0, id1});
  auto sealed_bytes_of = [](const sealed_feed& f) {
    std::uint64_t n = 0;
    for (const auto& b : f.sealed) n += b.size();
    return n;
  };
  CHECK(store.sealed_bytes().value() == sealed_bytes_of(first) + sealed_bytes_of(second));

  REQUIRE(store.erase(id0));
  CHECK(store.list().value() == std::vector<replica_id>{id1});
  CHECK(store.sealed_bytes().value() == sealed_bytes_of(second));
  CHECK(replica::open(store, id0).err().code == errc::not_found);
  CHECK(store.sealed(id0, 0).err().code == errc::not_found);
  CHECK(store.node(id0, 0).err().code == errc::not_found);
  CHECK(store.feed_node(id0, 0).err().code == errc::not_found);

  const auto kept = replica::open(store, id1);
  REQUIRE_MESSAGE(kept.has_value(), why(kept));
  CHECK(kept->commitment() == r1.commitment());
  CHECK(kept->verify_all());
  for (std::uint64_t i = 0; i < 3; ++i) {
    CHECK(challenge(*kept, second, i));
    CHECK(read_verifies(*kept, second, i));
  }
}

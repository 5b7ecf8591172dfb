// The replica store: a stored replica answers storage challenges the chain
// accepts, survives reopening and extension, fails appends without a trace,
// names a damaged block, serves the original bytes, and keeps replicas apart.
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

  std::vector<tree_node> feed_path(std::uint64_t index) const {
    const node_lookup lookup = [this](std::uint64_t i) -> result<tree_node> { return nodes.at(i); };
    return block_path(lookup, tree.length(), index).value();
  }
};

environment open_env(const temp_dir& tmp) {
  auto env = environment::open({.dir = tmp.path(), .durable = false});
  REQUIRE_MESSAGE(env.has_value(), why(env));
  return std::move(*env);
}

replica create_replica(const replica_store& store, const replica_id& id, const replica_key& key) {
  auto r = replica::create(store, id, key, encoder().public_part().codec(), encoder().public_part().public_key_bytes());
  REQUIRE_MESSAGE(r.has_value(), why(r));
  return std::move(*r);
}

result<void> challenge(const replica& r, const sealed_feed& feed, std::uint64_t index) {
  DATDOT_TRY(proof, r.prove(index, feed.feed_path(index)));
  return verify_storage_proof(proof, r.commitment(), feed.tree.roots(), encoder().public_part(), feed.key);
}

const hash32 feed_key = [] {
  hash32 k{};
  k.fill(0x42);
  return k;
}();

// One replica of a feed, stored whole in a scratch environment.
struct stored_replica {
  temp_dir tmp;
  environment env;
  replica_store store;
  sealed_feed feed;
  replica_id id;
  replica r;

  stored_replica(std::uint32_t slot, std::size_t length)
      : env(open_env(tmp)),
        store(replica_store::open(env).value()),
        feed(key_for_slot(slot), length),
        id{feed_key, slot},
        r(create_replica(store, id, feed.key)) {
    REQUIRE(r.append(feed.sealed, feed.plain_sizes));
  }
};

}  // namespace

TEST_CASE("every block of a stored replica answers a challenge the chain accepts") {
  const stored_replica s(0, 5);
  const auto& r = s.r;
  const auto& feed = s.feed;

  CHECK(r.head().length == 5);
  std::vector<tree_node> unused;
  merkle_tree over_sealed;
  for (const auto& s : feed.sealed) over_sealed.append(s, unused);
  CHECK(r.commitment() == commit_replica(over_sealed.roots()));
  for (std::uint64_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    const auto verified = challenge(r, feed, i);
    CHECK_MESSAGE(verified.has_value(), why(verified));
  }
  CHECK(r.prove(5, {}).err().code == errc::out_of_range);
}

TEST_CASE("a replica reopens with the same commitment and bytes") {
  temp_dir tmp;
  const sealed_feed feed(key_for_slot(0), 4);
  replica_commitment before;
  replica_head head_before;
  {
    auto env = open_env(tmp);
    const auto store = replica_store::open(env).value();
    auto r = create_replica(store, {feed_key, 0}, feed.key);
    REQUIRE(r.append(feed.sealed, feed.plain_sizes));
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
  for (std::uint64_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    CHECK(r->sealed(i).value() == feed.sealed[i]);
    CHECK(r->plain_size(i).value() == feed.plain_sizes[i]);
    CHECK(challenge(*r, feed, i));
  }
  const auto verified = r->verify_all();
  CHECK_MESSAGE(verified.has_value(), why(verified));
}

TEST_CASE("an extended replica commits to the longer tree and proves old and new blocks") {
  temp_dir tmp;
  sealed_feed feed(key_for_slot(0), 3);
  replica_commitment grown;
  {
    auto env = open_env(tmp);
    const auto store = replica_store::open(env).value();
    auto r = create_replica(store, {feed_key, 0}, feed.key);
    REQUIRE(r.append(feed.sealed, feed.plain_sizes));
    const auto short_commitment = r.commitment();

    const auto first_new = feed.grow(3);
    REQUIRE(r.append(feed.sealed_from(first_new), feed.sizes_from(first_new)));
    grown = r.commitment();
    CHECK(grown != short_commitment);
    CHECK(grown.length == 6);
    for (std::uint64_t i = 0; i < 6; ++i) {
      CAPTURE(i);
      const auto verified = challenge(r, feed, i);
      CHECK_MESSAGE(verified.has_value(), why(verified));
    }
  }
  auto env = open_env(tmp);
  const auto store = replica_store::open(env).value();
  const auto r = replica::open(store, {feed_key, 0});
  REQUIRE_MESSAGE(r.has_value(), why(r));
  CHECK(r->commitment() == grown);
  CHECK(r->verify_all());
}

TEST_CASE("failed appends and creates leave the replica as it was") {
  stored_replica s(0, 3);
  auto& r = s.r;
  auto& feed = s.feed;
  const auto& store = s.store;
  const auto& id = s.id;
  const auto commitment = r.commitment();
  const auto head = r.head();
  const auto first_new = feed.grow(2);

  auto unchanged = [&] {
    CHECK(r.commitment() == commitment);
    CHECK(r.head() == head);
    const auto reopened = replica::open(store, id);
    REQUIRE_MESSAGE(reopened.has_value(), why(reopened));
    CHECK(reopened->head() == head);
    CHECK(reopened->commitment() == commitment);
    CHECK(store.sealed(id, head.length).err().code == errc::not_found);
    CHECK(store.plain_size(id, head.length).err().code == errc::not_found);
  };

  SUBCASE("fewer plain sizes than sealed blocks") {
    CHECK(r.append(feed.sealed_from(first_new), feed.sizes_from(first_new + 1)).err().code ==
          errc::invalid_argument);
    unchanged();
  }
  SUBCASE("a sealed block of the wrong size for its plain size") {
    const auto new_sizes = feed.sizes_from(first_new);
    std::vector<std::uint64_t> sizes(new_sizes.begin(), new_sizes.end());
    sizes.back() += 300;
    CHECK(r.append(feed.sealed_from(first_new), sizes).err().code == errc::invalid_argument);
    unchanged();
  }
  SUBCASE("creating it again") {
    const auto other = rabin_williams::from_seed(key_seed{8});
    CHECK(replica::create(store, id, key_for_slot(9), other->public_part().codec(),
                          other->public_part().public_key_bytes())
              .err()
              .code == errc::already_exists);
    unchanged();
    CHECK(replica::open(store, id)->head().encoder_key == encoder().public_part().public_key_bytes());
  }
  SUBCASE("appending through a handle that another append made stale") {
    auto stale = replica::open(store, id).value();
    REQUIRE(r.append(feed.sealed_from(first_new), feed.sizes_from(first_new)));
    CHECK(stale.append(feed.sealed_from(first_new), feed.sizes_from(first_new)).err().code ==
          errc::invalid_argument);
    const auto reopened = replica::open(store, id).value();
    CHECK(reopened.commitment() == r.commitment());
    CHECK(reopened.verify_all());
  }
}

TEST_CASE("a flipped byte in a stored sealed block is named by verify and fails its challenge") {
  stored_replica s(3, 5);
  const auto& r = s.r;
  const auto& feed = s.feed;
  REQUIRE(r.verify_all());

  // Damage block 2 behind the store's back, as a bad disk would.
  const auto blocks = s.env.open_db("replica_blocks").value();
  bytes key(feed_key.begin(), feed_key.end());
  const bytes slot_3_index_2{0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 2};
  key.insert(key.end(), slot_3_index_2.begin(), slot_3_index_2.end());
  auto damaged = feed.sealed[2];
  damaged[damaged.size() / 2] ^= 0x10;
  REQUIRE(s.env.update([&](write_txn& txn) { return txn.put(blocks, key, damaged); }));
  REQUIRE(r.sealed(2).value() == damaged);

  const auto verified = r.verify_all();
  REQUIRE_FALSE(verified);
  CHECK(verified.err().code == errc::verification_failed);
  CHECK(verified.err().message.find("block 2 ") != std::string::npos);
  CHECK_FALSE(challenge(r, feed, 2));
  CHECK(challenge(r, feed, 1));
  CHECK(challenge(r, feed, 3));
}

TEST_CASE("original unseals the stored blocks back to the feed's blocks") {
  const stored_replica s(1, 4);
  const auto& r = s.r;
  for (std::uint64_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    const auto plain = r.original(i);
    REQUIRE_MESSAGE(plain.has_value(), why(plain));
    CHECK(*plain == s.feed.blocks[i]);
    CHECK(*plain != s.feed.sealed[i]);
  }
  CHECK(r.original(4).err().code == errc::out_of_range);
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
  auto r0 = create_replica(store, id0, first.key);
  auto r1 = create_replica(store, id1, second.key);
  REQUIRE(r0.append(first.sealed, first.plain_sizes));
  REQUIRE(r1.append(second.sealed, second.plain_sizes));
  CHECK(r0.commitment() != r1.commitment());
  CHECK(store.list().value() == std::vector<replica_id>{id0, id1});

  REQUIRE(store.erase(id0));
  CHECK(store.list().value() == std::vector<replica_id>{id1});
  CHECK(replica::open(store, id0).err().code == errc::not_found);
  CHECK(store.sealed(id0, 0).err().code == errc::not_found);
  CHECK(store.node(id0, 0).err().code == errc::not_found);

  const auto kept = replica::open(store, id1);
  REQUIRE_MESSAGE(kept.has_value(), why(kept));
  CHECK(kept->commitment() == r1.commitment());
  CHECK(kept->verify_all());
  for (std::uint64_t i = 0; i < 3; ++i) CHECK(challenge(*kept, second, i));
}

// The finality invariants fire: two stores that finalized different blocks at
// one height, and a store whose finalized height went back, are caught and
// named. The stores are written directly, as a faulty node would leave them.
#include <doctest/doctest.h>

#include "actors/sim/finality_checker.hpp"
#include "support/temp_dir.hpp"

using namespace datdot;
using datdot::storage::testing::temp_dir;

namespace {

block_hash hash_of_byte(std::uint8_t b) {
  block_hash h{};
  h.bytes.fill(b);
  return h;
}

// A node's store with genesis at 0 and `chain` finalized above it.
struct node_store {
  temp_dir dir;
  storage::environment env;
  storage::chain_store store;
  node_store()
      : env(storage::environment::open({.dir = dir.path(), .durable = false}).value()),
        store(storage::chain_store::open(env).value()) {
    finalize({hash_of_byte(0)});
  }
  // Appends blocks with these hashes after the current finalized head.
  void finalize(const std::vector<block_hash>& hashes) {
    auto head = store.finalized().value();
    auto number = head ? head->number.value + 1 : 0;
    auto parent = head ? head->hash : block_hash{};
    std::vector<storage::stored_block_ref> path;
    for (const auto& h : hashes) {
      storage::stored_block_ref ref{h, block_number{number++}, parent};
      REQUIRE(store.put_block(ref, bytes{1, 2, 3}).has_value());
      path.push_back(ref);
      parent = h;
    }
    REQUIRE(store.finalize(path, byte_view{}).has_value());
  }
};

}  // namespace

TEST_CASE("nodes finalizing the same blocks pass and each new height is reported once") {
  node_store a, b;
  a.finalize({hash_of_byte(1), hash_of_byte(2)});
  b.finalize({hash_of_byte(1)});
  finality_checker checker{2, hash_of_byte(0)};
  CHECK_FALSE(checker.check(0, a.store));
  CHECK_FALSE(checker.check(1, b.store));
  CHECK(checker.highest() == 2);
  CHECK(checker.height_of(1) == 1);
  const auto fresh = checker.take_first_finalities();
  REQUIRE(fresh.size() == 2);
  CHECK(fresh[0].number.value == 1);
  CHECK(fresh[1].node == 0);
  CHECK(checker.take_first_finalities().empty());
  b.finalize({hash_of_byte(2)});
  CHECK_FALSE(checker.check(1, b.store));
  CHECK(checker.take_first_finalities().empty());  // node 0 finalized height 2 first
}

TEST_CASE("two different finalized blocks at one height are a violation naming both nodes") {
  node_store a, b;
  a.finalize({hash_of_byte(1), hash_of_byte(2)});
  b.finalize({hash_of_byte(1), hash_of_byte(9)});
  finality_checker checker{2, hash_of_byte(0)};
  CHECK_FALSE(checker.check(0, a.store));
  const auto bad = checker.check(1, b.store);
  REQUIRE(bad);
  CHECK(bad->invariant == "finalized_prefix_agrees");
  CHECK(bad->node == 1);
  CHECK(bad->detail.find("height 2") != std::string::npos);
  CHECK(bad->detail.find("node 0") != std::string::npos);
}

TEST_CASE("a node whose finalized height goes back is a violation") {
  node_store a, shorter;
  a.finalize({hash_of_byte(1), hash_of_byte(2)});
  shorter.finalize({hash_of_byte(1)});
  finality_checker checker{1, hash_of_byte(0)};
  CHECK_FALSE(checker.check(0, a.store));
  // The same node, as if it came back from a store that lost a finalized block.
  const auto bad = checker.check(0, shorter.store);
  REQUIRE(bad);
  CHECK(bad->invariant == "finality_monotonic");
  CHECK(bad->detail.find("from 2 to 1") != std::string::npos);
}

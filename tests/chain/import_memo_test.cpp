// The simulation's block-import memo (protocol/chain/import_memo.hpp): while a
// scope is open a block is applied once per process and its nodes share the
// state; a block the memo has not seen (another body under the same header
// included) is still checked in full.
#include <doctest/doctest.h>

#include "chain/chain_fixture.hpp"
#include "protocol/chain/block_tree.hpp"
#include "protocol/chain/import_memo.hpp"

using namespace datdot;
using namespace datdot::test;

TEST_CASE("while a memo scope is open each block is applied once and the nodes share its state") {
  chain_fixture f{4};
  const auto& u = f.users[0];
  const std::vector<extrinsic> xs{make_extrinsic(f.chain(), u, 0, transfer_ratio{id_of(f.users[1]), ratio{5}})};
  const auto b1 = f.build(f.gen.state, f.gen.hash, slot_number{1}, xs);
  auto other_body = b1.b;  // the same header over another transfer
  other_body.extrinsics = {make_extrinsic(f.chain(), u, 0, transfer_ratio{id_of(f.users[1]), ratio{6}})};

  const auto before = import_memo_counts();
  {
    sim_memo_scope scope;
    block_tree first{f.gen}, second{f.gen};
    REQUIRE(first.import(b1.b));
    const auto imported = second.import(b1.b);
    REQUIRE(imported);
    CHECK(imported->events == b1.applied.events);
    CHECK(imported->tx_hashes == std::vector{hash_of(xs[0])});
    CHECK(imported->tx_hashes == b1.applied.tx_hashes);
    const auto h = hash_of(b1.b);
    CHECK(first.find(h)->state_after == second.find(h)->state_after);  // one shared copy
    CHECK(state_root(second.find(h)->state()) == b1.b.header.header.state_root);
    const auto during = import_memo_counts();
    CHECK(during.misses == before.misses + 1);
    CHECK(during.hits == before.hits + 1);

    block_tree third{f.gen};
    CHECK(third.import(other_body).err().code == chain_errc::bad_extrinsics_root);
    CHECK(import_memo_counts().hits == during.hits);
  }
  // Closed: every import applies the block again.
  const auto closed = import_memo_counts();
  block_tree fourth{f.gen}, fifth{f.gen};
  REQUIRE(fourth.import(b1.b));
  REQUIRE(fifth.import(b1.b));
  CHECK(fourth.find(hash_of(b1.b))->state_after != fifth.find(hash_of(b1.b))->state_after);
  CHECK(import_memo_counts().hits == closed.hits);
  CHECK(import_memo_counts().misses == closed.misses);
}

TEST_CASE("a block decoded from known bytes is compared by those bytes and not encoded again") {
  chain_fixture f{4};
  const auto b1 = f.build(f.gen.state, f.gen.hash, slot_number{1});
  const auto h1 = hash_of(b1.b);
  const auto wire = encode_block(b1.b);
  CHECK_FALSE(known_block_bytes::of(h1));
  {
    const known_block_bytes known{h1, wire};
    REQUIRE(known_block_bytes::of(h1));
    CHECK(known_block_bytes::of(h1)->data() == wire.data());  // taken as given
    const auto b2 = f.build(b1.applied.state, h1, slot_number{2});
    CHECK_FALSE(known_block_bytes::of(hash_of(b2.b)));  // another block
  }
  CHECK_FALSE(known_block_bytes::of(h1));  // gone with its scope

  sim_memo_scope scope;
  const auto before = import_memo_counts();
  block_tree first{f.gen}, second{f.gen}, third{f.gen};
  {
    const known_block_bytes known{h1, wire};
    REQUIRE(first.import(b1.b));
  }
  REQUIRE(second.import(b1.b));  // encoded again: the same bytes, so found
  CHECK(import_memo_counts().misses == before.misses + 1);
  CHECK(import_memo_counts().hits == before.hits + 1);
  // Bytes other than those remembered do not match, whatever the header.
  auto other = wire;
  other.back() ^= byte{1};
  {
    const known_block_bytes known{h1, other};
    REQUIRE(third.import(b1.b));  // applied in full: the block itself is valid
  }
  CHECK(import_memo_counts().misses == before.misses + 2);
  CHECK(import_memo_counts().hits == before.hits + 1);
}

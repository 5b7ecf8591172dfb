// Sealing disputes on chain (sealing_dispute.hpp): a hoster proves that the
// replica's encoder signed a sealed block that does not unseal to the feed's
// block, and the encoder is convicted, pays the feed and loses the replica to
// another encoder; a dispute that does not hold changes nothing; a hoster
// that neither agrees with the encoder's root nor disputes within the window
// is named instead. Ratio is moved, never made, and no balance goes below zero.
#include <doctest/doctest.h>

#include "chain/sealing_fixture.hpp"
#include "protocol/chain/chain_limits.hpp"

using namespace datdot;
using namespace datdot::test;

TEST_CASE("an encoder that signed a wrongly sealed block is convicted and the replica goes to another encoder") {
  sealing t;
  const auto total = t.h.total_ratio();
  const auto backing = t.h.s.feeds.at(t.key).backing;
  // The encoder commits to its (bad) replica; the hoster, which refused block 3, disputes it.
  const auto root = blake2b_256(as_bytes("the encoder's tree"));
  t.h.apply(t.encoder(), submit_replica_root{t.key, 0, root, feed_length});
  t.h.events.clear();
  t.h.apply(t.hoster(), t.bad_block_dispute(3));

  const auto convicted = events_of<encoder_convicted>(t.h.events);
  REQUIRE(convicted.size() == 1);
  CHECK(convicted[0] == encoder_convicted{t.key, 0, t.r.encoder, 3, ratio{sealing_price}});
  CHECK(t.balance(t.r.encoder) == ratio{4 * sealing_price});
  CHECK(t.h.s.feeds.at(t.key).backing.units == backing.units + sealing_price);
  CHECK(t.balance(t.r.hoster) == ratio{300});  // the hoster is not blamed
  CHECK(t.h.total_ratio() == total);
  CHECK(t.h.s.feeds.at(t.key).replicas.at(0).state == replica_state::badly_sealed);
  CHECK(count_events<replica_failed>(t.h.events) == 1);
  t.h.check_capacity();
  // A second dispute of the same sealing has nothing left to convict.
  CHECK(t.h.rejected(t.hoster(), t.bad_block_dispute(5)) == chain_errc::invalid_call);

  // Re-created through another encoder (and, as after any failure, another hoster).
  t.run_blocks(1);
  const auto again = t.h.s.feeds.at(t.key).replicas.at(0);
  REQUIRE(again.state == replica_state::encoding);
  CHECK(again.encoder != t.r.encoder);
  CHECK(again.hoster != t.r.hoster);
  CHECK(again.replica_key != t.r.replica_key);
  // Nobody is named afterwards: the window closed with the conviction.
  t.run_blocks(chain_limits::hoster_answer_blocks + 1);
  CHECK(count_events<hoster_convicted>(t.h.events) == 0);
  CHECK(t.h.total_ratio() == total);
  CHECK(decode_state(encode_state(t.h.s)).value() == t.h.s);
}

TEST_CASE("over many draws a convicted encoder is never given the replica again") {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    CAPTURE(seed);
    sealing t{seed * 100};
    t.h.apply(t.hoster(), t.bad_block_dispute(2));
    t.run_blocks(1);
    const auto again = t.h.s.feeds.at(t.key).replicas.at(0);
    REQUIRE(again.state == replica_state::encoding);
    CHECK(again.encoder != t.r.encoder);
  }
}

TEST_CASE("false accusations are refused without effect and the encoder keeps its standing") {
  sealing t;
  const auto& other_hoster = t.h.hosters.front().pk == t.r.hoster.key ? t.h.hosters.back() : t.h.hosters.front();
  // An honestly sealed block, signed by the encoder: it unseals to the feed's block.
  const auto good = t.sealed_over(3, t.feed().blocks[3]);
  CHECK(t.h.rejected(t.hoster(), t.dispute(3, good, t.encoder())) == chain_errc::invalid_call);
  // A bad block the encoder never signed (the hoster made it and signed it itself).
  const auto bad = t.sealed_over(3, feed_block(777, 3));
  CHECK(t.h.rejected(t.hoster(), t.dispute(3, bad, t.hoster())) == chain_errc::bad_signature);
  // The encoder's signature, but for another index than the one disputed.
  auto moved = t.bad_block_dispute(3);
  moved.index = 4;
  moved.original = leaf_node(4, t.feed().blocks[4]);
  moved.original_path = t.feed().tree.path(4);
  CHECK(t.h.rejected(t.hoster(), moved) == chain_errc::bad_signature);
  // An original leaf that is not block 3's, a path that does not reach the roots, roots that are not the feed's.
  auto wrong_leaf = t.bad_block_dispute(3);
  wrong_leaf.original = leaf_node(4, t.feed().blocks[4]);
  CHECK(t.h.rejected(t.hoster(), wrong_leaf) == chain_errc::invalid_call);
  auto forged_leaf = t.bad_block_dispute(3);
  forged_leaf.original = leaf_node(3, t.sealed_over(3, feed_block(777, 3)));
  CHECK(t.h.rejected(t.hoster(), forged_leaf) == chain_errc::bad_proof);
  auto short_path = t.bad_block_dispute(3);
  short_path.original_path.pop_back();
  CHECK(t.h.rejected(t.hoster(), short_path) == chain_errc::bad_proof);
  auto other_roots = t.bad_block_dispute(3);
  other_roots.feed_roots.back().hash[0] ^= 1;
  CHECK(t.h.rejected(t.hoster(), other_roots) == chain_errc::bad_proof);
  // A block past the feed, and a dispute from anyone but the replica's hoster.
  auto past = t.bad_block_dispute(3);
  past.index = feed_length;
  CHECK(t.h.rejected(t.hoster(), past) == chain_errc::invalid_call);
  CHECK(t.h.rejected(other_hoster, t.bad_block_dispute(3)) == chain_errc::invalid_call);
  CHECK(t.h.rejected(t.encoder(), t.bad_block_dispute(3)) == chain_errc::invalid_call);
  CHECK(t.balance(t.r.encoder) == ratio{5 * sealing_price});

  // Once the replica is active there is no sealing left to dispute.
  t.h.activate(t.key, 0);
  CHECK(t.h.rejected(t.hoster(), t.bad_block_dispute(3)) == chain_errc::invalid_call);
  CHECK(count_events<encoder_convicted>(t.h.events) == 0);
}

TEST_CASE("roots that disagree with no dispute name the hoster when the window ends, no balance below zero") {
  sealing t;
  const auto total = t.h.total_ratio();
  const auto backing = t.h.s.feeds.at(t.key).backing;
  t.h.apply(t.hoster(), submit_replica_root{t.key, 0, blake2b_256(as_bytes("hoster's")), feed_length});
  t.h.apply(t.encoder(), submit_replica_root{t.key, 0, blake2b_256(as_bytes("encoder's")), feed_length});
  const auto due = t.h.s.number.value + chain_limits::hoster_answer_blocks;
  CHECK(t.h.s.feeds.at(t.key).replicas.at(0).answer_due.value == due);
  while (t.h.s.number.value + 1 < due) t.run_blocks(1);
  CHECK(t.h.s.feeds.at(t.key).replicas.at(0).state == replica_state::encoding);  // still time to dispute
  CHECK(count_events<hoster_convicted>(t.h.events) == 0);
  t.h.events.clear();
  t.run_blocks(1);
  const auto named = events_of<hoster_convicted>(t.h.events);
  REQUIRE(named.size() == 1);
  // It had less than one sealing's worth: it pays all it has and no more.
  CHECK(named[0] == hoster_convicted{t.key, 0, t.r.hoster, ratio{300}});
  CHECK(t.balance(t.r.hoster) == ratio{0});
  CHECK(t.balance(t.r.encoder) == ratio{5 * sealing_price});
  CHECK(t.h.s.feeds.at(t.key).backing.units == backing.units + 300);
  CHECK(t.h.total_ratio() == total);
  // Re-assigned in the same block, to another hoster.
  const auto again = t.h.s.feeds.at(t.key).replicas.at(0);
  CHECK(again.state == replica_state::encoding);
  CHECK(again.hoster != t.r.hoster);
  t.h.check_capacity();
  CHECK(decode_state(encode_state(t.h.s)).value() == t.h.s);
}

TEST_CASE("a hoster that never submits a root is named, one that agrees in time or proves a bad block late in the window is not") {
  SUBCASE("silent") {
    sealing t;
    t.h.apply(t.encoder(), submit_replica_root{t.key, 0, blake2b_256(as_bytes("encoder's")), feed_length});
    t.run_blocks(chain_limits::hoster_answer_blocks);
    CHECK(count_events<hoster_convicted>(t.h.events) == 1);
  }
  SUBCASE("agrees") {
    sealing t;
    const auto c = seal_replica(t.feed(), t.r.replica_key).commitment();
    t.h.apply(t.encoder(), submit_replica_root{t.key, 0, c.tree_hash, c.length});
    t.run_blocks(chain_limits::hoster_answer_blocks - 1);
    t.h.apply(t.hoster(), submit_replica_root{t.key, 0, c.tree_hash, c.length});
    CHECK(t.h.s.feeds.at(t.key).replicas.at(0).state == replica_state::active);
    CHECK(t.h.s.feeds.at(t.key).replicas.at(0).answer_due.value == 0);
    t.run_blocks(chain_limits::hoster_answer_blocks);
    CHECK(count_events<hoster_convicted>(t.h.events) == 0);
  }
  SUBCASE("disputes") {
    sealing t;
    t.h.apply(t.encoder(), submit_replica_root{t.key, 0, blake2b_256(as_bytes("encoder's")), feed_length});
    t.run_blocks(chain_limits::hoster_answer_blocks - 1);
    t.h.apply(t.hoster(), t.bad_block_dispute(7));
    t.run_blocks(chain_limits::hoster_answer_blocks);
    CHECK(count_events<encoder_convicted>(t.h.events) == 1);
    CHECK(count_events<hoster_convicted>(t.h.events) == 0);
  }
}

TEST_CASE("a bad block in an extension convicts the encoder and fails the grown replica") {
  sealing t;
  t.h.activate(t.key, 0);
  const auto& publisher = t.h.signer_of(t.h.s.feeds.at(t.key).publisher);
  t.h.apply(publisher, append(t.h, t.key, 4));
  REQUIRE(t.h.s.feeds.at(t.key).replicas.at(0).extension);
  const auto total = t.h.total_ratio();
  // A block the first sealing covers is not disputable any more; an added one is.
  CHECK(t.h.rejected(t.hoster(), t.bad_block_dispute(2)) == chain_errc::invalid_call);
  t.h.events.clear();
  t.h.apply(t.hoster(), t.bad_block_dispute(feed_length + 1));
  CHECK(count_events<encoder_convicted>(t.h.events) == 1);
  CHECK(t.h.s.feeds.at(t.key).replicas.at(0).state == replica_state::badly_sealed);
  CHECK(t.h.total_ratio() == total);
  t.h.check_capacity();
}

TEST_CASE("a sealing dispute round-trips through the extrinsic encoding within its size bound") {
  sealing t;
  const auto x = make_extrinsic(t.h.f.chain(), t.hoster(), 0, t.bad_block_dispute(3));
  const auto encoded = encode_extrinsic(x);
  CHECK(encoded.size() <= extrinsic_bytes_max_of(x.body));
  CHECK(decode_extrinsic(encoded).value() == x);
}

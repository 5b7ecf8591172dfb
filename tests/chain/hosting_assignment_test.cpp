// Replica assignment by the runtime: who hosts and who encodes each replica,
// drawn from chain randomness under the rules of hosting_assignment.hpp, with
// capacity reserved and never over-committed, richer publishers first, and
// replicas of a departing hoster re-assigned; then activation when encoder and
// hoster commit to the same replica tree.
#include <doctest/doctest.h>

#include <set>

#include "chain/hosting_fixture.hpp"
#include "crypto/blake2b.hpp"
#include "protocol/chain/hosting_assignment.hpp"

using namespace datdot;
using namespace datdot::test;


TEST_CASE("each replica gets a distinct hoster and an encoder that is neither hoster nor publisher, over many seeds") {
  std::map<account_id, std::size_t> hosted;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    hosting_fixture h{5, 10 * feed_bytes};
    const auto key = h.publish(300, 1'000'000, 3);
    CHECK(h.s.feeds.at(key).state == hosting_state::queued);
    h.next_block(seed);
    const auto& feed = h.s.feeds.at(key);
    REQUIRE(feed.replicas.size() == 3);
    CHECK(feed.state == hosting_state::pinning);
    std::set<account_id> hosters;
    std::set<hash32> keys;
    for (const auto& r : feed.replicas) {
      hosters.insert(r.hoster);
      keys.insert(r.replica_key);
      ++hosted[r.hoster];
      CHECK(r.hoster != feed.publisher);
      CHECK(r.encoder != r.hoster);
      CHECK(r.encoder != feed.publisher);
      CHECK(h.s.nodes.at(r.hoster).roles.contains(role::hoster));
      CHECK(h.s.nodes.at(r.encoder).roles.contains(role::encoder));
      CHECK(r.state == replica_state::encoding);
    }
    CHECK(hosters.size() == 3);
    CHECK(keys.size() == 3);  // every replica is sealed under its own key
    CHECK(count_events<replica_assigned>(h.events) == 3);
    h.check_capacity();
  }
  // Equal weights: every hoster is picked, none far from 200 * 3 / 5 = 120 times.
  REQUIRE(hosted.size() == 5);
  for (const auto& [id, n] : hosted) CHECK((n > 80 && n < 160));
}

TEST_CASE("a feed's replicas go to encoders that seal no other replica of it while there are such encoders") {
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    hosting_fixture h{5, 10 * feed_bytes, 2};
    const auto key = h.publish(300, 1'000'000, 3);
    h.next_block(seed);
    std::map<account_id, std::size_t> sealings;
    for (const auto& r : h.s.feeds.at(key).replicas) ++sealings[r.encoder];
    // Two encoders for three replicas: both seal (one of them twice).
    REQUIRE(sealings.size() == 2);
  }
  hosting_fixture single{5, 10 * feed_bytes, 1};  // one encoder still seals them all
  const auto key = single.publish(300, 1'000'000, 3);
  single.next_block(1);
  CHECK(single.s.feeds.at(key).replicas.size() == 3);
}

TEST_CASE("when capacity is short the richer publisher is served first and nothing is over-committed") {
  hosting_fixture h{3, feed_bytes};  // room for three replicas in all
  const auto poor = h.publish(300, 2'000, 2);  // just enough to pay for sealing both
  const auto rich = h.publish(301, 9'000'000, 2);
  h.next_block(1);
  CHECK(h.s.feeds.at(rich).replicas.size() == 2);
  CHECK(h.s.feeds.at(poor).replicas.size() == 1);
  h.check_capacity();
  h.next_block(2);  // nobody has room left: the poorer feed keeps waiting
  CHECK(h.s.feeds.at(poor).replicas.size() == 1);
  CHECK(h.s.feeds.at(poor).state == hosting_state::pinning);
  h.check_capacity();
}

TEST_CASE("without an encoder a request stays queued and reserves nothing") {
  hosting_fixture h{3, 10 * feed_bytes, 0};
  const auto key = h.publish(300, 1'000'000, 2);
  h.next_block(1);
  CHECK(h.s.feeds.at(key).replicas.empty());
  CHECK(h.s.feeds.at(key).state == hosting_state::queued);
  h.check_capacity();
  h.encoders.push_back(h.join(200, role::encoder, 0));  // one arrives: the next block assigns
  h.next_block(2);
  CHECK(h.s.feeds.at(key).replicas.size() == 2);
}

TEST_CASE("a hoster that leaves fails its replicas and they are assigned again elsewhere") {
  hosting_fixture h{4, 10 * feed_bytes};
  const auto key = h.publish(300, 1'000'000, 2);
  h.next_block(1);
  const auto leaving_id = h.s.feeds.at(key).replicas.at(0).hoster;
  const auto leaving = *std::find_if(h.hosters.begin(), h.hosters.end(),
                                     [&](const key_pair& k) { return id_of(k) == leaving_id; });
  // Capacity promised to a replica cannot be withdrawn by re-registering.
  register_node smaller;
  smaller.roles.add(role::hoster);
  smaller.capacity_bytes = 1;
  smaller.bus_address = "tcp://127.0.0.1:1";
  std::vector<chain_event> ignored;
  CHECK(apply_extrinsic(h.s, make_extrinsic(h.f.chain(), leaving, h.s.accounts.at(leaving_id).nonce, smaller), ignored)
            .err()
            .code == chain_errc::invalid_call);

  h.events.clear();
  h.apply(leaving, unregister_node{});
  CHECK(h.s.feeds.at(key).replicas.at(0).state == replica_state::failed);
  CHECK(count_events<replica_failed>(h.events) == 1);
  h.check_capacity();
  h.next_block(2);
  const auto& again = h.s.feeds.at(key).replicas;
  REQUIRE(again.size() == 2);  // the failed slot is reused
  CHECK(again.at(0).state == replica_state::encoding);
  CHECK(again.at(0).hoster != leaving_id);
  CHECK(again.at(0).hoster != again.at(1).hoster);
  h.check_capacity();
}

TEST_CASE("blocks assign replicas when built and when imported, to the same state root, and snapshots keep them") {
  chain_fixture f{4, 1};
  std::vector<extrinsic> xs;
  const auto publisher = f.users.at(0), encoder = test_key(200);
  for (std::uint64_t i = 0; i < 4; ++i) {
    register_node r;
    r.roles.add(role::hoster);
    r.capacity_bytes = 1 << 20;
    r.bus_address = "tcp://127.0.0.1:1";
    xs.push_back(make_extrinsic(f.chain(), test_key(100 + i), 0, r));
  }
  role_set encoding;
  encoding.add(role::encoder);
  xs.push_back(make_extrinsic(f.chain(), encoder, 0, test_registration(encoding, 0, "tcp://127.0.0.1:2")));
  register_node p;
  p.roles.add(role::publisher);
  p.bus_address = "tcp://127.0.0.1:3";
  xs.push_back(make_extrinsic(f.chain(), publisher, 0, p));
  const auto feed = test_key(9000);
  publish_feed x;
  x.signer = feed.pk;
  x.length = 3;
  x.byte_size = feed_bytes;
  x.tree_hash = blake2b_256(as_bytes("tree"));
  x.tree_signature = sign(feed_identity{feed.pk, x.mode}.signable(x.tree_hash, x.length, x.fork), feed.sk);
  x.replicas = 3;
  xs.push_back(make_extrinsic(f.chain(), publisher, 1, x));

  const auto built = f.build(f.gen.state, f.gen.hash, slot_number{1}, xs);
  REQUIRE(built.b.extrinsics.size() == xs.size());
  const auto imported = apply_block(f.gen.state, f.gen.hash, built.b);
  REQUIRE(imported);
  CHECK(imported->state == built.applied.state);
  const auto& record = imported->state.feeds.at(feed_key{feed_identity{feed.pk, x.mode}.core_key()});
  CHECK(record.replicas.size() == 3);
  CHECK(count_events<replica_assigned>(imported->events) == 3);
  CHECK(decode_state(encode_state(imported->state)).value() == imported->state);
}


TEST_CASE("an encoder registers with a valid public sealing key and only an encoder may name one") {
  hosting_fixture h{1, feed_bytes, 0};
  const auto k = test_key(400);
  role_set encoder;
  encoder.add(role::encoder);
  auto without = test_registration(encoder, 0, "tcp://127.0.0.1:1");
  without.seal_key.clear();
  std::vector<chain_event> ignored;
  CHECK(apply_extrinsic(h.s, make_extrinsic(h.f.chain(), k, 0, without), ignored).err().code == chain_errc::invalid_call);
  auto garbage = test_registration(encoder, 0, "tcp://127.0.0.1:1");
  garbage.seal_key.assign(256, 0x01);
  CHECK(apply_extrinsic(h.s, make_extrinsic(h.f.chain(), k, 0, garbage), ignored).err().code == chain_errc::invalid_call);
  role_set hoster;
  hoster.add(role::hoster);
  auto stray = test_registration(hoster, feed_bytes, "tcp://127.0.0.1:1");
  stray.seal_key = test_seal_key();
  CHECK(apply_extrinsic(h.s, make_extrinsic(h.f.chain(), k, 0, stray), ignored).err().code == chain_errc::invalid_call);
  REQUIRE(apply_extrinsic(h.s, make_extrinsic(h.f.chain(), k, 0, test_registration(encoder, 0, "tcp://127.0.0.1:1")),
                          ignored));
  CHECK(h.s.nodes.at(id_of(k)).seal_key == test_seal_key());
}

TEST_CASE("a replica is active once its encoder and hoster commit to the same tree and a mismatch re-assigns it after the window") {
  hosting_fixture h{4, 10 * feed_bytes};
  const auto key = h.publish(300, 1'000'000, 2);
  h.next_block(1);
  const auto r0 = h.s.feeds.at(key).replicas.at(0), r1 = h.s.feeds.at(key).replicas.at(1);
  const auto& hoster0 = h.signer_of(r0.hoster);
  const auto& encoder0 = h.signer_of(r0.encoder);
  const auto root = blake2b_256(as_bytes("replica tree"));
  const auto length = h.s.feeds.at(key).length;

  // Refused without effect: unknown feed or replica, a stranger, a wrong length.
  CHECK(h.rejected(hoster0, submit_replica_root{feed_key{root}, 0, root, length}) == chain_errc::invalid_call);
  CHECK(h.rejected(hoster0, submit_replica_root{key, 7, root, length}) == chain_errc::invalid_call);
  CHECK(h.rejected(h.signer_of(r1.hoster), submit_replica_root{key, 0, root, length}) == chain_errc::invalid_call);
  CHECK(h.rejected(hoster0, submit_replica_root{key, 0, root, length + 1}) == chain_errc::invalid_call);

  h.events.clear();
  h.apply(hoster0, submit_replica_root{key, 0, root, length});
  CHECK(h.s.feeds.at(key).replicas.at(0).state == replica_state::encoding);  // one side is not enough
  CHECK(h.rejected(hoster0, submit_replica_root{key, 0, root, length}) == chain_errc::invalid_call);
  h.apply(encoder0, submit_replica_root{key, 0, root, length});
  CHECK(h.s.feeds.at(key).replicas.at(0).state == replica_state::active);
  CHECK(count_events<replica_activated>(h.events) == 1);
  CHECK(h.s.feeds.at(key).state == hosting_state::pinning);  // one of two

  // The second replica's two sides disagree and the hoster proves no bad block
  // (tests/chain/sealing_dispute_test.cpp): when its window ends it is named,
  // the replica fails and is assigned again in that block.
  h.apply(h.signer_of(r1.hoster), submit_replica_root{key, 1, root, length});
  h.apply(h.signer_of(r1.encoder), submit_replica_root{key, 1, blake2b_256(as_bytes("other")), length});
  CHECK(h.s.feeds.at(key).replicas.at(1).state == replica_state::encoding);
  for (std::uint64_t seed = 2; seed < 100 && count_events<hoster_convicted>(h.events) == 0; ++seed) h.next_block(seed);
  REQUIRE(count_events<hoster_convicted>(h.events) == 1);
  CHECK(count_events<replica_failed>(h.events) == 1);
  h.check_capacity();
  const auto again = h.s.feeds.at(key).replicas.at(1);
  CHECK(again.state == replica_state::encoding);
  CHECK_FALSE(again.hoster_root);
  h.apply(h.signer_of(again.hoster), submit_replica_root{key, 1, root, length});
  h.apply(h.signer_of(again.encoder), submit_replica_root{key, 1, root, length});
  CHECK(h.s.feeds.at(key).state == hosting_state::pinned);
  CHECK(decode_state(encode_state(h.s)).value() == h.s);
}

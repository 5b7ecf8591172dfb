// Feed updates on chain (update_feed, replica_extension.hpp): the publisher
// grows its feed with a signed head and an upgrade proof from the recorded
// one; each active replica is extended by its encoder and hoster, proved on
// what it covers while that goes on, and paid for like its first sealing.
#include <doctest/doctest.h>

#include "chain/hosting_fixture.hpp"
#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/service_record.hpp"

using namespace datdot;
using namespace datdot::test;

namespace {

constexpr std::uint64_t price = 1000;  // the default price of sealing or proving a feed under 1 MiB
constexpr std::uint64_t added_blocks = 6;
constexpr std::uint64_t grown_length = feed_length + added_blocks;

chain_params update_params() {
  chain_params p;
  p.challenge_period_slots = 20;
  p.challenge_deadline_blocks = 5;
  p.attesters_per_challenge = 0;
  return p;
}

// Encoder and hoster of replica `i` commit to the honestly sealed replica of the whole grown feed.
sealed_replica extend(hosting_fixture& h, const feed_key& key, std::uint32_t i) {
  const auto r = h.s.feeds.at(key).replicas.at(i);
  REQUIRE(r.extension);
  auto sealed = seal_replica(prefix(h.feeds.at(key), r.extension->target.length), r.replica_key);
  const auto c = sealed.commitment();
  h.apply(h.signer_of(r.hoster), submit_replica_root{key, i, c.tree_hash, c.length});
  h.apply(h.signer_of(r.encoder), submit_replica_root{key, i, c.tree_hash, c.length});
  return sealed;
}

submit_storage_proof proof_for(const test_feed& feed, const sealed_replica& replica, const challenge_issued& c) {
  return {c.challenge, prove(feed, replica, c.index), feed.tree.tree.roots()};
}

// One feed with two active replicas of its first 10 blocks.
struct hosted {
  hosting_fixture h{4, 10 * feed_bytes, 2, 0, update_params()};
  feed_key key;
  std::vector<sealed_replica> replicas;
  std::uint64_t seed = 1;

  hosted() {
    key = h.publish(300, 1'000'000, 2);
    h.next_block(seed);
    replicas.push_back(h.activate(key, 0));
    replicas.push_back(h.activate(key, 1));
  }
  const feed_record& feed() const { return h.s.feeds.at(key); }
  const key_pair& publisher() const { return h.signer_of(feed().publisher); }
};

}  // namespace

TEST_CASE("only the publisher's correctly signed update that extends the recorded tree is accepted") {
  hosted x;
  auto& h = x.h;
  const auto old = x.feed();
  const auto update = append(h, x.key, added_blocks);

  // Someone else than the publisher, even with the feed's valid update.
  CHECK(h.rejected(h.hosters.at(0), update) == chain_errc::invalid_call);
  auto unknown = update;
  unknown.feed.bytes[0] ^= 1;
  CHECK(h.rejected(x.publisher(), unknown) == chain_errc::invalid_call);
  // Not growing: the same length, or a shorter one.
  auto same = update;
  same.length = feed_length;
  CHECK(h.rejected(x.publisher(), same) == chain_errc::invalid_call);
  same.length = feed_length - 1;
  CHECK(h.rejected(x.publisher(), same) == chain_errc::invalid_call);
  // A signature that is not the feed key's over the new tree.
  auto forged = update;
  forged.tree_signature[5] ^= 1;
  CHECK(h.rejected(x.publisher(), forged) == chain_errc::bad_proof);
  auto other_key = update;
  other_key.tree_signature = sign(feed_identity{test_key(1).pk, signing_mode::manifest_v1}.signable(
                                      h.feeds.at(x.key).tree.tree.hash(), grown_length, 0),
                                  test_key(1).sk);
  CHECK(h.rejected(x.publisher(), other_key) == chain_errc::bad_proof);
  // A longer claim than the upgrade proves.
  auto longer = update;
  longer.length = grown_length + 1;
  CHECK(h.rejected(x.publisher(), longer) == chain_errc::bad_proof);
  // Roots that are not the recorded tree, and an upgrade that does not connect to it.
  auto wrong_roots = update;
  wrong_roots.roots.front().hash[0] ^= 1;
  CHECK(h.rejected(x.publisher(), wrong_roots) == chain_errc::bad_proof);
  auto wrong_upgrade = update;
  wrong_upgrade.upgrade.front().hash[0] ^= 1;
  CHECK(h.rejected(x.publisher(), wrong_upgrade) == chain_errc::bad_proof);
  auto missing = update;
  missing.upgrade.pop_back();
  CHECK(h.rejected(x.publisher(), missing) == chain_errc::bad_proof);

  h.events.clear();
  h.apply(x.publisher(), update);
  const auto& f = x.feed();
  CHECK(f.length == grown_length);
  CHECK(f.byte_size == grown_length * feed_block_bytes);  // from the verified roots, never claimed
  CHECK(f.tree_hash == h.feeds.at(x.key).tree.tree.hash());
  CHECK(f.tree_signature == update.tree_signature);
  CHECK(f.published_at == old.published_at);
  const auto updated = events_of<feed_updated>(h.events);
  REQUIRE(updated.size() == 1);
  CHECK(updated[0].length == grown_length);
  for (std::size_t i = 0; i < f.replicas.size(); ++i) {
    const auto& r = f.replicas[i];
    CHECK(r.state == replica_state::active);
    CHECK(r.covers == head_of(old));  // still proved on what they agreed
    CHECK(r.hoster_root == old.replicas.at(i).hoster_root);
    REQUIRE(r.extension);
    CHECK(r.extension->target == head_of(f));
  }
  CHECK(f.state == hosting_state::pinned);
  h.check_capacity();  // each hoster reserved the added bytes
  CHECK(decode_state(encode_state(h.s)).value() == h.s);
  // The same update again grows nothing.
  CHECK(h.rejected(x.publisher(), update) == chain_errc::invalid_call);
}

TEST_CASE("an update the publisher cannot pay sealing for is refused") {
  hosted x;
  auto& h = x.h;
  h.s.accounts.at(x.feed().publisher).balance = ratio{2 * price - 1};
  const auto update = append(h, x.key, added_blocks);
  CHECK(h.rejected(x.publisher(), update) == chain_errc::insufficient_ratio);
  h.s.accounts.at(x.feed().publisher).balance = ratio{2 * price};
  h.apply(x.publisher(), update);
}

TEST_CASE("replicas are proved on what they cover while extending, then extended, paid, and proved on the grown feed") {
  hosted x;
  auto& h = x.h;
  const auto old_feed = prefix(h.feeds.at(x.key), feed_length);
  const auto total = h.total_ratio();
  h.apply(x.publisher(), append(h, x.key, added_blocks));

  // During the extension: challenges stay within the old length and verify against the old trees.
  const auto during = next_challenge(h, x.seed);
  CHECK(during.index < feed_length);
  const auto& hoster = h.signer_of(during.hoster);
  const auto& grown = h.feeds.at(x.key);
  CHECK(h.rejected(hoster, proof_for(grown, seal_replica(grown, x.feed().replicas.at(during.replica).replica_key),
                                     during)) == chain_errc::bad_proof);
  h.apply(hoster, proof_for(old_feed, x.replicas.at(during.replica), during));
  CHECK(run_until_resolved(h, x.seed, during.challenge).at(0).passed);

  // Roots of the wrong length, from a stranger, or twice are refused.
  const auto r0 = x.feed().replicas.at(0);
  const auto sealed0 = seal_replica(grown, r0.replica_key).commitment();
  CHECK(h.rejected(h.signer_of(r0.hoster), submit_replica_root{x.key, 0, sealed0.tree_hash, feed_length}) ==
        chain_errc::invalid_call);
  CHECK(h.rejected(x.publisher(), submit_replica_root{x.key, 0, sealed0.tree_hash, grown_length}) ==
        chain_errc::invalid_call);

  const auto encoder_before = h.s.accounts.at(r0.encoder).balance.units;
  h.events.clear();
  for (std::uint32_t i = 0; i < 2; ++i) x.replicas.at(i) = extend(h, x.key, i);
  CHECK(h.rejected(h.signer_of(r0.hoster), submit_replica_root{x.key, 0, sealed0.tree_hash, grown_length}) ==
        chain_errc::invalid_call);  // nothing pending any more
  const auto extended = events_of<replica_extended>(h.events);
  REQUIRE(extended.size() == 2);
  CHECK(extended[0].length == grown_length);
  CHECK(extended[0].blocks == added_blocks);
  CHECK(extended[0].bytes == added_blocks * feed_block_bytes);
  CHECK(h.s.accounts.at(r0.encoder).balance.units == encoder_before + price);  // the added bytes' sealing
  CHECK(count_service(h.events, r0.encoder).sealed_blocks == added_blocks);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& r = x.feed().replicas.at(i);
    CHECK(r.state == replica_state::active);
    CHECK_FALSE(r.extension);
    CHECK(r.covers == head_of(x.feed()));
    CHECK(*r.hoster_root == x.replicas.at(i).commitment());
  }
  CHECK(h.total_ratio() == total);  // moved from the publisher, never created

  // After: challenges reach the appended blocks and verify against the grown trees.
  bool appended_block_proved = false;
  for (int round = 0; round < 12 && !appended_block_proved; ++round) {
    const auto c = next_challenge(h, x.seed);
    CHECK(c.index < grown_length);
    if (c.index < feed_length)  // the old feed's roots are not what the replica covers now
      CHECK(h.rejected(h.signer_of(c.hoster), proof_for(old_feed, x.replicas.at(c.replica), c)) ==
            chain_errc::bad_proof);
    h.apply(h.signer_of(c.hoster), proof_for(grown, x.replicas.at(c.replica), c));
    CHECK(run_until_resolved(h, x.seed, c.challenge).at(0).passed);
    appended_block_proved = c.index >= feed_length;
  }
  CHECK(appended_block_proved);
  CHECK(h.total_ratio() == total);
  h.check_capacity();
}

TEST_CASE("an extension whose roots disagree fails the replica after the window, and it is re-created on the grown feed") {
  hosted x;
  auto& h = x.h;
  h.apply(x.publisher(), append(h, x.key, added_blocks));
  const auto r = x.feed().replicas.at(1);
  const auto honest = seal_replica(h.feeds.at(x.key), r.replica_key).commitment();
  h.apply(h.signer_of(r.encoder), submit_replica_root{x.key, 1, honest.tree_hash, grown_length});
  auto lie = honest.tree_hash;
  lie[0] ^= 1;
  h.events.clear();
  h.apply(h.signer_of(r.hoster), submit_replica_root{x.key, 1, lie, grown_length});
  CHECK(count_events<replica_failed>(h.events) == 0);  // the hoster may still prove a bad block
  h.end_answer_window(x.key, 1, ++x.seed);
  CHECK(count_events<hoster_convicted>(h.events) == 1);
  CHECK(count_events<replica_failed>(h.events) == 1);
  CHECK(count_events<replica_extended>(h.events) == 0);
  CHECK(x.feed().state == hosting_state::pinning);
  h.check_capacity();
  const auto& again = x.feed().replicas.at(1);  // re-assigned in the block that ended the window
  CHECK(again.state == replica_state::encoding);
  CHECK(again.covers == head_of(x.feed()));  // the new replica is sealed whole at the grown head
  h.activate(x.key, 1);
  CHECK_FALSE(x.feed().replicas.at(1).extension);
  h.check_capacity();
}

TEST_CASE("a replica still encoding when the feed grows activates on its head and then follows the feed") {
  hosting_fixture h{4, 10 * feed_bytes, 2, 0, update_params()};
  const auto key = h.publish(300, 1'000'000, 1);
  h.next_block(1);
  const auto old_feed = prefix(h.feeds.at(key), feed_length);
  h.apply(h.signer_of(h.s.feeds.at(key).publisher), append(h, key, added_blocks));
  const auto r = h.s.feeds.at(key).replicas.at(0);
  CHECK(r.state == replica_state::encoding);
  CHECK(r.covers.length == feed_length);
  CHECK_FALSE(r.extension);
  h.check_capacity();  // reserved for the grown feed already
  // Roots for the grown length are not what it was assigned.
  const auto grown = seal_replica(h.feeds.at(key), r.replica_key).commitment();
  CHECK(h.rejected(h.signer_of(r.hoster), submit_replica_root{key, 0, grown.tree_hash, grown.length}) ==
        chain_errc::invalid_call);
  const auto first = seal_replica(old_feed, r.replica_key).commitment();
  h.apply(h.signer_of(r.hoster), submit_replica_root{key, 0, first.tree_hash, first.length});
  h.events.clear();
  h.apply(h.signer_of(r.encoder), submit_replica_root{key, 0, first.tree_hash, first.length});
  const auto activated = events_of<replica_activated>(h.events);
  REQUIRE(activated.size() == 1);
  CHECK(activated[0].blocks == feed_length);
  const auto& now = h.s.feeds.at(key).replicas.at(0);
  CHECK(now.state == replica_state::active);
  REQUIRE(now.extension);
  CHECK(now.extension->target.length == grown_length);
  extend(h, key, 0);
  CHECK(h.s.feeds.at(key).replicas.at(0).covers.length == grown_length);
}

TEST_CASE("a feed that grows again during an extension is followed once the extension is agreed") {
  hosted x;
  auto& h = x.h;
  h.apply(x.publisher(), append(h, x.key, added_blocks));
  h.apply(x.publisher(), append(h, x.key, 3));
  CHECK(x.feed().length == grown_length + 3);
  CHECK(x.feed().replicas.at(0).extension->target.length == grown_length);  // the pending work stays valid
  h.check_capacity();
  extend(h, x.key, 0);
  const auto& r = x.feed().replicas.at(0);
  CHECK(r.covers.length == grown_length);
  REQUIRE(r.extension);
  CHECK(r.extension->target.length == grown_length + 3);
  extend(h, x.key, 0);
  CHECK(x.feed().replicas.at(0).covers == head_of(x.feed()));
}

TEST_CASE("a replica whose encoder left is re-created rather than extended, and a hoster without room loses it") {
  hosting_fixture h{4, feed_bytes + 2 * feed_block_bytes, 2, 0, update_params()};
  const auto key = h.publish(300, 1'000'000, 2);
  h.next_block(1);
  h.activate(key, 0);
  h.activate(key, 1);
  // Replica 0's encoder leaves: it can seal no new block under the replica's key.
  const auto encoder0 = h.s.feeds.at(key).replicas.at(0).encoder;
  h.apply(h.signer_of(encoder0), unregister_node{});
  h.events.clear();
  // Two added blocks fit every hoster's capacity exactly.
  h.apply(h.signer_of(h.s.feeds.at(key).publisher), append(h, key, 2));
  for (std::uint32_t i = 0; i < 2; ++i) {
    const auto& r = h.s.feeds.at(key).replicas.at(i);
    CHECK(r.state == (r.encoder == encoder0 ? replica_state::failed : replica_state::active));
  }
  CHECK(count_events<replica_failed>(h.events) >= 1);
  h.check_capacity();
  // Past every hoster's capacity: the remaining replica's hoster has no room and loses it.
  h.events.clear();
  h.apply(h.signer_of(h.s.feeds.at(key).publisher), append(h, key, 1));
  for (const auto& r : h.s.feeds.at(key).replicas) CHECK(r.state == replica_state::failed);
  CHECK(h.s.feeds.at(key).state == hosting_state::queued);
  h.check_capacity();
}

TEST_CASE("an encoder leaving during an extension fails that replica") {
  hosted x;
  auto& h = x.h;
  h.apply(x.publisher(), append(h, x.key, added_blocks));
  const auto r = x.feed().replicas.at(0);
  h.events.clear();
  h.apply(h.signer_of(r.encoder), unregister_node{});
  for (const auto& replica : x.feed().replicas)
    if (replica.encoder == r.encoder) CHECK(replica.state == replica_state::failed);
  CHECK(count_events<replica_failed>(h.events) >= 1);
  h.check_capacity();
}

TEST_CASE("a block carrying an update is built and imported to the same state, and the update round-trips") {
  hosted x;
  auto& h = x.h;
  const auto update =
      make_extrinsic(h.f.chain(), x.publisher(), h.s.accounts.at(x.feed().publisher).nonce, append(h, x.key, 40));
  const auto wire = encode_extrinsic(update);
  CHECK(wire.size() <= chain_limits::feed_update_bytes_max);
  CHECK(decode_extrinsic(wire).value() == update);
  auto truncated = wire;
  truncated.resize(wire.size() - 10);
  CHECK(decode_extrinsic(truncated).err().code == chain_errc::malformed);

  const block_hash parent{blake2b_256(as_bytes("parent"))};
  const auto built = h.f.build(h.s, parent, slot_number{h.s.slot.value + 1}, {update});
  REQUIRE(built.b.extrinsics.size() == 1);
  const auto imported = apply_block(h.s, parent, built.b);
  REQUIRE(imported);
  CHECK(imported->state == built.applied.state);
  CHECK(imported->state.feeds.at(x.key).length == feed_length + 40);
  CHECK(count_events<feed_updated>(imported->events) == 1);
  CHECK(decode_state(encode_state(imported->state)).value() == imported->state);
}

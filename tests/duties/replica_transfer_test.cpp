// The checks a replica passes on its way from publisher to encoder to hoster
// (protocol/duties/replica_transfer.hpp), and what the chain asks of each
// role (duties.hpp). A hoster must refuse, naming the block, a sealed block
// that is another replica's, the original block unsealed, a forged sealing,
// or roots that are not the published tree; an encoder must refuse blocks
// that are not the feed's.
#include <doctest/doctest.h>

#include "chain/hosting_fixture.hpp"
#include "protocol/duties/duties.hpp"
#include "protocol/duties/replica_transfer.hpp"

using namespace datdot;
using namespace datdot::test;

namespace {

// One feed with one replica assigned; the publisher's answer for all its blocks.
struct transfer_fixture {
  hosting_fixture h{3, 10 * feed_bytes, 1, 1};
  feed_key key = h.publish(300, 1'000'000, 1);
  replica_duty duty;
  feed_blocks all;

  transfer_fixture() {
    h.next_block(1);
    const auto& r = h.s.feeds.at(key).replicas.at(0);
    const auto sealing = sealing_duties(h.s, r.encoder);
    REQUIRE(sealing.size() == 1);
    duty = sealing.front();
    const auto& feed = h.feeds.at(key);
    all.roots = feed.tree.tree.roots();
    for (std::uint64_t i = 0; i < feed_length; ++i) all.blocks.push_back({i, feed.blocks[i], feed.tree.path(i)});
  }
  replica_push honest() const { return seal_blocks(test_sealer(), duty, all).value(); }
  chain_status hoster_check(const replica_push& p) const {
    return check_push(duty, test_sealer().public_part(), p, 0);
  }
};

}  // namespace

TEST_CASE("the chain's duties name each role's work for the node it concerns") {
  transfer_fixture t;
  const auto& r = t.h.s.feeds.at(t.key).replicas.at(0);
  CHECK(intake_duties(t.h.s, r.hoster).size() == 1);
  CHECK(intake_duties(t.h.s, r.encoder).empty());
  CHECK(sealing_duties(t.h.s, r.hoster).empty());
  t.h.activate(t.key, 0);
  CHECK(sealing_duties(t.h.s, r.encoder).empty());  // its root is on chain
  CHECK(intake_duties(t.h.s, r.hoster).empty());     // active, no longer being received
}

TEST_CASE("an encoder accepts only the feed's blocks under its published roots") {
  transfer_fixture t;
  CHECK(check_feed_blocks(t.duty.feed, t.all, 0));
  CHECK_FALSE(check_feed_blocks(t.duty.feed, t.all, 1));  // not where it asked
  auto changed = t.all;
  changed.blocks[3].value[0] ^= 1;
  const auto bad = check_feed_blocks(t.duty.feed, changed, 0);
  REQUIRE_FALSE(bad);
  CHECK(bad.err().detail.find("block 3") != std::string::npos);
  auto other_roots = t.all;
  other_roots.roots.pop_back();
  CHECK_FALSE(check_feed_blocks(t.duty.feed, other_roots, 0));
}

TEST_CASE("a hoster accepts an honest push and refuses foreign, unsealed, forged or misplaced blocks") {
  transfer_fixture t;
  const auto push = t.honest();
  CHECK(t.hoster_check(push));
  CHECK_FALSE(check_push(t.duty, test_sealer().public_part(), push, 1));  // it expects block 1 next

  // Another replica's bytes (sealed under another key) for block 2.
  auto foreign = push;
  hash32 other_key = t.duty.record.replica_key;
  other_key[0] ^= 0xff;
  foreign.blocks[2].sealed = test_sealer().seal(other_key, 2, t.all.blocks[2].value).value();
  auto refused = t.hoster_check(foreign);
  REQUIRE_FALSE(refused);
  CHECK(refused.err().detail.find("block 2") != std::string::npos);

  // The original block instead of a sealed one, and a flipped bit.
  auto plain = push;
  plain.blocks[1].sealed = t.all.blocks[1].value;
  CHECK_FALSE(t.hoster_check(plain));
  auto flipped = push;
  flipped.blocks[4].sealed[100] ^= 0x10;
  CHECK_FALSE(t.hoster_check(flipped));

  // Sealed with a key the encoder did not register.
  key_seed seed{};
  seed[0] = 0x77;
  const auto stranger = rabin_williams::from_seed(seed);
  CHECK_FALSE(t.hoster_check(seal_blocks(*stranger, t.duty, t.all).value()));

  // Roots that are not the published tree, and a push for another replica.
  auto roots = push;
  roots.feed_roots.back().hash[5] ^= 1;
  CHECK_FALSE(t.hoster_check(roots));
  auto elsewhere = push;
  elsewhere.replica = 1;
  CHECK_FALSE(t.hoster_check(elsewhere));
}

TEST_CASE("a grown feed gives the encoder and hoster of an active replica the added blocks, at the new head") {
  transfer_fixture t;
  const auto r = t.h.s.feeds.at(t.key).replicas.at(0);
  t.h.activate(t.key, 0);
  const auto& publisher = t.h.signer_of(t.h.s.feeds.at(t.key).publisher);
  t.h.apply(publisher, append(t.h, t.key, 5));
  const auto sealing = sealing_duties(t.h.s, r.encoder);
  REQUIRE(sealing.size() == 1);
  const auto& d = sealing.front();
  CHECK(d.first == feed_length);
  CHECK(d.feed.length == feed_length + 5);  // the extension's target, what blocks are checked against
  CHECK(d.feed.tree_hash == t.h.feeds.at(t.key).tree.tree.hash());
  CHECK(intake_duties(t.h.s, r.hoster).size() == 1);
  CHECK(intake_duties(t.h.s, r.hoster).front().first == feed_length);

  // The publisher's answer at the new head passes the encoder's check; the old head's does not.
  const auto& feed = t.h.feeds.at(t.key);
  feed_blocks added{feed.tree.tree.roots(), {}};
  for (std::uint64_t i = feed_length; i < feed_length + 5; ++i) added.blocks.push_back({i, feed.blocks[i], feed.tree.path(i)});
  CHECK(check_feed_blocks(d.feed, added, feed_length));
  CHECK_FALSE(check_feed_blocks(d.feed, t.all, 0));
  const auto push = seal_blocks(test_sealer(), d, added).value();
  CHECK(push.first == feed_length);
  CHECK(check_push(d, test_sealer().public_part(), push, feed_length));
  CHECK_FALSE(check_push(d, test_sealer().public_part(), push, 0));

  // Once the encoder's root is on chain it has nothing left to do; the hoster still takes the blocks.
  const auto c = seal_replica(feed, r.replica_key).commitment();
  t.h.apply(t.h.signer_of(r.encoder), submit_replica_root{t.key, 0, c.tree_hash, c.length});
  CHECK(sealing_duties(t.h.s, r.encoder).empty());
  CHECK(intake_duties(t.h.s, r.hoster).size() == 1);
  t.h.apply(t.h.signer_of(r.hoster), submit_replica_root{t.key, 0, c.tree_hash, c.length});
  CHECK(intake_duties(t.h.s, r.hoster).empty());
}

TEST_CASE("a replica retired by a reshuffle asks its old hoster for nothing, not even an open challenge's proof") {
  chain_params p;
  p.challenge_period_slots = 20;
  p.challenge_deadline_blocks = 5;
  p.challenge_failures_max = 1'000'000;  // unanswered challenges must not fail it first
  p.attesters_per_challenge = 0;
  p.reshuffle_period_slots = 40;
  hosting_fixture h{4, 10 * feed_bytes, 1, 0, p};
  const auto key = h.publish(300, 100'000'000, 1);
  h.next_block(1);
  h.activate(key, 0);
  const auto old_hoster = h.s.feeds.at(key).replicas.at(0).hoster;
  // Until a move is under way and the moving replica has a challenge open.
  std::uint64_t seed = 1;
  while (!h.s.feeds.at(key).replicas.at(0).replacement || proof_duties(h.s, old_hoster).empty()) {
    h.next_block(++seed);
    REQUIRE(seed < 1000);
  }
  const auto replacement = *h.s.feeds.at(key).replicas.at(0).replacement;
  const auto new_hoster = h.s.feeds.at(key).replicas.at(replacement).hoster;
  CHECK(intake_duties(h.s, new_hoster).size() == 1);
  h.activate(key, replacement);
  CHECK(h.s.feeds.at(key).replicas.at(0).state == replica_state::retired);
  CHECK(proof_duties(h.s, old_hoster).empty());
  CHECK(intake_duties(h.s, old_hoster).empty());
  CHECK(proof_duties(h.s, new_hoster).empty());  // the open challenge was the old replica's
  CHECK(intake_duties(h.s, new_hoster).empty());
}

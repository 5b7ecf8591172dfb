// The checks a replica passes on its way from publisher to encoder to hoster
// (protocol/duties/replica_transfer.hpp), and what the chain asks of each
// role (duties.hpp). A hoster must refuse, naming the block, a sealed block
// that is another replica's, the original block unsealed, a forged sealing,
// a block its encoder did not sign, or roots that are not the published tree;
// a signed bad block becomes a dispute the chain accepts. An encoder must
// refuse blocks that are not the feed's. A hoster proves a challenge again
// when the chain extends the replica before the proof is in, and reports a
// sealing withheld when the encoder's root is in and it holds less.
#include <doctest/doctest.h>

#include "chain/hosting_fixture.hpp"
#include "protocol/duties/duties.hpp"
#include "protocol/chain/replica_commitment_claim.hpp"
#include "protocol/chain/sealed_block_claim.hpp"
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
  const key_pair& encoder() const { return h.signer_of(duty.record.encoder); }
  replica_push sealed_by(const sealer& s, const replica_duty& d, const feed_blocks& m,
                         const merkle_tree& before = {}) const {
    return seal_blocks(s, encoder().sk, h.f.chain(), d, m, before).value();
  }
  replica_push honest() const { return sealed_by(test_sealer(), duty, all); }
  push_verdict hoster_verdict(const replica_push& p, const replica_duty& d, const merkle_tree& held = {}) const {
    return check_push(h.f.chain(), d, test_sealer().public_part(), p, held);
  }
  chain_status hoster_check(const replica_push& p) const { return hoster_verdict(p, duty).status; }
  // The replica tree over the first `n` honestly sealed blocks, as a hoster holds it.
  merkle_tree sealed_tree(std::uint64_t n) const {
    return seal_replica(prefix(h.feeds.at(key), n), duty.record.replica_key).tree.tree;
  }
  // Block `index` sealed over other bytes, and signed for by the encoder as it sends it.
  replica_push with_bad_block(std::uint64_t index) const {
    auto push = honest();
    auto& b = push.blocks.at(index);
    b.sealed = test_sealer().seal(duty.record.replica_key, index, feed_block(777, index)).value();
    b.encoder_signature = sign_sealed_block(
        h.f.chain(), {duty.key, duty.replica, duty.record.replica_key, index, b.sealed}, encoder().sk);
    return push;
  }
  // What the publisher answers for block `index` alone.
  feed_blocks original(std::uint64_t index) const { return {all.roots, {all.blocks.at(index)}}; }
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
  CHECK_FALSE(t.hoster_verdict(push, t.duty, t.sealed_tree(1)).status);  // it expects block 1 next

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
  CHECK_FALSE(t.hoster_check(t.sealed_by(*stranger, t.duty, t.all)));

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
  const auto push = t.sealed_by(test_sealer(), d, added, t.sealed_tree(feed_length));
  CHECK(push.first == feed_length);
  CHECK(t.hoster_verdict(push, d, t.sealed_tree(feed_length)).status);
  CHECK_FALSE(t.hoster_verdict(push, d).status);

  // Once the encoder's root is on chain it has nothing left to do; the hoster still takes the blocks.
  const auto c = seal_replica(feed, r.replica_key).commitment();
  t.h.apply(t.h.signer_of(r.encoder), submit_replica_root{t.key, 0, c.tree_hash, c.length});
  CHECK(sealing_duties(t.h.s, r.encoder).empty());
  CHECK(intake_duties(t.h.s, r.hoster).size() == 1);
  t.h.apply(t.h.signer_of(r.hoster), submit_replica_root{t.key, 0, c.tree_hash, c.length});
  CHECK(intake_duties(t.h.s, r.hoster).empty());
}

TEST_CASE("an encoder that starts an extension over is checked from the extension's first block, never before it") {
  transfer_fixture t;
  const auto r = t.h.s.feeds.at(t.key).replicas.at(0);
  t.h.activate(t.key, 0);
  t.h.apply(t.h.signer_of(t.h.s.feeds.at(t.key).publisher), append(t.h, t.key, 5));
  const auto intake = intake_duties(t.h.s, r.hoster);
  REQUIRE(intake.size() == 1);
  const auto& d = intake.front();
  REQUIRE(d.first == feed_length);
  const auto& feed = t.h.feeds.at(t.key);
  auto added_from = [&](std::uint64_t first) {
    feed_blocks out{feed.tree.tree.roots(), {}};
    for (std::uint64_t i = first; i < feed_length + 5; ++i) out.blocks.push_back({i, feed.blocks[i], feed.tree.path(i)});
    return out;
  };
  auto sealed_tree = [&](std::uint64_t n) { return seal_replica(prefix(feed, n), r.replica_key).tree.tree; };
  // The hoster took a first run of 2 blocks; the encoder restarted and sends the whole extension again.
  const auto held = feed_length + 2;
  const auto again = t.sealed_by(test_sealer(), d, added_from(feed_length), sealed_tree(feed_length));
  CHECK(continued_length(d, held, again) == feed_length);
  CHECK(t.hoster_verdict(again, d, sealed_tree(feed_length)).status);
  // The next run after what it holds continues its tree as before.
  const auto next = t.sealed_by(test_sealer(), d, added_from(held), sealed_tree(held));
  CHECK(continued_length(d, held, next) == held);
  CHECK(t.hoster_verdict(next, d, sealed_tree(held)).status);
  // A run from inside the agreed replica, or past what the hoster holds, is checked against its whole tree: refused.
  auto inside_agreed = again;
  inside_agreed.first = feed_length - 1;
  CHECK(continued_length(d, held, inside_agreed) == held);
  auto past = next;
  past.first = held + 1;
  CHECK(continued_length(d, held, past) == held);
  CHECK_FALSE(t.hoster_verdict(past, d, sealed_tree(held)).status);
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

TEST_CASE("a hoster refuses blocks its encoder did not sign for this replica, without evidence against it") {
  transfer_fixture t;
  // Signed by someone else (the hoster itself, making up a case), and signed for another index.
  auto forged = t.honest();
  const auto& hoster = t.h.signer_of(t.duty.record.hoster);
  forged.blocks[2].encoder_signature = sign_sealed_block(
      t.h.f.chain(), {t.key, 0, t.duty.record.replica_key, 2, forged.blocks[2].sealed}, hoster.sk);
  const auto refused = t.hoster_verdict(forged, t.duty);
  REQUIRE_FALSE(refused.status);
  CHECK(refused.status.err().detail.find("block 2: not signed by the replica's encoder") != std::string::npos);
  CHECK_FALSE(refused.evidence);
  auto swapped = t.honest();
  std::swap(swapped.blocks[1].encoder_signature, swapped.blocks[2].encoder_signature);
  CHECK_FALSE(t.hoster_verdict(swapped, t.duty).evidence);
}

TEST_CASE("a signed bad block gives the hoster evidence, and the original makes a dispute that convicts the encoder") {
  transfer_fixture t;
  const auto bad = t.with_bad_block(4);
  const auto verdict = t.hoster_verdict(bad, t.duty);
  REQUIRE_FALSE(verdict.status);
  CHECK(verdict.status.err().detail.find("block 4") != std::string::npos);
  REQUIRE(verdict.evidence);
  CHECK(verdict.evidence->index == 4);
  CHECK(verdict.evidence->sealed == bad.blocks[4].sealed);

  // The original must be the feed's block at that index.
  CHECK_FALSE(make_dispute(t.h.f.chain(), t.duty, *verdict.evidence, t.original(5)));
  auto tampered = t.original(4);
  tampered.blocks[0].value[0] ^= 1;
  CHECK_FALSE(make_dispute(t.h.f.chain(), t.duty, *verdict.evidence, tampered));

  const auto dispute = make_dispute(t.h.f.chain(), t.duty, *verdict.evidence, t.original(4));
  REQUIRE(dispute);
  t.h.events.clear();
  t.h.apply(t.h.signer_of(t.duty.record.hoster), *dispute);
  const auto convicted = events_of<encoder_convicted>(t.h.events);
  REQUIRE(convicted.size() == 1);
  CHECK(convicted[0].encoder == t.duty.record.encoder);
  CHECK(convicted[0].index == 4);
  CHECK(t.h.s.feeds.at(t.key).replicas.at(0).state == replica_state::badly_sealed);
}

TEST_CASE("a good sealed block sent with a wrong path is refused but makes no dispute") {
  transfer_fixture t;
  auto push = t.honest();
  push.blocks[3].feed_path = t.all.blocks[6].nodes;
  const auto verdict = t.hoster_verdict(push, t.duty);
  REQUIRE_FALSE(verdict.status);
  REQUIRE(verdict.evidence);
  const auto dispute = make_dispute(t.h.f.chain(), t.duty, *verdict.evidence, t.original(3));
  REQUIRE_FALSE(dispute);
  CHECK(dispute.err().detail.find("nothing to dispute") != std::string::npos);
}

TEST_CASE("a hoster refuses a run whose signed replica commitment is not the tree it builds or not the encoder's") {
  transfer_fixture t;
  const auto whole = seal_replica(t.h.feeds.at(t.key), t.duty.record.replica_key).commitment();
  const auto push = t.honest();
  CHECK(push.replica_after == whole);
  CHECK(t.hoster_check(push));
  // Another tree than the one the blocks make.
  auto other_tree = push;
  other_tree.replica_after.tree_hash[0] ^= 1;
  other_tree.commitment_signature = sign_replica_commitment(
      t.h.f.chain(), {t.key, 0, t.duty.record.replica_key, other_tree.replica_after}, t.encoder().sk);
  auto verdict = t.hoster_verdict(other_tree, t.duty);
  REQUIRE_FALSE(verdict.status);
  CHECK(verdict.status.err().detail.find("not the tree the run makes") != std::string::npos);
  CHECK_FALSE(verdict.evidence);
  // The right tree, signed by someone else or for another slot.
  auto forged = push;
  forged.commitment_signature = sign_replica_commitment(
      t.h.f.chain(), {t.key, 0, t.duty.record.replica_key, whole}, t.h.signer_of(t.duty.record.hoster).sk);
  CHECK(t.hoster_verdict(forged, t.duty).status.err().code == chain_errc::bad_signature);
  auto other_slot = push;
  other_slot.commitment_signature =
      sign_replica_commitment(t.h.f.chain(), {t.key, 1, t.duty.record.replica_key, whole}, t.encoder().sk);
  CHECK_FALSE(t.hoster_verdict(other_slot, t.duty).status);
  // A run of the last five blocks, committed as if the hoster held nothing before it.
  feed_blocks tail{t.all.roots, {t.all.blocks.begin() + 5, t.all.blocks.end()}};
  const auto from_nothing = t.sealed_by(test_sealer(), t.duty, tail);
  CHECK_FALSE(t.hoster_verdict(from_nothing, t.duty, t.sealed_tree(5)).status);
  CHECK(t.hoster_verdict(t.sealed_by(test_sealer(), t.duty, tail, t.sealed_tree(5)), t.duty, t.sealed_tree(5)).status);
}

TEST_CASE("the last run's signed commitment makes a root dispute that convicts an encoder submitting another root") {
  transfer_fixture t;
  const auto push = t.honest();
  REQUIRE(t.hoster_check(push));
  const auto evidence = evidence_of(push);
  // No dispute while the encoder has no root on chain.
  CHECK_FALSE(make_root_dispute(t.h.f.chain(), t.duty, evidence));
  const auto& r = t.duty.record;
  const auto bogus = blake2b_256(as_bytes("the encoder's other root"));
  t.h.apply(t.h.signer_of(r.encoder), submit_replica_root{t.key, 0, bogus, feed_length});
  const auto duties = intake_duties(t.h.s, r.hoster);
  REQUIRE(duties.size() == 1);
  // Evidence that is not the encoder's word does not make a dispute.
  auto altered = evidence;
  altered.commitment.tree_hash[0] ^= 1;
  CHECK_FALSE(make_root_dispute(t.h.f.chain(), duties.front(), altered));
  const auto dispute = make_root_dispute(t.h.f.chain(), duties.front(), evidence);
  REQUIRE(dispute);
  t.h.events.clear();
  t.h.apply(t.h.signer_of(r.hoster), *dispute);
  const auto convicted = events_of<encoder_convicted>(t.h.events);
  REQUIRE(convicted.size() == 1);
  CHECK(convicted[0].encoder == r.encoder);
  CHECK(t.h.s.feeds.at(t.key).replicas.at(0).state == replica_state::badly_sealed);
}

TEST_CASE("an encoder whose root is the commitment it signed cannot be disputed") {
  transfer_fixture t;
  const auto evidence = evidence_of(t.honest());
  const auto& r = t.duty.record;
  t.h.apply(t.h.signer_of(r.encoder),
            submit_replica_root{t.key, 0, evidence.commitment.tree_hash, evidence.commitment.length});
  const auto duties = intake_duties(t.h.s, r.hoster);
  REQUIRE(duties.size() == 1);
  const auto refused = make_root_dispute(t.h.f.chain(), duties.front(), evidence);
  REQUIRE_FALSE(refused);
  CHECK(refused.err().detail.find("nothing to dispute") != std::string::npos);
}

TEST_CASE("a hoster left short once the encoder's root is in reports the sealing withheld, and the chain takes it") {
  transfer_fixture t;
  const auto& r = t.duty.record;
  const auto hoster_duty = [&] {
    const auto duties = intake_duties(t.h.s, r.hoster);
    REQUIRE(duties.size() == 1);
    return duties.front();
  };
  // While the encoder has no root in, it may still be sealing.
  CHECK_FALSE(withheld_report(hoster_duty(), 0));
  const auto whole = evidence_of(t.honest()).commitment;
  t.h.apply(t.h.signer_of(r.encoder), submit_replica_root{t.key, 0, whole.tree_hash, whole.length});
  // Holding the whole replica, it has nothing to report (it submits its root).
  CHECK_FALSE(withheld_report(hoster_duty(), feed_length));
  const auto report = withheld_report(hoster_duty(), feed_length - 2);
  REQUIRE(report);
  CHECK(*report == report_withheld_sealing{t.key, 0, feed_length - 2});
  t.h.apply(t.h.signer_of(r.hoster), *report);
  CHECK(t.h.s.feeds.at(t.key).replicas.at(0).state == replica_state::sealing_withheld);
}

TEST_CASE("a hoster proves a challenge once, and again when the chain extends the replica before the proof is in") {
  transfer_fixture t;
  t.h.activate(t.key, 0);
  std::uint64_t seed = 1;
  const auto issued = next_challenge(t.h, seed);
  const auto& r = t.h.s.feeds.at(t.key).replicas.at(issued.replica);
  proofs_answered answered, other;
  CHECK(other.due(t.h.s, r.encoder).empty());  // not the encoder's to prove
  auto due = answered.due(t.h.s, issued.hoster);
  REQUIRE(due.size() == 1);
  CHECK(due.front().id == issued.challenge);
  const auto proved_at = due.front().replica.covers.length;
  CHECK(answered.due(t.h.s, issued.hoster).empty());  // answered: not again at the same length

  // The chain extends the replica before the proof is included: due again, at the new length, once.
  auto extended = t.h.s;
  extended.feeds.at(t.key).replicas.at(issued.replica).covers.length = proved_at + 1;
  due = answered.due(extended, issued.hoster);
  REQUIRE(due.size() == 1);
  CHECK(due.front().replica.covers.length == proved_at + 1);
  CHECK(answered.due(extended, issued.hoster).empty());

  // Once the challenge closes it is forgotten: an id the chain opened anew would be answered.
  auto closed = extended;
  closed.challenges.erase(issued.challenge);
  CHECK(answered.due(closed, issued.hoster).empty());
  CHECK(answered.due(extended, issued.hoster).size() == 1);
}

// Storage challenges on chain (storage_challenges.hpp): an active replica is
// challenged at a random block for a random index, its hoster's proof is
// verified in full by the runtime, attesters report, and at the deadline the
// challenge passes or fails; payouts move ratio from the feed to whoever
// served, never below zero; a hoster that keeps failing loses its replica.
#include <doctest/doctest.h>

#include <set>

#include "chain/hosting_fixture.hpp"
#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/service_record.hpp"
#include "protocol/chain/storage_challenges.hpp"

using namespace datdot;
using namespace datdot::test;

namespace {

chain_params challenge_params() {
  chain_params p;
  p.challenge_period_slots = 20;
  p.challenge_deadline_blocks = 5;
  p.attesters_per_challenge = 2;
  return p;
}

const std::uint64_t price = 1000;  // challenge_params' default price for a feed under 1 MiB

submit_storage_proof honest_proof(const hosting_fixture& h, const feed_key& key, const sealed_replica& replica,
                                  const challenge_issued& c) {
  return {c.challenge, prove(h.feeds.at(key), replica, c.index), h.feeds.at(key).tree.tree.roots()};
}

// One feed with one active replica, run until its first challenge.
struct challenged {
  hosting_fixture h;
  feed_key key;
  sealed_replica replica;
  std::uint64_t seed = 1;
  challenge_issued c;

  explicit challenged(std::size_t attesters) : h{4, 10 * feed_bytes, 2, attesters, challenge_params()} {
    key = h.publish(300, 1'000'000, 1);
    h.next_block(seed);
    replica = h.activate(key, 0);
    c = next_challenge(h, seed);
  }
  submit_storage_proof proof() const { return honest_proof(h, key, replica, c); }
};

}  // namespace

TEST_CASE("an active replica is challenged at a random block, proved on chain, attested, and everyone is paid") {
  hosting_fixture h{4, 10 * feed_bytes, 2, 3, challenge_params()};
  const auto key = h.publish(300, 1'000'000, 1);
  h.next_block(1);
  const auto total = h.total_ratio();
  const auto r = h.s.feeds.at(key).replicas.at(0);
  const auto publisher_before = h.s.accounts.at(h.s.feeds.at(key).publisher).balance.units;
  const auto replica = h.activate(key, 0);
  CHECK(h.s.accounts.at(r.encoder).balance.units == price);  // sealing paid once, at activation
  CHECK(h.s.accounts.at(h.s.feeds.at(key).publisher).balance.units == publisher_before - price);
  CHECK(h.s.feeds.at(key).state == hosting_state::pinned);

  std::uint64_t seed = 1;
  const auto activated_at = h.s.number.value;
  const auto c = next_challenge(h, seed);
  // Due between half a period and one and a half periods after activation.
  CHECK(h.s.number.value > activated_at + 10);
  CHECK(h.s.number.value <= activated_at + 31);
  CHECK(c.feed == key);
  CHECK(c.hoster == r.hoster);
  CHECK(c.index < feed_length);
  CHECK(c.deadline.value == h.s.number.value + 5);
  REQUIRE(c.attesters.size() == 2);
  CHECK(c.attesters[0] != c.attesters[1]);
  for (const auto& a : c.attesters) {
    CHECK(h.s.nodes.at(a).roles.contains(role::attester));
    CHECK(a != r.hoster);
    CHECK(a != r.encoder);
  }

  h.apply(h.signer_of(r.hoster), honest_proof(h, key, replica, c));
  CHECK(count_events<storage_proved>(h.events) == 1);
  for (const auto& a : c.attesters) h.apply(h.signer_of(a), submit_attestation{c.challenge, true, 12, 50'000'000});
  CHECK(h.rejected(h.signer_of(c.attesters[0]), submit_attestation{c.challenge, true, 1, 1}) ==
        chain_errc::invalid_call);  // once each

  const auto hoster_before = h.s.accounts.at(r.hoster).balance.units;
  const auto resolved = run_until_resolved(h, seed, c.challenge);
  REQUIRE(resolved.size() == 1);
  CHECK(resolved[0].passed);
  CHECK(h.s.accounts.at(r.hoster).balance.units == hoster_before + price);
  for (const auto& a : c.attesters) CHECK(h.s.accounts.at(a).balance.units == h.s.params.attestation_units);
  const auto& after = h.s.feeds.at(key).replicas.at(0);
  CHECK(after.passed == 1);
  CHECK(after.failures == 0);
  CHECK(after.last_proof_at.value > activated_at);
  CHECK(h.total_ratio() == total);  // moved from the publisher, never created
  CHECK(decode_state(encode_state(h.s)).value() == h.s);

  // What the node metrics are fed: the chain's record of each node's service.
  const auto hosted = count_service(h.events, r.hoster);
  CHECK(hosted.challenges_received == 1);
  CHECK(hosted.challenges_passed == 1);
  CHECK(hosted.challenges_failed == 0);
  CHECK(active_replicas_of(h.s, r.hoster) == 1);
  const auto sealed = count_service(h.events, r.encoder);
  CHECK(sealed.sealed_blocks == feed_length);
  CHECK(sealed.sealed_bytes == feed_bytes);
  CHECK(sealed.challenges_received == 0);
  CHECK(count_service(h.events, c.attesters[0]).attestations == 1);
}

TEST_CASE("forged, misplaced and foreign storage proofs are refused without effect") {
  hosting_fixture h{4, 10 * feed_bytes, 2, 0, challenge_params()};
  const auto key = h.publish(300, 1'000'000, 2);
  h.next_block(1);
  const auto replica0 = h.activate(key, 0);
  const auto replica1 = h.activate(key, 1);
  std::uint64_t seed = 1;
  const auto c = next_challenge(h, seed);
  const auto& feed = h.feeds.at(key);
  const auto& r = h.s.feeds.at(key).replicas.at(c.replica);
  const auto& mine = c.replica == 0 ? replica0 : replica1;
  const auto& other = c.replica == 0 ? replica1 : replica0;
  const auto& hoster = h.signer_of(r.hoster);
  const auto roots = feed.tree.tree.roots();
  CHECK(c.attesters.empty());  // no attesters registered: the proof alone decides

  // Sybil: the other replica's bytes for the same index do not hash into this replica's tree.
  CHECK(h.rejected(hoster, submit_storage_proof{c.challenge, prove(feed, other, c.index), roots}) ==
        chain_errc::bad_proof);
  // Outsourcing from the public feed: the original block instead of the sealed one.
  auto plain = prove(feed, mine, c.index);
  plain.sealed = feed.blocks.at(c.index);
  CHECK(h.rejected(hoster, submit_storage_proof{c.challenge, plain, roots}) == chain_errc::bad_proof);
  // One flipped bit of the sealed block.
  auto flipped = prove(feed, mine, c.index);
  flipped.sealed[17] ^= 0x04;
  CHECK(h.rejected(hoster, submit_storage_proof{c.challenge, flipped, roots}) == chain_errc::bad_proof);
  // Another index than the one challenged.
  CHECK(h.rejected(hoster, submit_storage_proof{c.challenge, prove(feed, mine, (c.index + 1) % feed_length), roots}) ==
        chain_errc::invalid_call);
  // Feed roots that are not the signed tree.
  auto wrong_roots = roots;
  REQUIRE_FALSE(wrong_roots.empty());
  auto& last_root = wrong_roots[wrong_roots.size() - 1];
  last_root.hash[0] ^= 1;
  CHECK(h.rejected(hoster, submit_storage_proof{c.challenge, prove(feed, mine, c.index), wrong_roots}) ==
        chain_errc::bad_proof);
  // Someone else answering, and a challenge that does not exist.
  const auto& stranger = h.signer_of(h.s.feeds.at(key).replicas.at(1 - c.replica).hoster);
  CHECK(h.rejected(stranger, submit_storage_proof{c.challenge, prove(feed, mine, c.index), roots}) ==
        chain_errc::invalid_call);
  CHECK(h.rejected(hoster, submit_storage_proof{c.challenge + 99, prove(feed, mine, c.index), roots}) ==
        chain_errc::invalid_call);
  // The honest proof still goes through, once.
  h.apply(hoster, submit_storage_proof{c.challenge, prove(feed, mine, c.index), roots});
  CHECK(h.rejected(hoster, submit_storage_proof{c.challenge, prove(feed, mine, c.index), roots}) ==
        chain_errc::invalid_call);
}

TEST_CASE("a hoster that never answers fails its challenges and its replica is re-created on another hoster") {
  hosting_fixture h{4, 10 * feed_bytes, 2, 0, challenge_params()};
  const auto key = h.publish(300, 1'000'000, 1);
  h.next_block(1);
  h.activate(key, 0);
  const auto lazy = h.s.feeds.at(key).replicas.at(0).hoster;
  std::uint64_t seed = 1;
  for (std::uint32_t round = 1; round <= h.s.params.challenge_failures_max; ++round) {
    const auto c = next_challenge(h, seed);
    CHECK(c.hoster == lazy);
    const auto resolved = run_until_resolved(h, seed, c.challenge);
    REQUIRE(resolved.size() == 1);
    CHECK_FALSE(resolved[0].passed);
    CHECK(resolved[0].failures == round);
  }
  CHECK(count_events<replica_failed>(h.events) == 1);
  CHECK(h.s.accounts.at(lazy).balance.units == 0);  // failed challenges earn nothing
  h.next_block(++seed);
  const auto& again = h.s.feeds.at(key).replicas.at(0);
  CHECK(again.state == replica_state::encoding);
  CHECK(again.hoster != lazy);
  h.check_capacity();
}

TEST_CASE("a challenge still open when its replica's slot is reused is neither proved nor settled by the new replica") {
  challenged x{0};
  const auto before = x.h.s.feeds.at(x.key).replicas.at(0).hoster;
  REQUIRE(x.c.hoster == before);
  x.h.apply(x.h.signer_of(before), unregister_node{});  // the hoster leaves with the challenge open
  x.h.next_block(++x.seed);
  const auto& again = x.h.s.feeds.at(x.key).replicas.at(0);
  REQUIRE(again.state == replica_state::encoding);  // the same slot, another hoster
  const auto after = again.hoster;
  REQUIRE(after != before);
  const auto fresh = x.h.activate(x.key, 0);
  REQUIRE(x.h.s.challenges.contains(x.c.challenge));
  // The new hoster cannot answer it, even with a proof that would verify against its own replica.
  CHECK(x.h.rejected(x.h.signer_of(after), honest_proof(x.h, x.key, fresh, x.c)) == chain_errc::invalid_call);
  const auto resolved = run_until_resolved(x.h, x.seed, x.c.challenge);
  CHECK(resolved.empty());  // lapsed: no pass, no failure
  const auto lapsed = events_of<challenge_lapsed>(x.h.events);
  REQUIRE(lapsed.size() == 1);
  CHECK(lapsed[0] == challenge_lapsed{x.c.challenge, x.key, 0});
  CHECK(x.h.s.feeds.at(x.key).replicas.at(0).failures == 0);
  CHECK(x.h.s.feeds.at(x.key).replicas.at(0).state == replica_state::active);
}

TEST_CASE("a proved challenge fails when every attester that reported was refused the block") {
  challenged x{2};
  REQUIRE(x.c.attesters.size() == 2);
  x.h.apply(x.h.signer_of(x.c.hoster), x.proof());
  for (const auto& a : x.c.attesters) x.h.apply(x.h.signer_of(a), submit_attestation{x.c.challenge, false, 0, 0});
  const auto resolved = run_until_resolved(x.h, x.seed, x.c.challenge);
  REQUIRE(resolved.size() == 1);
  CHECK_FALSE(resolved[0].passed);
  for (const auto& a : x.c.attesters) CHECK(x.h.s.accounts.at(a).balance.units == x.h.s.params.attestation_units);
}

TEST_CASE("an attester that has not reported by the deadline is recorded missed, paid nothing, and cannot report late") {
  challenged x{2};
  REQUIRE(x.c.attesters.size() == 2);
  const auto reporter = x.c.attesters[0];
  const auto absent = x.c.attesters[1];
  const auto absent_before = x.h.s.accounts.at(absent).balance.units;
  x.h.apply(x.h.signer_of(x.c.hoster), x.proof());
  x.h.apply(x.h.signer_of(reporter), submit_attestation{x.c.challenge, true, 5, 1'000'000});
  const auto resolved = run_until_resolved(x.h, x.seed, x.c.challenge);
  REQUIRE(resolved.size() == 1);
  CHECK(resolved[0].passed);  // a missing report neither passes nor fails the hoster
  CHECK(events_of<attestation_missed>(x.h.events) == std::vector{attestation_missed{x.c.challenge, absent}});
  CHECK(x.h.s.accounts.at(absent).balance.units == absent_before);
  CHECK(count_service(x.h.events, absent).attestations_missed == 1);
  CHECK(count_service(x.h.events, reporter).attestations_missed == 0);
  CHECK(x.h.rejected(x.h.signer_of(absent), submit_attestation{x.c.challenge, true, 5, 1}) == chain_errc::invalid_call);
}

TEST_CASE("backing pays before the publisher and a feed that cannot pay ends its hosting, no balance below zero") {
  hosting_fixture h{4, 10 * feed_bytes, 2, 0, challenge_params()};
  // Exactly enough for sealing one replica: the first passed challenge cannot be paid in full.
  CHECK(h.rejected(h.join(299, role::publisher, 0), publish_feed{}) == chain_errc::invalid_call);
  const auto key = h.publish(300, price, 1);
  const auto publisher = h.s.feeds.at(key).publisher;
  const auto& backer = h.f.validators.at(0);
  h.apply(backer, back_feed{key, ratio{price / 2}});
  CHECK(h.s.feeds.at(key).backing.units == price / 2);
  CHECK(h.rejected(backer, back_feed{key, ratio{0}}) == chain_errc::invalid_call);
  CHECK(h.rejected(backer, back_feed{key, ratio{100'000'000}}) == chain_errc::insufficient_ratio);
  h.next_block(1);
  const auto total = h.total_ratio();
  const auto replica = h.activate(key, 0);
  // Sealing drew the backing first, then half from the publisher.
  CHECK(h.s.feeds.at(key).backing.units == 0);
  CHECK(h.s.accounts.at(publisher).balance.units == price / 2);
  std::uint64_t seed = 1;
  const auto c = next_challenge(h, seed);
  h.apply(h.signer_of(c.hoster), honest_proof(h, key, replica, c));
  run_until_resolved(h, seed, c.challenge);
  CHECK(h.s.accounts.at(c.hoster).balance.units == price / 2);  // all that was left
  CHECK(h.s.accounts.at(publisher).balance.units == 0);
  CHECK(h.s.feeds.at(key).state == hosting_state::failed);
  CHECK(h.s.feeds.at(key).replicas.at(0).state == replica_state::failed);
  CHECK(h.total_ratio() == total);
  h.check_capacity();
  CHECK(h.rejected(backer, back_feed{key, ratio{1}}) == chain_errc::invalid_call);  // hosting ended
}

TEST_CASE("a request its publisher cannot pay sealing for is refused") {
  hosting_fixture h{4, 10 * feed_bytes};
  const auto p = h.join(300, role::publisher, 0);
  h.s.accounts.at(id_of(p)).balance = ratio{2 * price - 1};
  publish_feed x;
  const auto signer = test_key(5300);
  x.signer = signer.pk;
  x.length = 1;
  x.byte_size = 10;
  x.tree_hash = blake2b_256(as_bytes("t"));
  x.tree_signature = sign(feed_identity{signer.pk, x.mode}.signable(x.tree_hash, x.length, x.fork), signer.sk);
  x.replicas = 2;
  CHECK(h.rejected(p, x) == chain_errc::insufficient_ratio);
  x.replicas = 1;
  h.apply(p, x);
}

TEST_CASE("a block carrying a storage proof is built and imported to the same state, and proofs round-trip") {
  challenged x{2};
  auto& h = x.h;
  const auto proof = make_extrinsic(h.f.chain(), h.signer_of(x.c.hoster), h.s.accounts.at(x.c.hoster).nonce, x.proof());
  const auto wire = encode_extrinsic(proof);
  CHECK(wire.size() > chain_limits::small_extrinsic_bytes_max);
  CHECK(decode_extrinsic(wire).value() == proof);
  auto truncated = wire;
  truncated.resize(wire.size() - 100);
  CHECK(decode_extrinsic(truncated).err().code == chain_errc::malformed);

  const block_hash parent{blake2b_256(as_bytes("parent"))};
  const auto slot = slot_number{h.s.slot.value + 1};
  const auto built = h.f.build(h.s, parent, slot, {proof});
  REQUIRE(built.b.extrinsics.size() == 1);
  CHECK(encode_block(built.b).size() <= chain_limits::block_bytes_max);
  const auto imported = apply_block(h.s, parent, built.b);
  REQUIRE(imported);
  CHECK(imported->state == built.applied.state);
  CHECK(count_events<storage_proved>(imported->events) == 1);
}

TEST_CASE("the bytes a challenge calls for bound its real proof and attestations") {
  challenged x{2};
  auto& h = x.h;
  const auto& r = h.s.feeds.at(x.key).replicas.at(0);
  const auto proof = x.proof();
  const auto proof_bytes =
      encode_extrinsic(make_extrinsic(h.f.chain(), h.signer_of(x.c.hoster), h.s.accounts.at(x.c.hoster).nonce, proof))
          .size();
  const auto node_lists = proof.proof.replica_path.size() + proof.proof.replica_roots.size() +
                          proof.proof.feed_path.size() + proof.feed_roots.size();
  CHECK(proof_bytes - proof.proof.sealed.size() - node_lists * chain_limits::tree_node_bytes <=
        chain_limits::storage_proof_fixed_bytes);
  // The largest values an attestation may carry.
  const submit_attestation report{UINT64_MAX, true, UINT32_MAX, UINT64_MAX};
  const auto report_bytes =
      encode_extrinsic(make_extrinsic(h.f.chain(), h.signer_of(x.c.attesters[0]), UINT64_MAX, report)).size();
  CHECK(report_bytes <= chain_limits::attestation_bytes_max);
  CHECK(proof_bytes + 2 * report_bytes <= challenge_bytes(h.s.params, r));
  // The bound follows the replica: a feed of one block calls for about a tenth of the 40 KB one's bytes.
  hosting_fixture small{4, 10 * feed_bytes, 2, 2, challenge_params()};
  const auto one_block = small.publish(300, 1'000'000, 1, 1);
  small.next_block(1);
  small.activate(one_block, 0);
  CHECK(challenge_bytes(small.s.params, small.s.feeds.at(one_block).replicas.at(0)) * 5 <
        challenge_bytes(h.s.params, r));
}

TEST_CASE("a block opens the due challenges its byte budget holds, oldest due first, and always one") {
  hosting_fixture h{4, 10 * feed_bytes, 2, 2, challenge_params()};
  std::vector<feed_key> keys;
  for (std::uint64_t i = 0; i < 25; ++i) keys.push_back(h.publish(300 + i, 1'000'000, 1, 1));
  h.next_block(1);
  for (const auto& key : keys) h.activate(key, 0);
  // All come due together, but one of them a block earlier than the rest.
  for (auto& [key, f] : h.s.feeds) f.replicas.at(0).next_challenge_at = block_number{h.s.number.value + 1};
  const auto oldest = keys[17];
  h.s.feeds.at(oldest).replicas.at(0).next_challenge_at = h.s.number;
  const auto cost = challenge_bytes(h.s.params, h.s.feeds.at(oldest).replicas.at(0));
  const auto per_block = chain_limits::challenge_bytes_per_block_max / cost;
  REQUIRE(per_block > 1);
  REQUIRE(per_block < keys.size());
  std::size_t opened = 0;
  for (std::uint64_t seed = 2; opened < keys.size(); ++seed) {
    const auto before = h.events.size();
    h.next_block(seed);
    const std::vector<chain_event> block(h.events.begin() + static_cast<std::ptrdiff_t>(before), h.events.end());
    const auto issued = events_of<challenge_issued>(block);
    if (opened == 0) CHECK(issued.at(0).feed == oldest);
    CHECK(issued.size() == std::min(per_block, keys.size() - opened));
    opened += issued.size();
  }
  CHECK(opened == keys.size());

  // A replica whose proof alone is over the budget is still challenged, alone in its block.
  hosting_fixture big{4, 10 * feed_bytes, 2, 2, challenge_params()};
  const auto a = big.publish(300, 1'000'000, 1, 16);
  const auto b = big.publish(301, 1'000'000, 1, 16);
  big.next_block(1);
  big.activate(a, 0);
  big.activate(b, 0);
  REQUIRE(challenge_bytes(big.s.params, big.s.feeds.at(a).replicas.at(0)) > chain_limits::challenge_bytes_per_block_max);
  for (auto& [key, f] : big.s.feeds) f.replicas.at(0).next_challenge_at = big.s.number;
  for (std::uint64_t seed = 2; seed < 4; ++seed) {
    const auto before = big.events.size();
    big.next_block(seed);
    const std::vector<chain_event> block(big.events.begin() + static_cast<std::ptrdiff_t>(before), big.events.end());
    CHECK(events_of<challenge_issued>(block).size() == 1);
  }
}

// Periodic reshuffle on chain (replica_reshuffle.hpp): an active replica
// moves to another hoster after its period, make before break (the old one
// stays active until its replacement is, then is retired), capacity and ratio
// stay exact, nothing moves when no other hoster is free or when the period
// is 0, build and import agree, and over many seeds no feed ever has two
// replicas on one hoster.
#include <doctest/doctest.h>

#include <random>
#include <set>

#include "chain/hosting_fixture.hpp"
#include "protocol/chain/chain_limits.hpp"

using namespace datdot;
using namespace datdot::test;

namespace {

constexpr std::uint64_t period = 40;

// Challenges go unanswered in these tests: enough failures allowed that they never fail a replica.
chain_params reshuffle_params(std::uint64_t reshuffle_period = period) {
  chain_params p;
  p.challenge_period_slots = 20;
  p.challenge_deadline_blocks = 5;
  p.challenge_failures_max = 1'000'000;
  p.attesters_per_challenge = 0;
  p.reshuffle_period_slots = reshuffle_period;
  return p;
}

std::size_t count_state(const feed_record& f, replica_state state) {
  return static_cast<std::size_t>(
      std::count_if(f.replicas.begin(), f.replicas.end(), [&](const replica_record& r) { return r.state == state; }));
}

// Encoder and hoster of replica `i` commit to one tree (the chain compares the two, nothing more).
void agree(hosting_fixture& h, const feed_key& key, std::uint32_t i, const hash32& encoder_root) {
  const auto r = h.s.feeds.at(key).replicas.at(i);
  const auto length = r.extension ? r.extension->target.length : r.covers.length;
  h.apply(h.signer_of(r.hoster), submit_replica_root{key, i, blake2b_256(as_bytes("replica tree")), length});
  h.apply(h.signer_of(r.encoder), submit_replica_root{key, i, encoder_root, length});
}
void agree(hosting_fixture& h, const feed_key& key, std::uint32_t i) {
  agree(h, key, i, blake2b_256(as_bytes("replica tree")));
}

struct move {
  std::uint32_t old;
  std::uint32_t replacement;
};

std::optional<move> move_of(const feed_record& f) {
  for (std::uint32_t i = 0; i < f.replicas.size(); ++i)
    if (f.replicas[i].replacement) return move{i, *f.replicas[i].replacement};
  return std::nullopt;
}

// One feed wanting `wanted` replicas, all active.
struct hosted {
  hosting_fixture h;
  feed_key key;
  std::uint64_t seed = 1;

  hosted(std::size_t hosters, std::uint32_t wanted, chain_params p = reshuffle_params())
      : h{hosters, 10 * feed_bytes, 3, 0, p} {
    key = h.publish(300, 100'000'000, wanted);
    h.next_block(seed);
    for (std::uint32_t i = 0; i < wanted; ++i) agree(h, key, i);
    REQUIRE(feed().state == hosting_state::pinned);
  }
  const feed_record& feed() const { return h.s.feeds.at(key); }
  block_number first_due() const {
    block_number at{UINT64_MAX};
    for (const auto& r : feed().replicas)
      if (r.state == replica_state::active) at = std::min(at, r.next_move_at);
    return at;
  }
  // Advances blocks until a move starts; fails after `limit` blocks.
  move next_move(std::uint64_t limit = 4 * period) {
    for (std::uint64_t i = 0; i < limit; ++i) {
      h.next_block(++seed);
      if (auto m = move_of(feed())) return *m;
    }
    FAIL("no move within the limit");
    return {};
  }
};

}  // namespace

TEST_CASE("reshuffle: a replica moves to another hoster after its period, retired only once its replacement is active") {
  hosted x{5, 2};
  auto& h = x.h;
  const auto activated_at = h.s.number.value;
  for (const auto& r : x.feed().replicas) {
    CHECK(r.next_move_at.value >= activated_at + period);
    CHECK(r.next_move_at.value < activated_at + 2 * period);
  }
  const auto total = h.total_ratio();
  const auto due = x.first_due();
  const auto m = x.next_move();
  CHECK(h.s.number == due);  // nothing stood in its way: it moved the block it was due
  const auto before = x.feed().replicas;
  const auto& old = before.at(m.old);
  const auto& fresh = before.at(m.replacement);
  CHECK(old.state == replica_state::active);
  CHECK(old.next_move_at <= h.s.number);
  CHECK(fresh.state == replica_state::encoding);
  CHECK(m.replacement == 2);  // no ended slot to reuse: one slot more while it moves
  std::set<account_id> hosters;
  for (const auto& r : before) hosters.insert(r.hoster);
  CHECK(hosters.size() == before.size());  // the replacement's hoster held no replica of the feed
  CHECK(fresh.encoder != fresh.hoster);
  h.check_capacity();

  // Make before break: while the replacement is sealed (up to its sealing deadline), the old one
  // stays active and is still challenged, the feed stays pinned, and no other replica of the feed
  // starts to move.
  h.events.clear();
  bool old_challenged = false;
  REQUIRE(fresh.root_due.value > h.s.number.value + 2 * period);
  while (h.s.number.value + 1 < fresh.root_due.value) {
    h.next_block(++x.seed);
    CHECK(count_state(x.feed(), replica_state::active) == 2);
    CHECK(x.feed().state == hosting_state::pinned);
    CHECK(x.feed().replicas.size() == 3);
    for (const auto& c : events_of<challenge_issued>(h.events)) old_challenged |= c.replica == m.old;
  }
  CHECK(old_challenged);
  CHECK(count_events<hosting_state_changed>(h.events) == 0);
  CHECK(count_events<replica_assigned>(h.events) == 0);
  CHECK(x.feed().replicas.at(m.old).replacement == m.replacement);

  const auto old_hoster_reserved = h.s.nodes.at(old.hoster).reserved_bytes;
  h.events.clear();
  agree(h, x.key, m.replacement);
  const auto& after = x.feed().replicas;
  CHECK(after.at(m.replacement).state == replica_state::active);
  CHECK(after.at(m.old).state == replica_state::retired);
  CHECK_FALSE(after.at(m.old).replacement);
  CHECK(count_state(x.feed(), replica_state::active) == 2);
  CHECK(x.feed().state == hosting_state::pinned);
  const auto retired = events_of<replica_retired>(h.events);
  REQUIRE(retired.size() == 1);
  CHECK(retired[0] == replica_retired{x.key, m.old, old.hoster, m.replacement});
  CHECK(count_events<replica_failed>(h.events) == 0);  // a move is no failure
  CHECK(h.s.nodes.at(old.hoster).reserved_bytes == old_hoster_reserved - feed_bytes);
  h.check_capacity();
  CHECK(h.total_ratio() == total);  // the replacement's sealing moved ratio, none was made

  // The other original replica moves next, into the retired one's slot.
  const auto other = m.old == 0 ? 1u : 0u;
  const auto second = x.next_move();
  CHECK(second.old == other);
  CHECK(second.replacement == m.old);
  CHECK(x.feed().replicas.at(second.replacement).hoster != x.feed().replicas.at(other).hoster);
  CHECK(x.feed().replicas.at(second.replacement).hoster != x.feed().replicas.at(m.replacement).hoster);
  h.check_capacity();
  CHECK(h.total_ratio() == total);
}

TEST_CASE("reshuffle: a failed replacement leaves the moving replica in place, and it tries again later") {
  hosted x{5, 1};  // one replica: with two, the other would move while this one waits
  auto& h = x.h;
  const auto m = x.next_move();
  const auto failed_hoster = x.feed().replicas.at(m.replacement).hoster;
  h.events.clear();
  agree(h, x.key, m.replacement, blake2b_256(as_bytes("a different tree")));
  h.end_answer_window(x.key, m.replacement, ++x.seed);  // no dispute: the replacement's hoster is named
  CHECK(x.feed().replicas.at(m.replacement).state == replica_state::failed);
  CHECK(x.feed().replicas.at(m.old).state == replica_state::active);
  CHECK_FALSE(x.feed().replicas.at(m.old).replacement);
  CHECK(x.feed().replicas.at(m.old).next_move_at.value == h.s.number.value + chain_limits::move_retry_blocks);
  CHECK(count_events<replica_retired>(h.events) == 0);
  CHECK(x.feed().state == hosting_state::pinned);
  CHECK(count_state(x.feed(), replica_state::active) == 1);
  h.check_capacity();

  // Nothing is re-created for the failed replacement: the feed has what it wants.
  for (std::uint64_t i = 0; i + 1 < chain_limits::move_retry_blocks; ++i) {
    h.next_block(++x.seed);
    CHECK_FALSE(move_of(x.feed()));
  }
  const auto again = x.next_move(2);
  CHECK(again.old == m.old);
  CHECK(again.replacement == m.replacement);  // the failed slot is reused...
  CHECK(x.feed().replicas.at(again.replacement).hoster != failed_hoster);  // ...not by the hoster that failed it
  h.check_capacity();
}

TEST_CASE("reshuffle: a moving replica that fails leaves its replacement as an ordinary replica") {
  hosted x{5, 2};
  auto& h = x.h;
  const auto m = x.next_move();
  const auto leaving = h.signer_of(x.feed().replicas.at(m.old).hoster);
  h.apply(leaving, unregister_node{});
  CHECK(x.feed().replicas.at(m.old).state == replica_state::failed);
  CHECK_FALSE(move_of(x.feed()));
  h.events.clear();
  h.next_block(++x.seed);
  CHECK(count_events<replica_assigned>(h.events) == 0);  // the replacement stands in: no repair
  agree(h, x.key, m.replacement);
  CHECK(count_events<replica_retired>(h.events) == 0);
  CHECK(count_state(x.feed(), replica_state::active) == 2);
  CHECK(x.feed().state == hosting_state::pinned);
  h.check_capacity();
}

TEST_CASE("reshuffle: nothing moves while no other hoster has room, and a replica moves once one has") {
  hosted x{2, 2};
  auto& h = x.h;
  const auto small = h.join(150, role::hoster, feed_bytes - 1);  // registered, but without room for the feed
  h.events.clear();
  for (std::uint64_t i = 0; i < 3 * period + chain_limits::move_retry_blocks; ++i) {
    h.next_block(++x.seed);
    CHECK_FALSE(move_of(x.feed()));
  }
  CHECK(count_events<replica_assigned>(h.events) == 0);
  CHECK(count_state(x.feed(), replica_state::active) == 2);
  CHECK(h.s.nodes.at(id_of(small)).reserved_bytes == 0);
  for (const auto& r : x.feed().replicas) CHECK(r.next_move_at > h.s.number);  // waiting to try again
  h.check_capacity();

  const auto roomy = h.join(151, role::hoster, 10 * feed_bytes);
  const auto m = x.next_move(chain_limits::move_retry_blocks + 1);
  CHECK(x.feed().replicas.at(m.replacement).hoster == id_of(roomy));
  h.check_capacity();
}

TEST_CASE("reshuffle: a period of 0 turns it off") {
  hosted x{5, 2, reshuffle_params(0)};
  auto& h = x.h;
  for (const auto& r : x.feed().replicas) CHECK(r.next_move_at.value == 0);
  h.events.clear();
  for (std::uint64_t i = 0; i < 10 * period; ++i) h.next_block(++x.seed);
  CHECK_FALSE(move_of(x.feed()));
  CHECK(count_events<replica_assigned>(h.events) == 0);
  CHECK(count_state(x.feed(), replica_state::active) == 2);
}

TEST_CASE("reshuffle: the period is checked at genesis") {
  genesis_config c;
  c.validators.push_back(id_of(test_key(0)));
  c.params = reshuffle_params(0);
  CHECK(make_genesis(c));
  c.params = reshuffle_params(c.params.challenge_period_slots - 1);
  CHECK(make_genesis(c).err().code == chain_errc::bad_config);
  c.params = reshuffle_params(chain_limits::reshuffle_period_slots_max + 1);
  CHECK(make_genesis(c).err().code == chain_errc::bad_config);
  const auto parsed = parse_genesis_config(R"({"params":{"reshuffle_period_slots":77},"validators":[]})");
  REQUIRE(parsed);
  CHECK(parsed->params.reshuffle_period_slots == 77);
  CHECK(chain_params{}.reshuffle_period_slots == 100'800);
}

TEST_CASE("reshuffle: blocks that start and finish a move are built and imported to the same state") {
  hosted x{5, 2};
  auto& h = x.h;
  while (h.s.number.value + 1 < x.first_due().value) h.next_block(++x.seed);
  const block_hash parent{blake2b_256(as_bytes("parent"))};
  const auto built = h.f.build(h.s, parent, slot_number{h.s.slot.value + 1}, {});
  const auto imported = apply_block(h.s, parent, built.b);
  REQUIRE(imported);
  CHECK(imported->state == built.applied.state);
  CHECK(count_events<replica_assigned>(imported->events) == 1);
  const auto m = move_of(imported->state.feeds.at(x.key));
  REQUIRE(m);
  CHECK(decode_state(encode_state(imported->state)).value() == imported->state);

  // The next block carries the replacement's two roots: it activates, the old one retires.
  h.s = imported->state;
  const auto r = h.s.feeds.at(x.key).replicas.at(m->replacement);
  const auto root = blake2b_256(as_bytes("replica tree"));
  std::vector<extrinsic> roots;
  for (const auto& side : {r.hoster, r.encoder})
    roots.push_back(make_extrinsic(h.f.chain(), h.signer_of(side), h.s.accounts.at(side).nonce,
                                   submit_replica_root{x.key, m->replacement, root, r.covers.length}));
  const block_hash next_parent{blake2b_256(as_bytes("next parent"))};
  const auto built2 = h.f.build(h.s, next_parent, slot_number{h.s.slot.value + 1}, roots);
  REQUIRE(built2.b.extrinsics.size() == 2);
  const auto imported2 = apply_block(h.s, next_parent, built2.b);
  REQUIRE(imported2);
  CHECK(imported2->state == built2.applied.state);
  CHECK(state_root(imported2->state) == built2.b.header.header.state_root);
  CHECK(count_events<replica_retired>(imported2->events) == 1);
  CHECK(imported2->state.feeds.at(x.key).replicas.at(m->old).state == replica_state::retired);
  CHECK(decode_state(encode_state(imported2->state)).value() == imported2->state);
}

// Random churn around the reshuffle: replicas activate, disagree, extend with
// a growing feed, hosters leave, challenges fail replicas; after every block
// the invariants of hosting hold.
TEST_CASE("reshuffle: over many seeds no feed ever has two replicas on one hoster and the books stay exact") {
  std::size_t retirements = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng{seed};
    auto p = reshuffle_params();
    p.challenge_failures_max = 3;  // unanswered challenges fail replicas: repairs during moves
    hosting_fixture h{7, 10 * feed_bytes, 3, 0, p};
    std::vector<feed_key> keys;
    for (std::uint64_t i = 0; i < 3; ++i)
      keys.push_back(h.publish(300 + i, 1'000'000'000, static_cast<std::uint32_t>(2 + i % 2)));
    const auto total = h.total_ratio();
    std::set<account_id> left;
    for (std::uint64_t block = 0; block < 300; ++block) {
      h.next_block(seed * 1000 + block);
      for (const auto& key : keys) {
        const auto& f = h.s.feeds.at(key);
        if (f.state == hosting_state::failed) continue;
        for (std::uint32_t i = 0; i < f.replicas.size(); ++i) {
          const auto& r = h.s.feeds.at(key).replicas[i];
          const bool pending = r.state == replica_state::encoding || (r.state == replica_state::active && r.extension);
          const bool rooted = r.extension ? r.extension->encoder_root.has_value() : r.encoder_root.has_value();
          if (!pending || rooted || left.contains(r.hoster) || left.contains(r.encoder)) continue;
          const auto roll = rng() % 10;
          if (roll < 3) agree(h, key, i);
          if (roll == 3) agree(h, key, i, blake2b_256(as_bytes("a different tree")));
        }
        if (rng() % 60 == 0) h.apply(h.signer_of(h.s.feeds.at(key).publisher), append(h, key, 1));
      }
      if (rng() % 80 == 0 && left.size() < 2) {
        const auto& k = h.hosters.at(rng() % h.hosters.size());
        if (left.insert(id_of(k)).second) h.apply(k, unregister_node{});
      }
      for (const auto& key : keys) {
        const auto& f = h.s.feeds.at(key);
        std::set<account_id> hosters;
        std::size_t live = 0, kept = 0, moving = 0;
        for (const auto& r : f.replicas) {
          if (!is_live(r)) continue;
          ++live;
          CHECK(hosters.insert(r.hoster).second);
          if (!r.replacement) {
            ++kept;
            continue;
          }
          ++moving;
          CHECK(r.state == replica_state::active);
          CHECK(f.replicas.at(*r.replacement).state == replica_state::encoding);
        }
        CHECK(moving <= 1);
        CHECK(kept <= f.replicas_wanted);
        CHECK(f.replicas.size() <= f.replicas_wanted + 1);
        CHECK(live == kept + moving);
      }
      h.check_capacity();
      CHECK(h.total_ratio() == total);
    }
    retirements += count_events<replica_retired>(h.events);
  }
  CHECK(retirements >= 100);  // the churn did exercise the reshuffle (492 with these seeds)
}

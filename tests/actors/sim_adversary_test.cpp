// Chain-level adversaries in simulation, one scenario file per kind: each is
// caught within a bounded number of slots (an offence on the finalized chain,
// or banned by every honest node), no honest node is ever accused, finality
// stays safe, and a run with adversaries is still a function of its seed.
#include <doctest/doctest.h>


#include "actors/sim/scenario_driver.hpp"
#include "support/scenario_file.hpp"

using namespace datdot;

namespace {

// Leaders rotate over 4 validators and a report needs a slot to be included
// and a few more to be finalized; bans need garbage_frames_threshold frames.
constexpr std::uint64_t caught_within_slots = 12;

sim_report caught_without_false_accusations(const sim_scenario& s) {
  auto r = run_scenario(s);
  REQUIRE_MESSAGE(r.has_value(), r.err().describe());
  INFO(report_text(*r, "-"));
  CHECK_FALSE(r->violation.has_value());
  CHECK(r->false_accusations == 0);
  CHECK(r->finalized_height > 0);
  REQUIRE_FALSE(r->adversaries.empty());
  for (const auto& a : r->adversaries) {
    CHECK(a.frames_sent > 0);
    REQUIRE(a.caught_at_slot.has_value());
    CHECK(*a.caught_at_slot <= caught_within_slots);
  }
  CHECK(r->adversaries_caught == r->adversaries.size());
  return *r;
}

}  // namespace

TEST_CASE("an equivocating validator is recorded on the finalized chain and no honest node is") {
  const auto r = caught_without_false_accusations(testing::scenario_named("equivocating-validator.json"));
  REQUIRE(r.adversaries.size() == 1);
  CHECK(r.adversaries[0].who == sim_adversary{adversary_kind::equivocating_validator, 1});
  CHECK(r.adversaries[0].offences >= 1);
}

TEST_CASE("a double-voting validator is recorded on the finalized chain and no honest node is") {
  const auto r = caught_without_false_accusations(testing::scenario_named("double-voting-validator.json"));
  REQUIRE(r.adversaries.size() == 1);
  CHECK(r.adversaries[0].who == sim_adversary{adversary_kind::double_voting_validator, 2});
  CHECK(r.adversaries[0].offences >= 1);
}

TEST_CASE("a garbage sender is banned by every honest node and bans no honest node") {
  const auto s = testing::scenario_named("garbage-sender.json");
  const auto r = caught_without_false_accusations(s);
  REQUIRE(r.adversaries.size() == 1);
  CHECK(r.adversaries[0].who.kind == adversary_kind::garbage_sender);
  CHECK(r.adversaries[0].banned_by == s.nodes() - 1);
  CHECK(r.adversaries[0].offences == 0);
}

TEST_CASE("a run with adversaries gives the same trace and state root for the same seed") {
  auto s = testing::scenario_named("equivocating-validator.json");
  s.adversaries.push_back(sim_adversary_spec{adversary_kind::garbage_sender, {5}, std::nullopt});
  s.slots = 10;
  const auto a = run_scenario(s);
  const auto b = run_scenario(s);
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK(a->trace_hash == b->trace_hash);
  CHECK(a->state_root == b->state_root);
  CHECK(a->events == b->events);
  CHECK(a->adversaries[0].caught_at_slot == b->adversaries[0].caught_at_slot);
  CHECK(a->adversaries[1].caught_at_slot == b->adversaries[1].caught_at_slot);
}

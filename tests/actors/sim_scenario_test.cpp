// Scenario files and their flag forms: fields override defaults, typos and
// impossible faults are refused with the field named, and a scenario written
// out reads back the same.
#include <doctest/doctest.h>

#include <algorithm>

#include "actors/sim/open_files.hpp"
#include "actors/sim/sim_scenario.hpp"

using namespace datdot;

TEST_CASE("a scenario file overrides the fields it names and keeps the others") {
  auto s = parse_scenario(R"({"seed": 9, "validators": 7, "links": {"loss_permille": 5},
                              "partitions": [{"at_slot": 3, "groups": [[0, 1], [2]], "heal_at_slot": 8}],
                              "crashes": [{"node": 2, "at_slot": 4}]})");
  REQUIRE_MESSAGE(s.has_value(), s.err().describe());
  CHECK(s->seed == 9);
  CHECK(s->validators == 7);
  CHECK(s->followers == sim_scenario{}.followers);
  CHECK(s->links.loss_permille == 5);
  CHECK(s->links.latency_us_max == link_profile{}.latency_us_max);
  REQUIRE(s->partitions.size() == 1);
  CHECK(s->partitions[0].groups == std::vector<std::vector<sim_node_index>>{{0, 1}, {2}});
  CHECK(s->partitions[0].heal_at_slot == 8u);
  REQUIRE(s->crashes.size() == 1);
  CHECK_FALSE(s->crashes[0].restart_at_slot);
  CHECK(validate(*s).has_value());
  // Written out and read back: the same scenario.
  auto again = parse_scenario(scenario_json(*s));
  REQUIRE(again.has_value());
  CHECK(scenario_json(*again) == scenario_json(*s));
}

TEST_CASE("malformed scenarios are refused naming the field") {
  auto why = [](const char* text) {
    auto s = parse_scenario(text);
    return s ? std::string{} : s.err().message;
  };
  CHECK(why("{").find("not valid JSON") != std::string::npos);
  CHECK(why(R"({"sead": 1})").find("unknown field \"sead\"") != std::string::npos);
  CHECK(why(R"({"slots": -3})").find("scenario.slots") != std::string::npos);
  CHECK(why(R"({"links": {"loss": 1}})").find("links: unknown field") != std::string::npos);
  CHECK(why(R"({"crashes": [{"at_slot": 1}]})").find("crashes[0]: needs node") != std::string::npos);
  CHECK(why(R"({"partitions": [{"at_slot": 1, "groups": [[0, "x"]]}]})").find("partitions[0].groups") !=
        std::string::npos);
}

TEST_CASE("impossible scenarios do not validate") {
  auto invalid = [](auto change) {
    sim_scenario s;
    change(s);
    auto ok = validate(s);
    return ok ? std::string{} : ok.err().message;
  };
  CHECK(invalid([](sim_scenario& s) { s.validators = 0; }).find("validators") != std::string::npos);
  CHECK(invalid([](sim_scenario& s) { s.slot_ms = 5; }).find("slot_ms") != std::string::npos);
  CHECK(invalid([](sim_scenario& s) { s.links.loss_permille = 1001; }).find("permille") != std::string::npos);
  CHECK(invalid([](sim_scenario& s) { s.crashes = {{99, 3, {}}}; }).find("node 99 does not exist") !=
        std::string::npos);
  CHECK(invalid([](sim_scenario& s) { s.crashes = {{1, 10, 5}}; }).find("restart_at_slot must come after") !=
        std::string::npos);
  CHECK(invalid([](sim_scenario& s) { s.crashes = {{1, 10, 20}, {1, 15, {}}}; }).find("while it is down") !=
        std::string::npos);
  CHECK(invalid([](sim_scenario& s) { s.crashes = {{1, 10, {}}, {1, 5, 8}}; }).empty());
  CHECK(invalid([](sim_scenario& s) { s.partitions = {{5, {{0, 1}, {1}}, {}}}; }).find("in two groups") !=
        std::string::npos);
  CHECK(invalid([](sim_scenario& s) { s.partitions = {{5, {{0}}, 100}}; }).find("outside the run") !=
        std::string::npos);
  const auto reshuffling = [](std::uint64_t period) {
    return [period](sim_scenario& s) {
      s.followers = 8;
      s.hosting = sim_hosting{1, 1, 3, 1};
      s.hosting.feeds = 1;
      s.hosting.replicas = 1;
      s.hosting.reshuffle_period_slots = period;
    };
  };
  CHECK(invalid(reshuffling(sim_hosting{}.challenge_period_slots - 1)).find("reshuffle_period_slots: 0 (off) or at least") != std::string::npos);
  CHECK(invalid(reshuffling(0)).empty());
  CHECK(invalid(reshuffling(sim_hosting{}.challenge_period_slots)).empty());
}

TEST_CASE("faults given as flags") {
  auto c = parse_crash_flag("3@10-20");
  REQUIRE(c.has_value());
  CHECK(c->node == 3);
  CHECK(c->at_slot == 10);
  CHECK(c->restart_at_slot == 20u);
  CHECK_FALSE(parse_crash_flag("3@10")->restart_at_slot);
  CHECK_FALSE(parse_crash_flag("3").has_value());
  CHECK_FALSE(parse_crash_flag("x@1").has_value());

  auto p = parse_partition_flag("0,1|2,3,4@10-30");
  REQUIRE(p.has_value());
  CHECK(p->groups == std::vector<std::vector<sim_node_index>>{{0, 1}, {2, 3, 4}});
  CHECK(p->at_slot == 10);
  CHECK(p->heal_at_slot == 30u);
  CHECK(parse_partition_flag("5@2")->groups == std::vector<std::vector<sim_node_index>>{{5}});
  CHECK_FALSE(parse_partition_flag("0,,1@2").has_value());
  CHECK_FALSE(parse_partition_flag("0|1@").has_value());
}

TEST_CASE("adversaries by node list or by share, in a file and as flags") {
  auto s = parse_scenario(R"({"validators": 4, "followers": 6, "adversaries": [
                              {"kind": "equivocating_validator", "nodes": [1]},
                              {"kind": "garbage_sender", "share_permille": 200}]})");
  REQUIRE_MESSAGE(s.has_value(), s.err().describe());
  REQUIRE(s->adversaries.size() == 2);
  CHECK(validate(*s).has_value());
  const auto who = adversaries_of(*s);
  REQUIRE(who.size() == 3);  // node 1, and 2 of the 9 others
  CHECK(std::count(who.begin(), who.end(), sim_adversary{adversary_kind::equivocating_validator, 1}) == 1);
  CHECK(adversaries_of(*s) == who);  // drawn from the seed
  auto again = parse_scenario(scenario_json(*s));
  REQUIRE(again.has_value());
  CHECK(scenario_json(*again) == scenario_json(*s));

  auto f = parse_adversary_flag("double_voting_validator:nodes=0,2");
  REQUIRE(f.has_value());
  CHECK(f->kind == adversary_kind::double_voting_validator);
  CHECK(f->nodes == std::vector<sim_node_index>{0, 2});
  CHECK(parse_adversary_flag("garbage_sender:share_permille=50")->share_permille == 50u);
  CHECK(parse_adversary_flag("lazy_hoster:nodes=1")->kind == adversary_kind::lazy_hoster);
  CHECK_FALSE(parse_adversary_flag("careless_hoster:nodes=1").has_value());
  CHECK_FALSE(parse_adversary_flag("garbage_sender:share_permille=1001").has_value());
  CHECK_FALSE(parse_adversary_flag("garbage_sender").has_value());
}

TEST_CASE("joins and leaves parse, round-trip and validate") {
  auto s = parse_scenario(R"({"followers": 8, "hosting": {"hosters": 3},
                              "joins": [{"node": 6, "at_slot": 5}], "leaves": [{"node": 4, "at_slot": 10}]})");
  REQUIRE_MESSAGE(s.has_value(), s.err().describe());
  CHECK(validate(*s).has_value());
  CHECK(scenario_json(*parse_scenario(scenario_json(*s))) == scenario_json(*s));
  CHECK(parse_membership_flag("6@5", "--join")->node == 6u);
  CHECK_FALSE(parse_membership_flag("6", "--join").has_value());
  const auto invalid = [&](const char* field) {
    auto bad = parse_scenario(field, *s);
    REQUIRE(bad.has_value());
    auto ok = validate(*bad);
    return ok ? std::string{} : ok.err().message;
  };
  CHECK(invalid(R"({"joins": [{"node": 1, "at_slot": 5}]})").find("genesis validator") != std::string::npos);
  CHECK(invalid(R"({"leaves": [{"node": 9, "at_slot": 5}]})").find("runs no role") != std::string::npos);
  CHECK(invalid(R"({"joins": [{"node": 4, "at_slot": 12}]})").find("leaves before it joined") != std::string::npos);
  CHECK(invalid(R"({"crashes": [{"node": 6, "at_slot": 3}]})").find("crashes before it joined") != std::string::npos);
}

TEST_CASE("impossible adversaries do not validate") {
  auto invalid = [](std::vector<sim_adversary_spec> list) {
    sim_scenario s;
    s.adversaries = std::move(list);
    auto ok = validate(s);
    return ok ? std::string{} : ok.err().message;
  };
  CHECK(invalid({{adversary_kind::equivocating_validator, {5}, {}}}).find("cannot be equivocating_validator: only nodes 0 to 3 can") !=
        std::string::npos);
  CHECK(invalid({{adversary_kind::lazy_hoster, {5}, {}}}).find("no node can be lazy_hoster (hosting.hosters is 0)") !=
        std::string::npos);
  CHECK(invalid({{adversary_kind::garbage_sender, {99}, {}}}).find("does not exist") != std::string::npos);
  CHECK(invalid({{adversary_kind::colluding_encoder, {5}, {}}}).find("(hosting.encoders is 0)") != std::string::npos);
  CHECK(invalid({{adversary_kind::slow_attester, {5}, {}}}).find("(hosting.attesters is 0)") != std::string::npos);
  CHECK(invalid({{adversary_kind::garbage_sender, {1}, {}}, {adversary_kind::double_voting_validator, {1}, {}}})
            .find("already an adversary") != std::string::npos);
  CHECK(invalid({{adversary_kind::garbage_sender, {1}, 10}}).find("either nodes or share_permille") != std::string::npos);
  CHECK(parse_scenario(R"({"adversaries": [{"kind": "garbage_sender"}]})").err().message.find("either nodes or share_permille") !=
        std::string::npos);
}

TEST_CASE("a workload the chain cannot challenge on time is warned about, with a period that keeps up") {
  sim_scenario s;
  s.followers = 400;
  s.hosting.publishers = 1;
  s.hosting.encoders = 2;
  s.hosting.hosters = 200;
  s.hosting.attesters = 3;
  s.hosting.feeds = 200;
  s.hosting.feed_bytes = 4096;
  s.hosting.replicas = 3;
  s.hosting.challenge_period_slots = 10;
  REQUIRE(validate(s).has_value());
  const auto warning = challenge_load_warning(s);
  REQUIRE(warning);
  CHECK(warning->find("600 replicas") != std::string::npos);
  const auto flag = warning->find("--challenge-period-slots ");
  REQUIRE(flag != std::string::npos);
  s.hosting.challenge_period_slots = std::stoull(warning->substr(flag + 25));
  CHECK_FALSE(challenge_load_warning(s));
  // Feeds of 64 KiB blocks: one challenge a block, so the period must cover every replica.
  s.hosting.feed_bytes = 128 * 1024;
  CHECK(challenge_load_warning(s));
  s.hosting.challenge_period_slots = 600;
  CHECK_FALSE(challenge_load_warning(s));
  s.hosting.feeds = 0;
  s.hosting.challenge_period_slots = 10;
  CHECK_FALSE(challenge_load_warning(s));
}

TEST_CASE("a simulation too large for the open-file limit is refused up front, naming the limit") {
  CHECK(make_room_for_stores(8).has_value());
  const auto refused = make_room_for_stores(std::size_t{1} << 40);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.err().message.find("ulimit -n") != std::string::npos);
}

// Every scenario kept in scenarios/regressions/ (written by `datdot sim
// --save-failure`, or a run that once broke the simulation) replays with its
// seed and keeps every invariant: a bug fixed stays fixed.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "actors/sim/scenario_driver.hpp"
#include "support/scenario_file.hpp"

using namespace datdot;

TEST_CASE("every kept failing seed replays with its invariants holding") {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator{std::string{DATDOT_SCENARIOS_DIR} + "/regressions"})
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE_FALSE(files.empty());
  for (const auto& file : files) {
    const auto s = testing::scenario_file(file);
    const auto replay = "datdot sim --scenario " + file.string();
    CAPTURE(replay);
    auto r = run_scenario(s);
    REQUIRE_MESSAGE(r.has_value(), r.err().describe());
    CHECK_MESSAGE(!r->violation, report_text(*r, replay));
    CHECK(r->false_accusations == 0);
    CHECK_MESSAGE(r->finalized_height > 0, report_text(*r, replay));
  }
}

TEST_CASE("a failed run's scenario names the broken invariant and keeps its seed") {
  sim_report r;
  r.scenario.name = "lossy";
  r.scenario.seed = 42;
  r.scenario.description = "Slow links.";
  CHECK(failure_scenario(r).description == "Slow links.");
  r.violation = invariant_violation{"finalized_prefix_agrees", 3, "two blocks at height 7"};
  r.violation_slot = 12;
  const auto kept = failure_scenario(r);
  CHECK(kept.seed == 42);
  CHECK(kept.description ==
        "Slow links. Kept because invariant finalized_prefix_agrees was violated at slot 12 on node 3: two blocks at "
        "height 7.");
  auto back = parse_scenario(scenario_json(kept));
  REQUIRE(back.has_value());
  CHECK(scenario_json(*back) == scenario_json(kept));
}

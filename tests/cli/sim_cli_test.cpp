// `datdot sim` as a user runs it: --json prints one object with the report
// fields and the two run hashes, progress goes to stderr, flags override the
// scenario file, and a bad scenario is a usage error naming what is wrong.
#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "support/run_command.hpp"

using namespace datdot;
using datdot::storage::testing::temp_dir;
using datdot::testing::run_command;

namespace {

const std::string datdot_bin = DATDOT_BINARY;

}  // namespace

TEST_CASE("datdot sim --json prints the report with trace_hash and state_root") {
  const auto r = run_command({datdot_bin, "sim", "--json", "--slots", "8", "--followers", "2", "--progress-every",
                              "4"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const auto j = nlohmann::json::parse(r.out);
  for (const char* field : {"seed", "slots", "blocks_finalized", "finality_lag_slots_p50", "finality_lag_slots_p99",
                            "frames_delivered", "frames_lost", "events", "wall_seconds", "events_per_second",
                            "trace_hash", "state_root", "state_root_height", "invariants_ok", "scenario", "replay"})
    CHECK_MESSAGE(j.contains(field), field);
  CHECK(j["slots"] == 8);
  CHECK(j["seed"] == 1);
  CHECK(j["trace_hash"].get<std::string>().size() == 64);
  CHECK(j["state_root"].get<std::string>().size() == 64);
  CHECK(j["invariants_ok"] == true);
  CHECK(j["blocks_finalized"].get<std::uint64_t>() > 0);
  CHECK(j["scenario"]["followers"] == 2);
  // Progress on stderr: slots 4 and 8.
  CHECK(r.err.find("slot 4/8") != std::string::npos);
  CHECK(r.err.find("slot 8/8") != std::string::npos);
}

TEST_CASE("the replay command a run prints gives the same trace and state root in another process") {
  const auto first = run_command({datdot_bin, "sim", "--json", "--quiet", "--slots", "8", "--seed", "17",
                                  "--loss-permille", "30", "--partition", "0,1|2,3@3-6", "--crash", "5@2-4"});
  REQUIRE_MESSAGE(first.exit_code == 0, first.err);
  const auto a = nlohmann::json::parse(first.out);
  auto replay = a["replay"].get<std::string>();
  REQUIRE(replay.rfind("datdot sim ", 0) == 0);
  CHECK(replay.find("'0,1|2,3@3-6'") != std::string::npos);  // quoted for the shell
  replay = datdot_bin + replay.substr(std::string{"datdot"}.size()) + " --json --quiet";
  const auto again = run_command({"/bin/sh", "-c", replay});
  REQUIRE_MESSAGE(again.exit_code == 0, again.err);
  const auto b = nlohmann::json::parse(again.out);
  CHECK(b["trace_hash"] == a["trace_hash"]);
  CHECK(b["state_root"] == a["state_root"]);
  CHECK(b["frames_partitioned"].get<std::uint64_t>() > 0);
  const auto other = run_command({datdot_bin, "sim", "--json", "--quiet", "--slots", "8", "--seed", "18"});
  REQUIRE(other.exit_code == 0);
  CHECK(nlohmann::json::parse(other.out)["trace_hash"] != a["trace_hash"]);
}

TEST_CASE("flags override the scenario file and the human summary names the seed's hashes") {
  temp_dir tmp;
  const auto file = tmp / "s.json";
  std::ofstream(file) << R"({"name": "tiny", "seed": 4, "validators": 3, "followers": 1, "slots": 30})";
  const auto r = run_command({datdot_bin, "sim", "--scenario", file.string(), "--slots", "6", "--quiet"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.find("tiny: 3 validators, 1 followers, seed 4") != std::string::npos);
  CHECK(r.out.find("slots      6 of 6") != std::string::npos);
  CHECK(r.out.find("trace      ") != std::string::npos);
  CHECK(r.out.find("invariants ok") != std::string::npos);
  CHECK(r.err.empty());
}

TEST_CASE("a bad scenario is a usage error that says what is wrong") {
  temp_dir tmp;
  const auto file = tmp / "bad.json";
  std::ofstream(file) << R"({"validators": 2, "crashes": [{"node": 9, "at_slot": 1}]})";
  auto r = run_command({datdot_bin, "sim", "--scenario", file.string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("node 9 does not exist") != std::string::npos);
  r = run_command({datdot_bin, "sim", "--crash", "nonsense"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--crash nonsense") != std::string::npos);
}

TEST_CASE("datdot sim --help explains the scenario flags") {
  const auto r = run_command({datdot_bin, "sim", "--help"});
  CHECK(r.exit_code == 0);
  for (const char* flag : {"--scenario", "--seed", "--validators", "--slots", "--partition", "--crash", "--adversary",
                           "equivocating_validator", "--json"})
    CHECK_MESSAGE(r.out.find(flag) != std::string::npos, flag);
}

TEST_CASE("--save-failure writes nothing when every invariant holds") {
  temp_dir dir;
  const auto kept = dir.path() / "kept";
  const auto r = run_command({datdot_bin, "sim", "--quiet", "--slots", "4", "--followers", "1", "--save-failure",
                              kept.string()});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK_FALSE(std::filesystem::exists(kept));
  CHECK(r.out.find("invariants ok") != std::string::npos);
}

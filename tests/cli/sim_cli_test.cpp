// `datdot sim` as a user runs it: --json prints one object with the report
// fields and the two run hashes, progress goes to stderr, flags override the
// scenario file, and a bad scenario is a usage error naming what is wrong.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

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
  // Resident memory, sampled at each slot's end: this process has a heap and mapped files.
  CHECK(j["peak_rss_anon_bytes"].get<std::uint64_t>() > 0);
  CHECK(j["peak_rss_file_bytes"].get<std::uint64_t>() > 0);
  CHECK(j["scenario"]["followers"] == 2);
  CHECK(j["warnings"] == nlohmann::json::array());
  // Progress on stderr: slots 4 and 8.
  CHECK(r.err.find("slot 4/8") != std::string::npos);
  CHECK(r.err.find("slot 8/8") != std::string::npos);
}

TEST_CASE("the replay command a run prints gives the same trace and state root in another process") {
  const auto first = run_command({datdot_bin, "sim", "--json", "--quiet", "--slots", "8", "--seed", "17",
                                  "--loss-permille", "30", "--partition", "0,1|2,3@3-6", "--crash", "5@2-4",
                                  "--adversary", "equivocating_validator:nodes=2", "--adversary",
                                  "garbage_sender:share_permille=100"});
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
  CHECK(b["adversaries"] == a["adversaries"]);
  CHECK(a["adversaries"].size() == 2);
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

namespace {

std::vector<std::string> columns(const std::string& row) {
  std::vector<std::string> out;
  std::stringstream in(row);
  for (std::string cell; std::getline(in, cell, ',');) out.push_back(cell);
  return out;
}

}  // namespace

TEST_CASE("a workload the chain cannot challenge on time is warned about before the run, in the JSON and in the summary") {
  const std::vector<std::string> args{datdot_bin, "sim",        "--slots",     "6",       "--followers", "50",
                                      "--publishers", "1",      "--encoders",  "2",       "--hosters",   "40",
                                      "--attesters", "3",       "--feeds",     "300",     "--feed-bytes", "4096",
                                      "--publish-at-slot", "5", "--quiet"};
  auto json_args = args;
  json_args.push_back("--json");
  const auto r = run_command(json_args);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.err.find("warning: 900 replicas challenged about every 10 slots") != std::string::npos);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["warnings"].size() == 1);
  CHECK(j["warnings"][0].get<std::string>().find("--challenge-period-slots") != std::string::npos);
  const auto text = run_command(args);
  REQUIRE_MESSAGE(text.exit_code == 0, text.err);
  CHECK(text.out.find("warning    900 replicas") != std::string::npos);
}

TEST_CASE("datdot sim --help explains the scenario flags") {
  const auto r = run_command({datdot_bin, "sim", "--help"});
  CHECK(r.exit_code == 0);
  for (const char* flag : {"--scenario", "--seed", "--validators", "--slots", "--partition", "--crash", "--adversary",
                           "equivocating_validator", "lazy_hoster", "--hosters", "--feeds", "--join", "--leave",
                           "--json"})
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

TEST_CASE("--csv writes a header and one row per slot, and leaves the run's trace as it was") {
  temp_dir dir;
  const auto csv = dir.path() / "slots.csv";
  const std::vector<std::string> run{datdot_bin, "sim", "--json", "--quiet", "--slots", "9", "--followers", "2",
                                     "--adversary", "garbage_sender:nodes=5"};
  const auto plain = run_command(run);
  auto with_csv = run;
  with_csv.insert(with_csv.end(), {"--csv", csv.string()});
  const auto sampled = run_command(with_csv);
  REQUIRE_MESSAGE(plain.exit_code == 0, plain.err);
  REQUIRE_MESSAGE(sampled.exit_code == 0, sampled.err);
  const auto a = nlohmann::json::parse(plain.out);
  const auto b = nlohmann::json::parse(sampled.out);
  CHECK(a["trace_hash"] == b["trace_hash"]);
  CHECK(a["state_root"] == b["state_root"]);
  CHECK(a["events"] == b["events"]);
  CHECK(b["replay"].get<std::string>().find("--csv") == std::string::npos);

  std::ifstream in(csv);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  REQUIRE(lines.size() == 1 + 9);
  CHECK(lines[0] ==
        "slot,best_height_max,best_height_min,finalized_height_max,finalized_height_min,finality_lag_blocks,"
        "frames_delivered,frames_lost,frames_duplicated,events,adversaries_caught,challenges_passed_honest,"
        "challenges_failed_honest,challenges_passed_adversary,challenges_failed_adversary,paid_units_honest,"
        "paid_units_adversary");
  for (std::size_t i = 1; i < lines.size(); ++i) {
    CHECK(lines[i].starts_with(std::to_string(i) + ","));
    CHECK(std::count(lines[i].begin(), lines[i].end(), ',') == 16);
  }
  // The last row's totals are the report's.
  const auto last = columns(lines.back());
  CHECK(last[6] == std::to_string(b["frames_delivered"].get<std::uint64_t>()));
  CHECK(last[10] == std::to_string(b["adversaries_caught"].get<std::uint64_t>()));
}

TEST_CASE("a hosting run's CSV and HTML follow challenges and pay by behaviour") {
  temp_dir dir;
  const auto csv = dir.path() / "slots.csv";
  const auto page = dir.path() / "run.html";
  const auto r = run_command({datdot_bin, "sim", "--json", "--quiet", "--slots", "30", "--followers", "8",
                              "--publishers", "1", "--encoders", "1", "--hosters", "4", "--attesters", "2", "--feeds",
                              "1", "--feed-bytes", "70000", "--replicas", "2", "--adversary", "lazy_hoster:nodes=6",
                              "--adversary", "outsourcing_hoster:nodes=7",
                              "--csv", csv.string(), "--html", page.string()});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const auto report = nlohmann::json::parse(r.out);
  const auto& by = report["hosting"]["by_behaviour"];
  std::ifstream in(csv);
  std::string line, last_line;
  while (std::getline(in, line)) last_line = line;
  const auto last = columns(last_line);
  REQUIRE(last.size() == 17);
  CHECK(last[11] == std::to_string(by["honest"]["challenges_passed"].get<std::uint64_t>()));
  CHECK(last[14] == std::to_string(by["lazy_hoster"]["challenges_failed"].get<std::uint64_t>() +
                                   by["outsourcing_hoster"]["challenges_failed"].get<std::uint64_t>()));
  CHECK(last[15] == std::to_string(by["honest"]["paid_units"].get<std::uint64_t>()));
  CHECK(std::stoull(last[15]) > 0);
  std::ifstream html_in(page);
  std::stringstream html;
  html << html_in.rdbuf();
  for (const char* part : {"Storage challenges passed, by behaviour", "Storage challenges failed, by behaviour",
                           "Ratio paid for service per node, by behaviour", "replicas dropped", "Service by behaviour",
                           "<td>lazy_hoster</td>", "<td>outsourcing_hoster</td>"})
    CHECK_MESSAGE(html.str().find(part) != std::string::npos, part);
  // One line per behaviour in each by-behaviour plot, named in its legend.
  for (const char* legend : {">honest</text>", ">lazy_hoster</text>", ">outsourcing_hoster</text>"}) {
    std::size_t n = 0;
    for (auto at = html.str().find(legend); at != std::string::npos; at = html.str().find(legend, at + 1)) ++n;
    CHECK_MESSAGE(n == 3, legend);
  }
}

TEST_CASE("--html writes one self-contained page with the plots and the adversaries") {
  temp_dir dir;
  const auto page = dir.path() / "run.html";
  const auto r = run_command({datdot_bin, "sim", "--quiet", "--slots", "8", "--followers", "2", "--adversary",
                              "garbage_sender:nodes=5", "--html", page.string()});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  std::ifstream in(page);
  std::stringstream text;
  text << in.rdbuf();
  const auto html = text.str();
  CHECK(html.starts_with("<!DOCTYPE html>"));
  CHECK(html.find("</html>") != std::string::npos);
  CHECK(std::count(html.begin(), html.end(), '\n') > 10);
  for (const char* part : {"<svg", "Finalized height", "Finality lag", "<polyline", "garbage_sender", "caught"})
    CHECK_MESSAGE(html.find(part) != std::string::npos, part);
  // Nothing is loaded from elsewhere.
  for (const char* remote : {"http:", "https:", "<script", "src="})
    CHECK_MESSAGE(html.find(remote) == std::string::npos, remote);
}

// The chain across real `datdot node` processes on loopback: four validators
// (devnet seeds, a genesis written by `datdot chain genesis`) finalize blocks;
// a ratio transfer submitted with `datdot chain transfer` is finalized and
// visible through `datdot chain account`; a validator killed with SIGKILL
// restarts from its data directory, syncs, agrees on the finalized chain, and
// votes again (finality needs its vote once another validator is gone).
#include <doctest/doctest.h>

#include "process/chain_cli.hpp"
#include "process/node_process.hpp"
#include "support/http_get.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;
using datdot::testing::address;
using datdot::testing::eventually;
using datdot::testing::json;
using datdot::testing::node_process;
using datdot::testing::run_command;
using namespace datdot::testing::chain_cli;

namespace {

constexpr const char* slot_duration_ms = "500";

}  // namespace

TEST_CASE("four validator processes finalize, take a transfer, and survive kill -9 of one") {
  datdot::storage::testing::temp_dir tmp;
  const auto genesis = (tmp / "genesis.json").string();
  REQUIRE(run_command({DATDOT_BINARY, "chain", "genesis", "--devnet-validators", "4", "--slot-duration-ms",
                       slot_duration_ms, "--epoch-length-slots", "100000", "-o", genesis})
              .exit_code == 0);
  auto args_for = [&](int i, const std::vector<std::string>& bootstrap, const std::string& listen = "tcp://127.0.0.1:0") {
    std::vector<std::string> a{"--data-dir",       (tmp / ("v" + std::to_string(i)) / "data").string(),
                               "--roles",          "validator",
                               "--genesis",        genesis,
                               "--key-seed",       devnet_seed(i),
                               "--listen",         listen,
                               "--metrics-listen", "127.0.0.1:0",
                               "--ping-interval-ms", "200",
                               "--chain-snapshot-every", "4"};
    a.insert(a.end(), bootstrap.begin(), bootstrap.end());
    return a;
  };
  std::vector<std::unique_ptr<node_process>> nodes;
  std::vector<std::string> http;
  std::vector<std::string> bootstrap;
  std::string v4_endpoint;
  for (int i = 1; i <= 4; ++i) {
    auto dir = tmp / ("v" + std::to_string(i));
    std::filesystem::create_directories(dir);
    nodes.push_back(std::make_unique<node_process>(dir, args_for(i, bootstrap), node_process::exact_args{}));
    auto started = nodes.back()->started();
    REQUIRE(started["chain"] == "validator");
    http.push_back(http_of(started));
    v4_endpoint = started["endpoint"];
    if (i == 1) bootstrap = {"--bootstrap", address(started)};
  }

  // All four finalize.
  CHECK(eventually([&] {
    for (const auto& h : http)
      if (finalized_height(h) < 4) return false;
    return true;
  }, 20s));

  // A transfer from validator 1 to a fresh account, submitted at node 2, read at node 3.
  const std::string to(64, 'a');
  auto sent = chain(http[1], {"transfer", "--key", (tmp / "v1" / "data" / "node.key").string(), "--to", to,
                              "--amount", "4242", "--wait-final", "--timeout-ms", "15000"});
  REQUIRE(sent.is_object());
  CHECK(sent["finalized"] == true);
  CHECK(eventually([&] {
    auto a = chain(http[2], {"account", to});
    return a.is_object() && a["ratio_units"] == 4242;
  }, 5s));
  // Registering as an encoder publishes the node's public sealing key.
  auto registered = chain(http[1], {"register", "--key", (tmp / "v1" / "data" / "node.key").string(), "--roles",
                                    "encoder", "--bus-address", "tcp://127.0.0.1:1", "--wait-final", "--timeout-ms",
                                    "15000"});
  REQUIRE(registered.is_object());
  CHECK(registered["finalized"] == true);
  auto v1 = chain(http[2], {"account", registered["signer"].get<std::string>()});
  REQUIRE(v1.is_object());
  CHECK(v1["node"]["roles"] == "encoder");
  CHECK(v1["node"]["seal_key"].get<std::string>().size() == 2 * 256);
  auto raw_events = run_command({DATDOT_BINARY, "chain", "events", "--from", "1", "--node", http[3], "--json"});
  CHECK(raw_events.out.find("\"ratio_transferred\"") != std::string::npos);
  // Filters: by type, and by feed (no feed was published here, so none match).
  auto transfers = run_command({DATDOT_BINARY, "chain", "events", "--from", "1", "--type", "ratio_transferred", "--node",
                                http[3], "--json"});
  CHECK(transfers.exit_code == 0);
  CHECK(transfers.out.find("\"ratio_transferred\"") != std::string::npos);
  CHECK(transfers.out.find("\"node_registered\"") == std::string::npos);
  auto of_feed = run_command({DATDOT_BINARY, "chain", "events", "--from", "1", "--feed", std::string(64, 'b'), "--node",
                              http[3], "--json"});
  CHECK(of_feed.exit_code == 0);
  CHECK(of_feed.out.empty());
  CHECK(run_command({DATDOT_BINARY, "chain", "events", "--feed", "xyz", "--node", http[3]}).exit_code != 0);
  // A call that cannot apply is refused at submission with the runtime's reason
  // (a dry run on the node's best state), not left to time out in the pool.
  auto backing = run_command({DATDOT_BINARY, "back", std::string(64, 'b'), "10", "--key",
                              (tmp / "v1" / "data" / "node.key").string(), "--node", http[3]});
  CHECK(backing.exit_code == 1);
  CHECK(backing.err.find("unknown feed") != std::string::npos);

  // kill -9 validator 4: three of four still finalize.
  nodes[3]->kill(SIGKILL);
  const auto at_kill = finalized_height(http[0]);
  CHECK(eventually([&] { return finalized_height(http[0]) >= at_kill + 3; }, 15s));

  // It restarts from its data directory and bus address (peers keep routing
  // to the address they know), with new log files; catches up and agrees.
  auto restart_dir = tmp / "v4-restart";
  std::filesystem::create_directories(restart_dir);
  nodes[3] = std::make_unique<node_process>(restart_dir, args_for(4, bootstrap, v4_endpoint), node_process::exact_args{});
  http[3] = http_of(nodes[3]->started());
  const bool caught_up = eventually(
      [&] { return finalized_height(http[3]) > at_kill + 3 && finalized_height(http[3]) + 1 >= finalized_height(http[0]); },
      20s);
  if (!caught_up) MESSAGE(datdot::testing::slurp(restart_dir / "stderr.log").substr(0, 3000));
  CHECK(caught_up);
  // It started from its newest state snapshot, not from genesis, and still
  // serves the events finalized before the crash.
  const auto restart_log = datdot::testing::slurp(restart_dir / "stderr.log");
  CHECK_MESSAGE(restart_log.find("restored from the state snapshot at height") != std::string::npos, restart_log.substr(0, 2000));
  auto old_events = run_command({DATDOT_BINARY, "chain", "events", "--from", "1", "--type", "ratio_transferred",
                                 "--node", http[3], "--json"});
  CHECK(old_events.out.find("\"amount_units\":4242") != std::string::npos);
  // Caught up means ready: the chain check reports synced and /health says 200.
  CHECK(eventually([&] {
    auto s = chain(http[3], {"status"});
    return s.is_object() && s["synced"] == true && s["best_height"] >= s["highest_heard_height"];
  }, 10s));
  const auto health = datdot::testing::http_get(http[3], "/health");
  CHECK_MESSAGE(health.status == 200, health.body);
  const auto checks = json::parse(health.body, nullptr, false);
  REQUIRE(checks.is_object());
  CHECK(checks["checks"]["chain"]["ok"] == true);
  CHECK(checks["checks"]["bus"]["ok"] == true);
  // The restarted voter sent again what it had signed: nobody saw it double-vote.
  for (const auto& h : http) CHECK(chain(h, {"status"})["equivocations_reported"] == 0);
  const auto common = std::min(finalized_height(http[3]), finalized_height(http[0]));
  auto mine = chain(http[3], {"block", std::to_string(common)});
  auto theirs = chain(http[0], {"block", std::to_string(common)});
  REQUIRE(mine.is_object());
  REQUIRE(theirs.is_object());
  CHECK(mine["hash"] == theirs["hash"]);
  CHECK(mine["finalized"] == true);

  // It votes again: with validator 3 gone, finality needs 3 of 4, so validator 4's votes.
  nodes[2]->kill(SIGKILL);
  const auto at_second_kill = finalized_height(http[0]);
  CHECK(eventually([&] { return finalized_height(http[0]) >= at_second_kill + 3; }, 20s));
  CHECK(finalized_height(http[3]) >= at_second_kill + 2);

  // A new node, not in the validator set and with an empty data directory,
  // syncs the whole finalized chain from its peers, checking every block and
  // justification, and then follows.
  auto newcomer_dir = tmp / "v5";
  std::filesystem::create_directories(newcomer_dir);
  node_process newcomer{newcomer_dir, args_for(5, bootstrap), node_process::exact_args{}};
  const auto follower = newcomer.started();
  CHECK(follower["chain"] == "follower");
  const auto follower_http = http_of(follower);
  const auto target = finalized_height(http[0]);
  const bool synced = eventually([&] { return finalized_height(follower_http) >= target; }, 30s);
  if (!synced) MESSAGE(datdot::testing::slurp(newcomer_dir / "stderr.log").substr(0, 3000));
  CHECK(synced);
  auto its = chain(follower_http, {"block", std::to_string(target)});
  auto ref = chain(http[0], {"block", std::to_string(target)});
  REQUIRE(its.is_object());
  CHECK(its["hash"] == ref["hash"]);
  CHECK(chain(follower_http, {"status"})["validator"] == false);
}

// Hosting end to end with real processes on loopback: 4 validators, 1
// publisher, 5 hosters, 2 encoders and 3 attesters, each a `datdot node`
// following the chain and registering its roles by itself. A file published
// with `datdot publish --replicas 3` is sealed by the encoders, checked and
// kept by three hosters and pinned; storage challenges are proved on chain
// and attested; ratio moves from the publisher to the hosters, encoders and
// attesters; `datdot fetch` on another node downloads the feed from its
// hosters, checked block by block, byte for byte the file, and a fetch
// interrupted after two blocks resumes there (but not from another feed's
// record). `datdot append` grows the feed: every replica is extended and a
// fetch returns the grown file. A hoster killed with SIGKILL stops answering,
// its replica fails and is re-created on another hoster, and the feed is
// pinned again.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>

#include "process/chain_cli.hpp"
#include "process/node_process.hpp"
#include "support/http_get.hpp"
#include "storage/fetch_progress.hpp"
#include "storage/partial_download.hpp"
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

// The feed's size: DATDOT_E2E_FEED_BYTES when set (the `large` label runs it
// with 10 MiB), else five blocks, the last one short.
const std::size_t feed_bytes = [] {
  const char* set = std::getenv("DATDOT_E2E_FEED_BYTES");
  return set ? static_cast<std::size_t>(std::stoull(set)) : std::size_t{256 * 1024 + 1234};
}();
const std::uint64_t feed_blocks = (feed_bytes + 65535) / 65536;
// Sealing runs at about 0.3 MB/s on an idle core, and an encoder seals two of
// the three replicas; with the 15 nodes sharing two cores it got about a third
// of one. Every wait that includes sealing (pinning, extending, repair) grows
// by 30 s per MiB of feed.
const std::chrono::seconds sealing_slack{feed_bytes / (1024 * 1024) * 30};
std::string follow_ms(std::chrono::seconds base) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(base + sealing_slack).count());
}

struct role_node {
  std::string role;
  std::filesystem::path dir;
  std::unique_ptr<node_process> process;
  std::string id;
  std::string http;
};

json events_of_type(const std::string& node, const std::string& type) {
  auto r = run_command({DATDOT_BINARY, "chain", "events", "--from", "1", "--type", type, "--node", node, "--json",
                        "--timeout-ms", "20000"},
                       30s);
  json out = json::array();
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);)
    if (auto j = json::parse(line, nullptr, false); j.is_object()) out.push_back(j);
  return out;
}

json feed_status(const std::string& node, const std::string& key) {
  auto r = run_command({DATDOT_BINARY, "status", key, "--node", node, "--json"}, 30s);
  return r.exit_code == 0 ? json::parse(r.out, nullptr, false) : json{};
}

// datdot_role_stored_bytes as the node's /metrics reports it (-1 when absent).
double stored_bytes(const std::string& node) {
  const auto body = datdot::testing::http_get(node, "/metrics").body;
  std::istringstream lines(body);
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with("datdot_role_stored_bytes ")) return std::stod(line.substr(line.find(' ') + 1));
  return -1;
}

std::uint64_t ratio_of(const std::string& node, const std::string& id) {
  auto a = chain(node, {"account", id});
  return a.is_object() ? a["ratio_units"].get<std::uint64_t>() : 0;
}

}  // namespace

// When a step fails: the feed as the chain has it and what the publisher, encoders and hosters logged.
void show_logs(const std::string& node, const std::string& key, const std::vector<role_node>& nodes) {
  MESSAGE(feed_status(node, key).dump());
  for (const auto& n : nodes)
    if (n.role == "publisher" || n.role == "encoder" || n.role == "hoster") {
      const std::string log = n.dir.string() + ":\n" + datdot::testing::slurp(n.dir / "stderr.log");
      MESSAGE(log);
    }
}

TEST_CASE("a published feed is sealed, pinned on three hosters, challenged, attested, paid, and repaired after kill -9") {
  datdot::storage::testing::temp_dir tmp;
  const auto genesis = (tmp / "genesis.json").string();
  REQUIRE(run_command({DATDOT_BINARY, "chain", "genesis", "--devnet-validators", "4", "--slot-duration-ms", "400",
                       "--epoch-length-slots", "100000", "--challenge-period-slots", "16",
                       "--challenge-deadline-blocks", "8", "--challenge-failures-max", "2", "-o", genesis})
              .exit_code == 0);
  auto node_args = [&](const std::string& name, const std::string& roles, const std::vector<std::string>& extra) {
    std::vector<std::string> a{"--data-dir", (tmp / name / "data").string(), "--roles", roles, "--genesis", genesis,
                               "--listen", "tcp://127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
                               "--ping-interval-ms", "500"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  std::vector<std::unique_ptr<node_process>> validators;
  std::vector<std::string> bootstrap;
  std::string v1_http;
  for (int i = 1; i <= 4; ++i) {
    const auto name = "v" + std::to_string(i);
    std::filesystem::create_directories(tmp / name);
    auto args = node_args(name, "validator", {"--key-seed", devnet_seed(i)});
    args.insert(args.end(), bootstrap.begin(), bootstrap.end());
    validators.push_back(std::make_unique<node_process>(tmp / name, args, node_process::exact_args{}));
    const auto started = validators.back()->started();
    if (i == 1) {
      bootstrap = {"--bootstrap", address(started)};
      v1_http = http_of(started);
    }
  }

  std::vector<role_node> nodes;
  auto start = [&](const std::string& role, int count, const std::vector<std::string>& extra) {
    for (int i = 0; i < count; ++i) {
      const auto name = role + std::to_string(i);
      std::filesystem::create_directories(tmp / name);
      auto args = node_args(name, role + ",validator", extra);
      args.insert(args.end(), bootstrap.begin(), bootstrap.end());
      auto p = std::make_unique<node_process>(tmp / name, args, node_process::exact_args{});
      const auto started = p->started();
      nodes.push_back({role, tmp / name, std::move(p), started["node"].get<std::string>(), http_of(started)});
    }
  };
  start("publisher", 1, {});
  start("hoster", 5, {"--capacity-bytes", std::to_string(std::max<std::size_t>(10'000'000, 4 * feed_bytes))});
  start("encoder", 2, {});
  start("attester", 3, {});
  const auto& publisher = nodes.front();

  // Every role node registers itself; the publisher gets ratio to pay with.
  auto unregistered = [&] {
    for (const auto& n : nodes) {
      auto a = chain(v1_http, {"account", n.id});
      if (!a.is_object() || !a.contains("node")) return &n;
    }
    return static_cast<const role_node*>(nullptr);
  };
  const bool registered = eventually([&] { return unregistered() == nullptr; }, 60s);
  if (!registered) MESSAGE(datdot::testing::slurp(unregistered()->dir / "stderr.log"));
  REQUIRE(registered);
  auto sent = chain(v1_http, {"transfer", "--key", (tmp / "v1" / "data" / "node.key").string(), "--to",
                              publisher.id, "--amount", "1000000000", "--wait-final", "--timeout-ms", "20000"});
  REQUIRE(sent.is_object());
  const auto publisher_before = ratio_of(v1_http, publisher.id);
  REQUIRE(publisher_before == 1'000'000'000);

  // Publish: the command follows the request until it is pinned.
  const auto file = tmp / "data.bin";
  {
    std::ofstream out(file, std::ios::binary);
    for (std::size_t i = 0; i < feed_bytes; ++i) out.put(static_cast<char>((i * 7919) >> 3));
  }
  auto published = run_command({DATDOT_BINARY, "publish", file.string(), "--replicas", "3", "--node", publisher.http,
                                "--json", "--follow-ms", follow_ms(120s), "--timeout-ms", "20000"},
                               150s + sealing_slack);
  INFO(published.err);
  if (published.exit_code != 0) show_logs(v1_http, "", nodes);
  REQUIRE(published.exit_code == 0);
  const auto result = json::parse(published.out, nullptr, false);
  REQUIRE(result.is_object());
  const auto key = result["published"]["key"].get<std::string>();
  CHECK(result["feed"]["state"] == "pinned");
  CHECK(result["feed"]["length"] == feed_blocks);
  std::set<std::string> hosters;
  for (const auto& r : result["feed"]["replicas"]) {
    CHECK(r["state"] == "active");
    hosters.insert(r["hoster"].get<std::string>());
  }
  CHECK(hosters.size() == 3);

  // Challenges are proved on chain and attested; ratio moves.
  const bool challenged = eventually([&] {
    std::size_t passed = 0;
    for (const auto& e : events_of_type(v1_http, "challenge_resolved")) passed += e["passed"] == true ? 1 : 0;
    return passed >= 3 && !events_of_type(v1_http, "attestation_recorded").empty();
  }, 90s);
  CHECK(challenged);
  for (const auto& e : events_of_type(v1_http, "attestation_recorded")) CHECK(e["served"] == true);
  // Attesters read as strangers: the key the hoster saw is neither the
  // attester's node key nor any registered node's.
  std::size_t stranger_reads = 0;
  for (const auto& n : nodes) {
    if (n.role != "attester") continue;
    const auto log = datdot::testing::slurp(n.dir / "stderr.log");
    for (auto at = log.find("asked as "); at != std::string::npos; at = log.find("asked as ", at + 1)) {
      const auto as = log.substr(at + 9, 64);
      CHECK(as != n.id);
      CHECK_FALSE(chain(v1_http, {"account", as}).contains("node"));
      ++stranger_reads;
    }
  }
  CHECK(stranger_reads > 0);
  std::map<std::string, std::uint64_t> earned;
  for (const auto& n : nodes) earned[n.role] += ratio_of(v1_http, n.id);
  CHECK(earned["hoster"] > 0);
  CHECK(earned["encoder"] > 0);
  CHECK(earned["attester"] > 0);
  CHECK(ratio_of(v1_http, publisher.id) < publisher_before);
  // Each of the three hosters reports the sealed bytes it keeps; sealing adds
  // a little per block, so that is at least the feed's size.
  for (const auto& n : nodes) {
    if (!hosters.contains(n.id)) continue;
    const auto stored = stored_bytes(n.http);
    CHECK_MESSAGE(stored >= static_cast<double>(feed_bytes), n.id, " reports ", stored);
    CHECK_MESSAGE(stored < 2.0 * static_cast<double>(feed_bytes), n.id, " reports ", stored);
  }

  // A reader on another node fetches the whole feed from the hosters and gets the file back.
  const auto& reader = nodes.back();
  const auto copy = tmp / "fetched.bin";
  auto fetched = run_command({DATDOT_BINARY, "fetch", key, copy.string(), "--node", reader.http, "--json", "--timeout-ms",
                              "60000"},
                             90s);
  INFO(fetched.err);
  REQUIRE(fetched.exit_code == 0);
  CHECK(json::parse(fetched.out, nullptr, false)["blocks"] == feed_blocks);
  CHECK(datdot::testing::slurp(copy) == datdot::testing::slurp(file));

  // An interrupted fetch: OUT.part holds two blocks and part of the third, its
  // record says two. Fetched again it resumes at block 2; with a record for
  // another feed it starts over.
  const auto f = feed_status(v1_http, key);
  REQUIRE(f.is_object());
  const datdot::storage::feed_head head{{*datdot::from_hex_fixed<32>(key)}, f["length"].get<std::uint64_t>(),
                                        f["byte_size"].get<std::uint64_t>(),
                                        *datdot::from_hex_fixed<32>(f["tree_hash"].get<std::string>())};
  const auto original = datdot::testing::slurp(file);
  auto fetch_interrupted = [&](const datdot::storage::feed_head& recorded) {
    const auto out = tmp / "resumed.bin";
    std::ofstream{datdot::storage::part_path_of(out), std::ios::binary} << original.substr(0, 2 * 65536 + 1000);
    REQUIRE(datdot::storage::write_fetch_progress(datdot::storage::progress_path_of(out), {recorded, 2, 2 * 65536})
                .has_value());
    auto r = run_command({DATDOT_BINARY, "fetch", key, out.string(), "--node", reader.http, "--json", "--timeout-ms",
                          "60000"},
                         90s);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(datdot::testing::slurp(out) == original);
    CHECK(!std::filesystem::exists(datdot::storage::part_path_of(out)));
    CHECK(!std::filesystem::exists(datdot::storage::progress_path_of(out)));
    return json::parse(r.out, nullptr, false);
  };
  CHECK(fetch_interrupted(head)["resumed_from"] == 2);
  auto other = head;
  other.feed.bytes[0] ^= 1;
  const auto restarted = fetch_interrupted(other);
  CHECK(restarted["resumed_from"] == 0);
  CHECK(restarted.value("restart_reason", "").find("another feed") != std::string::npos);

  // The publisher appends two blocks: every replica is extended by its
  // encoder and hoster, and a fetch returns the grown file.
  const auto more = tmp / "more.bin";
  {
    std::ofstream out(more, std::ios::binary);
    for (std::size_t i = 0; i < 100'000; ++i) out.put(static_cast<char>(i * 31));
  }
  auto appended = run_command({DATDOT_BINARY, "append", key, more.string(), "--node", publisher.http, "--json",
                               "--follow-ms", follow_ms(120s), "--timeout-ms", "20000"},
                              150s + sealing_slack);
  INFO(appended.err);
  if (appended.exit_code != 0) show_logs(v1_http, key, nodes);
  REQUIRE(appended.exit_code == 0);
  const auto grown = json::parse(appended.out, nullptr, false);
  REQUIRE(grown.is_object());
  CHECK(grown["feed"]["length"] == feed_blocks + 2);
  for (const auto& r : grown["feed"]["replicas"]) CHECK(r["length"] == feed_blocks + 2);
  CHECK(!events_of_type(v1_http, "replica_extended").empty());
  const auto grown_copy = tmp / "fetched-grown.bin";
  auto refetched = run_command({DATDOT_BINARY, "fetch", key, grown_copy.string(), "--node", reader.http, "--json",
                                "--timeout-ms", "60000"},
                               90s);
  INFO(refetched.err);
  REQUIRE(refetched.exit_code == 0);
  CHECK(json::parse(refetched.out, nullptr, false)["blocks"] == feed_blocks + 2);
  CHECK(datdot::testing::slurp(grown_copy) == datdot::testing::slurp(file) + datdot::testing::slurp(more));

  // kill -9 one hoster of the feed: its next challenges fail (two in a row are
  // enough in this genesis), the replica is re-created elsewhere, pinned again.
  const auto victim_id = *hosters.begin();
  auto victim = std::find_if(nodes.begin(), nodes.end(), [&](const role_node& n) { return n.id == victim_id; });
  REQUIRE(victim != nodes.end());
  victim->process->kill(SIGKILL);
  const bool repaired = eventually([&] {
    auto f = feed_status(v1_http, key);
    if (!f.is_object() || f["state"] != "pinned") return false;
    for (const auto& r : f["replicas"])
      if (r["hoster"] == victim_id) return false;
    return true;
  }, 120s + sealing_slack);
  if (!repaired) show_logs(v1_http, key, nodes);
  CHECK(repaired);
  bool failed_event = false;
  for (const auto& e : events_of_type(v1_http, "replica_failed")) failed_event |= e["hoster"] == victim_id;
  CHECK(failed_event);
}

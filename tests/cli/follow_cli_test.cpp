// `datdot publish` following a request against a stand-in node on loopback:
// a node that is up but busy (503) is asked again until the feed is pinned,
// while any other refusal still ends the command at once.
#include <doctest/doctest.h>

#include <atomic>
#include <fstream>

#include <nlohmann/json.hpp>

#include "actors/metrics/metrics_server.hpp"
#include "support/run_command.hpp"

using namespace datdot;
using datdot::storage::testing::temp_dir;
using datdot::testing::run_command;

namespace {

const std::string feed_key(64, 'a');

// A node whose chain answers `first_status` `refusals` times, then the pinned feed.
struct stand_in_node {
  metrics_registry registry;
  health_checks health;
  std::unique_ptr<metrics_server> server;
  std::atomic<int> feed_asks{0};

  stand_in_node(int first_status, int refusals) {
    auto started = metrics_server::start("127.0.0.1:0", registry, health);
    REQUIRE(started);
    server = std::move(*started);
    server->add_route("/roles/publish", [](const http_request&) {
      return http_reply{200, "application/json", nlohmann::json{{"key", feed_key}, {"length", 1}}.dump()};
    });
    server->add_route("/chain/feeds/", [this, first_status, refusals](const http_request&) {
      if (++feed_asks <= refusals)
        return http_reply{first_status, "application/json", R"({"error":"the chain actor did not answer"})"};
      const nlohmann::json replica{{"state", "active"}};
      const nlohmann::json feed{{"state", "pinned"}, {"replicas", {replica, replica, replica}}};
      return http_reply{200, "application/json", nlohmann::json{{"feed", feed}}.dump()};
    });
  }
};

testing::command_result publish(const stand_in_node& node, const temp_dir& tmp) {
  const auto file = tmp / "data.bin";
  std::ofstream(file) << "some bytes";
  return run_command({DATDOT_BINARY, "publish", file.string(), "--replicas", "3", "--node", node.server->address(),
                      "--follow-ms", "20000"});
}

}  // namespace

TEST_CASE("publish keeps following through a busy node's 503 answers until the feed is pinned") {
  temp_dir tmp;
  stand_in_node node{503, 3};
  const auto r = publish(node, tmp);
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.find("pinned: 3/3 replicas active") != std::string::npos);
  CHECK(r.err.find("the chain actor did not answer; asking again while following") != std::string::npos);
  CHECK(node.feed_asks == 4);
}

TEST_CASE("publish stops following at a refusal that is not busy") {
  temp_dir tmp;
  stand_in_node node{500, 3};
  const auto r = publish(node, tmp);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("the chain actor did not answer") != std::string::npos);
  CHECK(node.feed_asks == 1);
}

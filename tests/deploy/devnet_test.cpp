// The local devnet scraped by a real Prometheus (the Debian package, started
// by deploy/devnet.sh on loopback): every node is up and ready, and the series
// the dashboards read exist and move: bus frames and pings counted, messages
// handled by every actor type, the validators' chain growing and finalizing.
#include <doctest/doctest.h>

#include <thread>

#include "devnet.hpp"

using namespace datdot::testing;
using namespace std::chrono_literals;

namespace {

// Polls until `ok` holds (bounded); returns whether it did.
template <class F>
bool eventually(F ok, std::chrono::seconds limit) {
  for (auto until = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < until;) {
    if (ok()) return true;
    std::this_thread::sleep_for(250ms);
  }
  return ok();
}

}  // namespace

TEST_CASE("Prometheus scrapes every devnet node and sees its counters move") {
  devnet_counts counts;
  devnet net{27000, counts, true};
  MESSAGE(net.status_table());
  for (int i = 0; i < counts.total(); ++i) {
    auto health = http_get(net.metrics_address(i), "/health");
    CHECK_MESSAGE(health.status == 200, net.metrics_address(i), " ", health.body);
  }
  auto nodes = static_cast<double>(counts.total());
  REQUIRE_MESSAGE(eventually([&] { return net.scalar(R"(count(up{job="datdot"} == 1))") == nodes; }, 20s),
                  "targets up: ", net.query(R"(up{job="datdot"})").dump());
  CHECK(net.scalar("count(datdot_node_info)") == nodes);
  CHECK(net.scalar(R"(count(datdot_node_info{roles="validator"}))") == counts.validators);

  // Chain gossip and requests keep frames and handled messages growing
  // between scrapes. Pongs need not: a peer whose gossip arrives is pinged
  // for its round trip only once a minute (actors/node_actor.hpp).
  auto frames = [&] { return net.scalar("sum(datdot_bus_frames_received_total)"); };
  auto pongs = [&] { return net.scalar("sum(datdot_node_pongs_total)"); };
  auto handled = [&] { return net.scalar(R"(sum(datdot_actor_messages_handled_total{actor="bus"}))"); };
  auto best = [&] { return net.scalar("max(datdot_chain_best_height_blocks)"); };
  REQUIRE(eventually([&] { return frames() > 0 && pongs() > 0 && handled() > 0 && best() >= 0; }, 10s));
  auto frames_before = frames(), handled_before = handled(), best_before = best();
  CHECK(eventually(
      [&] {
        return frames() > frames_before && handled() > handled_before && best() > best_before;
      },
      15s));
  // Every node runs the chain (role nodes follow it), and each role node
  // exports the series of its roles.
  CHECK(net.scalar("count(datdot_chain_best_height_blocks)") == nodes);
  CHECK(net.scalar("count(datdot_role_ratio)") == nodes);
  CHECK(net.scalar("count(datdot_role_challenges_received_total)") == counts.hosters);
  CHECK(net.scalar("count(datdot_role_sealed_bytes_total)") == counts.encoders);
  CHECK(net.scalar("count(datdot_role_attestations_made_total)") == counts.attesters);
  CHECK(eventually([&] { return net.scalar("max(datdot_chain_finalized_height_blocks)") > 0; }, 15s));
  CHECK(net.scalar(R"(sum(datdot_bus_frames_received_total{peer_class="validator"}))") > 0);
  // Every actor type is measured: bus, node, chain and data inbox on every
  // node, a reader on every node, and each role's own actor where it runs;
  // the chain actors handle a tick each slot.
  auto actors_of = [&](const std::string& type) {
    return net.scalar(R"(count(datdot_actor_messages_handled_total{actor=")" + type + R"("}))");
  };
  for (auto type : {"bus", "node", "validator", "data_inbox", "reader"}) CHECK_MESSAGE(actors_of(type) == nodes, type);
  CHECK(actors_of("publisher") == counts.publishers);
  CHECK(actors_of("encoder") == counts.encoders);
  CHECK(actors_of("hoster") == counts.hosters);
  CHECK(actors_of("attester") == counts.attesters);
  CHECK(actors_of("registrar") == nodes - counts.validators);
  CHECK(net.scalar(R"(min(datdot_actor_messages_handled_total{actor="validator"}))") > 0);
  CHECK(net.scalar("sum(datdot_bus_frames_rejected_total)") == 0);
}

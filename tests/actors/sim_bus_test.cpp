// The simulated bus end to end: real bus and node actors over the simulated
// network in virtual time — handshake and ping, determinism by seed, faults
// (loss, duplication, reordering, partitions, crashes), a garbage sender, and
// a data-plane request answered by the data family's inbox, and a multicast
// to listed nodes with its fallback to random peers.
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <set>

#include "actors/sim/sim_cluster.hpp"
#include "protocol/data_plane/data_message.hpp"

using namespace datdot;
using namespace std::chrono_literals;

namespace {

link_profile faulty_links() {
  link_profile p;
  p.latency_us_min = 100;
  p.latency_us_max = 20'000;
  p.loss_permille = 20;
  p.duplicate_permille = 20;
  p.reorder_permille = 50;
  return p;
}

std::string trace_of(std::uint64_t seed) {
  sim_cluster cluster{sim_cluster_config{seed, 20, faulty_links()}};
  cluster.run_for(3s);
  cluster.crash(5);
  cluster.run_for(2s);
  REQUIRE(cluster.restart(5).has_value());
  cluster.run_for(3s);
  return to_hex(cluster.network().trace_hash());
}

}  // namespace

TEST_CASE("five simulated nodes find each other and ping") {
  sim_cluster cluster{sim_cluster_config{7, 5, link_profile{}}};
  cluster.run_for(3s);
  for (sim_node_index i = 0; i < cluster.size(); ++i) {
    INFO("node " << i);
    CHECK(cluster.counters(i).peers_joined == 4);
    CHECK(cluster.counters(i).pongs >= 4);
    CHECK(cluster.counters(i).ping_failures == 0);
    CHECK(cluster.counters(i).rtt_max <= 4ms);  // two one-way latencies of at most 2 ms
    auto m = cluster.metrics(i);
    CHECK(m.rejected_sum() == 0);
    CHECK(m.peers.size() == 4);
  }
}

TEST_CASE("same seed gives the same trace and another seed another trace") {
  auto a = trace_of(42);
  CHECK(a == trace_of(42));
  CHECK(a != trace_of(43));
}

TEST_CASE("faulty links still converge and duplicates and late answers are absorbed") {
  sim_cluster cluster{sim_cluster_config{9, 12, faulty_links()}};
  cluster.run_for(10s);
  const auto& c = cluster.network().counters();
  CHECK(c.lost > 0);
  CHECK(c.duplicated > 0);
  std::uint64_t unmatched = 0;
  for (sim_node_index i = 0; i < cluster.size(); ++i) {
    CHECK(cluster.counters(i).peers_joined == 11);
    CHECK(cluster.counters(i).pongs > 0);
    unmatched += cluster.metrics(i).unmatched_responses_total;
  }
  CHECK(unmatched > 0);  // duplicated responses find no pending request
}

TEST_CASE("a partition stops pongs across it and healing restores them") {
  sim_cluster cluster{sim_cluster_config{3, 6, link_profile{}}};
  cluster.run_for(2s);
  auto failures_before = cluster.counters(0).ping_failures;
  cluster.network().partition({0, 0, 0, 1, 1, 1});
  cluster.run_for(5s);
  CHECK(cluster.counters(0).ping_failures >= failures_before + 3);
  CHECK(cluster.network().counters().partitioned > 0);
  cluster.network().heal();
  auto pongs = cluster.counters(0).pongs;
  auto failures = cluster.counters(0).ping_failures;
  cluster.run_for(5s);
  CHECK(cluster.counters(0).pongs >= pongs + 5 * 3);
  CHECK(cluster.counters(0).ping_failures <= failures + 3);  // only pings already in flight at the heal
}

TEST_CASE("a crashed node restarts with the same identity and rejoins") {
  sim_cluster cluster{sim_cluster_config{5, 6, link_profile{}}};
  cluster.run_for(2s);
  auto id = cluster.id_of(4);
  cluster.crash(4);
  cluster.run_for(3s);
  CHECK(cluster.counters(1).ping_failures > 0);
  auto joined = cluster.counters(4).peers_joined;
  auto pongs_from_others = cluster.counters(1).pongs;
  REQUIRE(cluster.restart(4).has_value());
  cluster.run_for(3s);
  CHECK(cluster.id_of(4) == id);
  CHECK(cluster.counters(4).peers_joined >= joined + 5);  // learnt everyone again
  CHECK(cluster.counters(4).pongs > 0);
  CHECK(cluster.counters(1).pongs > pongs_from_others);
}

TEST_CASE("a garbage sender is rejected then banned while the others keep working") {
  sim_cluster cluster{sim_cluster_config{11, 4, link_profile{}}};
  cluster.run_for(2s);
  auto& net = cluster.network();
  bytes garbage{0x0a, 0xff, 0x13, 0x37};
  bytes oversized(bus_limits::frame_bytes_default + 1, 0);
  // A well-formed ping claiming node 2's identity, sent by node 1.
  auto forged = encode_frame(cluster.id_of(2), frame_kind::one_way, 0, ping{1, {}});
  for (std::uint32_t i = 0; i < bus_limits::garbage_frames_threshold; ++i)
    (void)net.submit(1, cluster.id_of(3), i % 3 == 0 ? garbage : i % 3 == 1 ? oversized : forged);
  cluster.run_for(1s);
  auto m = cluster.metrics(3);
  CHECK(m.rejected_total[static_cast<std::size_t>(reject_reason::malformed_envelope)] > 0);
  CHECK(m.rejected_total[static_cast<std::size_t>(reject_reason::oversized)] > 0);
  CHECK(m.rejected_total[static_cast<std::size_t>(reject_reason::sender_mismatch)] > 0);
  CHECK(m.bans_total == 1);
  auto pongs = cluster.counters(3).pongs;
  cluster.run_for(3s);
  CHECK(cluster.network().counters().banned > 0);           // node 1's frames are refused now
  CHECK(cluster.counters(3).pongs >= pongs + 2 * 3);        // nodes 0 and 2 still answer
  CHECK(cluster.counters(0).ping_failures == 0);
}

TEST_CASE("one thousand simulated nodes start and handshake and ping") {
  sim_cluster cluster{sim_cluster_config{1000, 1000, link_profile{}}};
  cluster.run_for(1100ms);  // handshakes, then one ping round at 1 s
  std::size_t with_peers = 0, with_pongs = 0;
  for (sim_node_index i = 0; i < cluster.size(); ++i) {
    with_peers += cluster.counters(i).peers_joined >= 2 ? 1 : 0;
    with_pongs += cluster.counters(i).pongs > 0 ? 1 : 0;
  }
  CHECK(with_peers == 1000);
  CHECK(with_pongs == 1000);
  MESSAGE("frames delivered: " << cluster.network().counters().delivered);
}

TEST_CASE("a full node says so in its welcome and the nodes it left out ping it only every rtt_refresh_ticks") {
  // Everyone joins through node 0, whose table fills at peers_max; each node
  // it could not add used to ping it every tick for ever, as its gossip never
  // came. Quiet peers (no chain here) are still pinged every tick.
  constexpr std::size_t nodes = bus_limits::peers_max + 40;
  sim_cluster cluster{sim_cluster_config{23, nodes, link_profile{}}};
  cluster.run_for(5s);
  const auto before = cluster.metrics(0).peers;
  constexpr std::uint64_t window = 20;  // ticks: fewer than rtt_refresh_ticks
  static_assert(window < rtt_refresh_ticks);
  cluster.run_for(std::chrono::seconds{window});
  const auto after = cluster.metrics(0).peers;
  std::size_t left_out = 0, pinging = 0;
  for (const auto& [id, traffic] : after) {
    const auto in = traffic.frames_in - (before.contains(id) ? before.at(id).frames_in : 0);
    if (in <= 1) ++left_out;
    if (in >= window) ++pinging;  // its pings, and the pongs to node 0's
  }
  CHECK(cluster.counters(0).peers_joined == bus_limits::peers_max);
  CHECK(pinging == bus_limits::peers_max);
  CHECK(left_out == nodes - 1 - bus_limits::peers_max);
}

TEST_CASE("per-peer counters agree on both ends of every link") {
  sim_cluster cluster{sim_cluster_config{21, 8, link_profile{}}};
  cluster.run_for(3500ms);  // half a ping interval after the last round: nothing in flight
  std::vector<bus_metrics> m;
  for (sim_node_index i = 0; i < cluster.size(); ++i) m.push_back(cluster.metrics(i));
  std::uint64_t frames = 0;
  for (sim_node_index i = 0; i < cluster.size(); ++i) {
    CHECK(m[i].peers.size() == cluster.size() - 1);
    std::uint64_t frames_in = 0, frames_out = 0;
    for (sim_node_index j = 0; j < cluster.size(); ++j) {
      if (i == j) continue;
      INFO("link " << i << " -> " << j);
      const auto& out = m[i].peers.at(cluster.id_of(j));
      const auto& in = m[j].peers.at(cluster.id_of(i));
      CHECK(out.frames_out == in.frames_in);
      CHECK(out.bytes_out == in.bytes_in);
      CHECK(out.frames_out > 3);  // hello or welcome, then pings and pongs
      frames_in += m[i].peers.at(cluster.id_of(j)).frames_in;
      frames_out += out.frames_out;
    }
    CHECK(frames_in == m[i].frames_in_total);
    CHECK(frames_out == m[i].frames_out_total);
    frames += frames_out;
  }
  CHECK(frames == cluster.network().counters().delivered);
}

TEST_CASE("a data request reaches the data inbox and its response comes back to the requester") {
  sim_cluster cluster{sim_cluster_config{17, 3, link_profile{}}};
  cluster.run_for(2s);  // handshakes: node 0 has a route to node 2
  feed_key feed;
  feed.bytes.fill(3);
  const auto question = encode_data_message(feed_blocks_request{feed, 0, 2});
  const auto refusal = encode_data_message(data_refusal{"unknown feed"});

  // Node 2's data-plane inbox: records what it is asked and refuses it.
  auto asked = std::make_shared<std::vector<inbound_message>>();
  auto inbox = cluster.system().spawn([asked, refusal]() -> inbox_actor::behavior_type {
    return {
        [asked, refusal](bus_ask_atom, inbound_message& msg) -> message_body {
          asked->push_back(msg);
          return data_response{refusal};
        },
        [](bus_deliver_atom, inbound_message&) {},
    };
  });
  caf::anon_send(cluster.bus_of(2), bus_subscribe_atom_v, message_family::data, inbox);

  // Node 0 asks through its bus, as a data-plane actor would.
  auto answer = std::make_shared<std::optional<inbound_message>>();
  auto failure = std::make_shared<std::string>();
  cluster.system().spawn([bus = cluster.bus_of(0), to = cluster.id_of(2), question, answer,
                          failure](caf::event_based_actor* self) {
    self->request(bus, caf::infinite, bus_request_atom_v, to, message_body{data_request{question}}, caf::timespan{1s})
        .then([answer](inbound_message& m) { *answer = std::move(m); },
              [failure](caf::error& e) { *failure = caf::to_string(e); });
  });
  cluster.run_for(100ms);
  INFO("request failed: " << *failure);

  REQUIRE(asked->size() == 1);
  CHECK(asked->front().sender == cluster.id_of(0));
  CHECK(asked->front().kind == frame_kind::request);
  CHECK(asked->front().body == message_body{data_request{question}});
  REQUIRE(answer->has_value());
  const auto& reply = **answer;
  CHECK(reply.sender == cluster.id_of(2));
  CHECK(reply.kind == frame_kind::response);
  REQUIRE(std::holds_alternative<data_response>(reply.body));
  auto decoded = decode_data_message(std::get<data_response>(reply.body).payload);
  REQUIRE(decoded);
  CHECK(*decoded == data_message{data_refusal{"unknown feed"}});
  CHECK(cluster.metrics(2).rejected_sum() == 0);
  caf::anon_send_exit(inbox, caf::exit_reason::user_shutdown);
}

TEST_CASE("a multicast reaches the listed nodes it routes, or a few random peers when it routes none of them") {
  // Eight chain nodes all routing each other; nodes 0..6 record the chain
  // messages they are handed, and node 7 multicasts.
  sim_chain_config chain;
  chain.validators = 2;
  auto made = sim_cluster::with_chain(sim_cluster_config{21, 8, link_profile{}}, chain);
  REQUIRE(made.has_value());
  auto& cluster = **made;
  cluster.run_for(3s);
  auto heard = std::make_shared<std::map<std::uint8_t, std::set<node_id>>>();
  std::vector<inbox_actor> recorders;
  for (sim_node_index i = 0; i < 7; ++i) {
    auto recorder = cluster.system().spawn([heard, me = cluster.id_of(i)]() -> inbox_actor::behavior_type {
      return {
          [](bus_ask_atom, inbound_message&) -> message_body { return chain_transaction{}; },
          [heard, me](bus_deliver_atom, inbound_message& msg) {
            const auto* tx = std::get_if<chain_transaction>(&msg.body);
            if (tx && tx->encoded.size() == 1) (*heard)[tx->encoded[0]].insert(me);
          },
      };
    });
    caf::anon_send(cluster.bus_of(i), bus_subscribe_atom_v, message_family::chain, recorder);
    recorders.push_back(recorder);
  }
  cluster.run_for(10ms);
  const auto multicast = [&](std::vector<node_id> to, sim_node_index except, std::uint8_t marker) {
    caf::anon_send(cluster.bus_of(7), bus_multicast_atom_v, role::validator, std::move(to), cluster.id_of(except),
                   std::uint32_t{3}, message_body{chain_transaction{bytes{marker}}});
    cluster.run_for(50ms);
    return (*heard)[marker];
  };
  node_id stranger;
  stranger.key.fill(0xee);

  // Routed: only the listed nodes but `except`, and no fallback.
  CHECK(multicast({cluster.id_of(3), cluster.id_of(4)}, 4, 1) == std::set<node_id>{cluster.id_of(3)});
  // The only listed node it routes is `except`, which has the message: nobody.
  CHECK(multicast({cluster.id_of(5), stranger}, 5, 2).empty());
  // None routed: three random peers but `except`.
  const auto fallback = multicast({stranger}, 5, 3);
  CHECK(fallback.size() == 3);
  CHECK_FALSE(fallback.contains(cluster.id_of(5)));
  for (auto& r : recorders) caf::anon_send_exit(r, caf::exit_reason::user_shutdown);
}

TEST_CASE("a peer named for a duty is routed though gossip peers fill the table and the least recently named gives way") {
  // Everyone joins through node 0, so its table fills with peers_max gossip
  // peers and the last nodes to join have no route from it.
  constexpr std::size_t extra = bus_limits::duty_routes_max + 2;
  const auto nodes = 1 + bus_limits::peers_max + extra;
  sim_cluster cluster{sim_cluster_config{29, nodes, link_profile{}}};
  cluster.run_for(3s);
  // A ping through node 0's bus: "" when a pong came back, else why not.
  auto ping_from_0 = [&](sim_node_index to) {
    auto outcome = std::make_shared<std::optional<std::string>>();
    cluster.system().spawn([bus = cluster.bus_of(0), id = cluster.id_of(to), outcome](caf::event_based_actor* self) {
      self->request(bus, caf::infinite, bus_request_atom_v, id, message_body{ping{1, {}}}, caf::timespan{1s})
          .then([outcome](inbound_message& m) { *outcome = std::holds_alternative<pong>(m.body) ? "" : "not a pong"; },
                [outcome](caf::error& e) { *outcome = caf::to_string(e); });
    });
    cluster.run_for(100ms);
    return outcome->value_or("no answer");
  };
  auto name = [&](sim_node_index i) {
    caf::anon_send(cluster.bus_of(0), bus_route_atom_v,
                   peer_info{cluster.id_of(i), role_set{}, bus_protocol_version, "sim://" + std::to_string(i)});
  };
  std::vector<sim_node_index> unrouted;
  for (sim_node_index i = 1; i < nodes; ++i)
    if (ping_from_0(i) != "") unrouted.push_back(i);
  REQUIRE(unrouted.size() >= extra);
  CHECK(ping_from_0(unrouted[0]).find("no_route") != std::string::npos);
  name(unrouted[0]);
  CHECK(ping_from_0(unrouted[0]) == "");
  // duty_routes_max more: the first named gives way, the rest stay.
  for (std::size_t k = 1; k <= bus_limits::duty_routes_max; ++k) name(unrouted[k]);
  cluster.run_for(10ms);
  CHECK(ping_from_0(unrouted[0]).find("no_route") != std::string::npos);
  CHECK(ping_from_0(unrouted[1]) == "");
  CHECK(ping_from_0(unrouted[bus_limits::duty_routes_max]) == "");
  // Gossip peers kept their routes.
  std::size_t routed = 0;
  for (sim_node_index i = 1; i < nodes; ++i)
    if (std::find(unrouted.begin(), unrouted.end(), i) == unrouted.end()) ++routed;
  CHECK(routed == bus_limits::peers_max);
  CHECK(ping_from_0(1) == "");
}

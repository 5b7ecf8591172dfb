// The chain in simulation: validators and followers run the real validator
// actor over the simulated bus in virtual time, through the scenario driver
// that `datdot sim` uses. A small scenario finalizes with every invariant
// holding; a run is a function of scenario and seed; a 2|2 partition stops
// finality without conflict and healing resumes it; crashed nodes come back
// from their stores without losing finality; validators that do not reach
// each other directly finalize through nodes that relay; votes and
// transactions stay among the nodes that need them; commits ride with blocks.
#include <doctest/doctest.h>

#include <chrono>

#include "actors/sim/forwarding_transport.hpp"
#include "actors/sim/scenario_driver.hpp"
#include "actors/sim/sim_cluster.hpp"
#include "protocol/bus.pb.h"
#include "support/scenario_file.hpp"

using namespace datdot;
using namespace std::chrono_literals;

namespace {

sim_scenario small(std::uint64_t seed) {
  sim_scenario s;
  s.seed = seed;
  s.validators = 4;
  s.followers = 2;
  s.slots = 15;
  return s;
}

sim_report run(const sim_scenario& s, const scenario_hooks& hooks = {}) {
  auto r = run_scenario(s, hooks);
  REQUIRE_MESSAGE(r.has_value(), r.err().describe());
  INFO(report_text(*r, "-"));
  CHECK_FALSE(r->violation.has_value());
  return *r;
}

// A cluster of `validators` genesis validators and `followers` on clean links.
std::unique_ptr<sim_cluster> chain_cluster(std::uint64_t seed, std::size_t validators, std::size_t followers) {
  sim_chain_config chain;
  chain.validators = validators;
  auto made = sim_cluster::with_chain(sim_cluster_config{seed, validators + followers, link_profile{}}, chain);
  REQUIRE(made.has_value());
  return std::move(*made);
}

// A transport that loses every commit sent on its own (chain_commit frames).
class commit_loser final : public forwarding_transport {
 public:
  using forwarding_transport::forwarding_transport;
  send_status send(const node_id& to, bytes frame) override {
    wire::envelope env;
    if (env.ParseFromArray(frame.data(), static_cast<int>(frame.size())) &&
        env.type() == static_cast<std::uint32_t>(message_type::chain_commit))
      return send_status::queued;  // lost on the wire: the sender cannot tell
    return inner().send(to, std::move(frame));
  }
};

std::uint64_t finalized_height(sim_cluster& cluster, sim_node_index i) {
  return cluster.chain_store_of(i)->finalized().value()->number.value;
}

}  // namespace

TEST_CASE("a small simulated chain finalizes and every node agrees") {
  const auto r = run(small(5));
  CHECK(r.slots_run == 15);
  CHECK(r.finalized_height >= 10);
  // Followers and validators alike have finalized almost everything.
  CHECK(r.finalized_height_min + 2 >= r.finalized_height);
  CHECK(r.finality_lag_slots_p99 <= 2);
  CHECK(r.network.delivered > 0);
  CHECK(r.state_root_height == r.finalized_height_min);
  CHECK(r.state_root != hash32{});
}

TEST_CASE("the same scenario and seed give the same trace and state root, another seed another trace") {
  const auto a = run(small(21));
  const auto b = run(small(21));
  CHECK(a.trace_hash == b.trace_hash);
  CHECK(a.state_root == b.state_root);
  CHECK(a.state_root_height == b.state_root_height);
  CHECK(a.events == b.events);
  const auto c = run(small(22));
  CHECK(c.trace_hash != a.trace_hash);
}

TEST_CASE("a 2|2 partition of the validators stops finality without conflict and healing resumes it") {
  const auto s = testing::scenario_named("partition-heal.json");
  REQUIRE(s.partitions.size() == 1);
  const auto split = s.partitions[0].at_slot, heal = *s.partitions[0].heal_at_slot;
  std::vector<std::uint64_t> height_at(s.slots + 1, 0);
  scenario_hooks hooks;
  hooks.progress_every_slots = 1;
  hooks.on_progress = [&](const sim_progress& p) { height_at[p.slot] = p.finalized_height; };
  const auto r = run(s, hooks);
  CHECK(r.network.partitioned > 0);
  CHECK(height_at[split - 1] > 0);
  // Blocks in flight at the split may still finalize; then nothing until the heal.
  CHECK(height_at[heal - 1] <= height_at[split + 2]);
  CHECK(r.finalized_height > height_at[heal - 1] + 5);
}

TEST_CASE("crashed nodes restart from their stores and keep what they finalized") {
  const auto r = run(testing::scenario_named("crash-restart.json"));
  CHECK(r.crashes == 3);
  CHECK(r.restarts == 2);
  CHECK(r.finalized_height >= 30);
  CHECK(r.finalized_height_min + 3 >= r.finalized_height);  // the restarted nodes caught up
}

TEST_CASE("a restarted simulated node rebuilds its chain from its store") {
  auto made = sim_cluster::with_chain(sim_cluster_config{4, 4, link_profile{}}, sim_chain_config{});
  REQUIRE(made.has_value());
  auto& cluster = **made;
  cluster.run_for(8s);
  const auto* store = cluster.chain_store_of(3);
  REQUIRE(store);
  const auto before = store->finalized().value()->number.value;
  CHECK(before >= 5);
  cluster.crash(3);
  CHECK(cluster.chain_store_of(3) == nullptr);
  cluster.run_for(3s);
  REQUIRE(cluster.restart(3).has_value());
  REQUIRE(cluster.chain_store_of(3));
  CHECK(cluster.chain_store_of(3)->finalized().value()->number.value >= before);
  cluster.run_for(4s);
  CHECK(cluster.chain_store_of(3)->finalized().value()->number.value >= before + 5);
}

TEST_CASE("validators that cannot reach each other finalize through followers that relay their blocks and votes") {
  // Once the nodes have found each other, every link between two validators
  // drops every frame: a block or vote reaches another validator, and most
  // followers, only when a follower passes it on.
  constexpr std::size_t validators = 4, followers = 6;
  auto made = chain_cluster(9, validators, followers);
  auto& cluster = *made;
  cluster.run_for(2s);
  link_profile cut;
  cut.loss_permille = 1000;
  for (sim_node_index a = 0; a < validators; ++a)
    for (sim_node_index b = 0; b < validators; ++b)
      if (a != b) cluster.network().set_link(a, b, cut);
  auto finalized = [&](sim_node_index i) { return finalized_height(cluster, i); };
  std::vector<std::uint64_t> at_cut;
  for (sim_node_index i = 0; i < cluster.size(); ++i) at_cut.push_back(finalized(i));
  cluster.run_for(10s);
  CHECK(cluster.network().counters().lost > 0);
  for (sim_node_index i = 0; i < cluster.size(); ++i) {
    INFO("node " << i);
    CHECK(finalized(i) >= at_cut[i] + 6);
  }
}

TEST_CASE("seven validators among a hundred followers finalize on every node") {
  // Each node seeks only bus_limits::peers_wanted peers, so in a network this
  // size the validators do not all know each other: votes cross by relay.
  sim_scenario s;
  s.seed = 3;
  s.validators = 7;
  s.followers = 100;
  s.slots = 10;
  const auto r = run(s);
  CHECK(r.finalized_height >= 7);
  CHECK(r.finalized_height_min + 1 >= r.finalized_height);
  CHECK(r.finality_lag_slots_p99 <= 1);
}

TEST_CASE("a cluster with more validators than nodes is refused") {
  sim_chain_config chain;
  chain.validators = 5;
  CHECK_FALSE(sim_cluster::with_chain(sim_cluster_config{1, 4, link_profile{}}, chain).has_value());
}

TEST_CASE("a peer whose gossip keeps arriving is pinged only every rtt_refresh_ticks and still measured") {
  // Blocks and commits reach every node each second (a slot), so after the
  // first tick a ping goes to each peer once per rtt_refresh_ticks ticks, not
  // once per tick; a quiet network is still pinged each tick (sim_bus_test).
  constexpr std::size_t nodes = 8;
  auto made = sim_cluster::with_chain(sim_cluster_config{5, nodes, link_profile{}}, sim_chain_config{});
  REQUIRE(made.has_value());
  auto& cluster = **made;
  cluster.run_for(3s);
  std::vector<std::uint64_t> pongs_before;
  for (sim_node_index i = 0; i < nodes; ++i) pongs_before.push_back(cluster.counters(i).pongs);
  constexpr std::uint64_t ticks = 4 * rtt_refresh_ticks;
  cluster.run_for(std::chrono::seconds{ticks});
  for (sim_node_index i = 0; i < nodes; ++i) {
    INFO("node " << i);
    const auto peers = cluster.counters(i).peers_joined;
    REQUIRE(peers == nodes - 1);
    const auto pongs = cluster.counters(i).pongs - pongs_before[i];
    CHECK(pongs >= peers * (ticks / rtt_refresh_ticks - 1));  // every peer measured each refresh period
    CHECK(pongs <= peers * (ticks / rtt_refresh_ticks + 1));  // one ping per tick would give peers * ticks
    CHECK(cluster.counters(i).ping_failures == 0);
  }
}

TEST_CASE("votes stay among the voters and followers finalize from commits") {
  // A slot brings one block and two votes per validator. Before, every vote
  // reached every node about relay_fanout_max times (over a hundred frames
  // per follower and slot with seven validators); now a follower hears each
  // block and commit a few times and votes only now and then.
  constexpr std::size_t validators = 7, followers = 60;
  auto made = chain_cluster(8, validators, followers);
  auto& cluster = *made;
  cluster.run_for(3s);
  std::vector<std::uint64_t> frames_before, copies_before, finalized_before;
  auto finalized = [&](sim_node_index i) { return finalized_height(cluster, i); };
  for (sim_node_index i = 0; i < cluster.size(); ++i) {
    frames_before.push_back(cluster.metrics(i).frames_in_total);
    copies_before.push_back(cluster.metrics(i).gossip_copies_dropped_total);
    finalized_before.push_back(finalized(i));
  }
  constexpr std::uint64_t slots = 10;
  cluster.run_for(std::chrono::seconds{slots});
  std::uint64_t follower_frames = 0, follower_copies = 0;
  for (sim_node_index i = 0; i < cluster.size(); ++i) {
    INFO("node " << i);
    CHECK(finalized(i) >= finalized_before[i] + slots - 2);
    if (i < validators) continue;
    follower_frames += cluster.metrics(i).frames_in_total - frames_before[i];
    follower_copies += cluster.metrics(i).gossip_copies_dropped_total - copies_before[i];
  }
  const auto per_follower_slot = follower_frames / (followers * slots);
  MESSAGE("frames per follower and slot: " << per_follower_slot);
  CHECK(per_follower_slot <= 50);
  // Most of those are copies of the slot's block and commit, which the bus
  // drops once the node has passed the first on: the chain actor sees about one of each.
  const auto copies_per_follower_slot = follower_copies / (followers * slots);
  MESSAGE("copies dropped per follower and slot: " << copies_per_follower_slot);
  CHECK(copies_per_follower_slot >= 4);
}

TEST_CASE("followers that receive no commit frame finalize from the commits riding with blocks") {
  // Followers get no votes; a commit reaches most of them on its own, and
  // every one of them with the next block (chain_block.commit).
  auto s = small(12);
  s.followers = 6;
  scenario_hooks hooks;
  hooks.wrap_transport = [](sim_node_index, std::shared_ptr<bus_transport> inner) {
    return std::shared_ptr<bus_transport>{std::make_shared<commit_loser>(std::move(inner))};
  };
  const auto r = run(s, hooks);
  CHECK(r.finalized_height >= 10);
  CHECK(r.finalized_height_min + 2 >= r.finalized_height);
}

TEST_CASE("transactions reach the block producers without crossing every follower") {
  // Before, every node pooled every transaction and passed it to eight random
  // peers, so a follower heard each transaction several times; now it goes to
  // the voters and stops there.
  constexpr std::size_t validators = 4, followers = 40, signers = 20;
  auto made = chain_cluster(10, validators, followers);
  auto& cluster = *made;
  cluster.run_for(6s);  // past joining and the first pings
  auto frames_in = [&] {
    std::vector<std::int64_t> frames;
    for (sim_node_index i = 0; i < cluster.size(); ++i)
      frames.push_back(static_cast<std::int64_t>(cluster.metrics(i).frames_in_total));
    return frames;
  };
  // A window without transactions, then one as long in which `signers` followers each register.
  const auto start = frames_in();
  cluster.run_for(2s);
  const auto quiet = frames_in();
  for (std::size_t k = 0; k < signers; ++k) {
    register_node r;
    r.roles.add(role::hoster);
    r.capacity_bytes = 1 << 20;
    r.bus_address = "sim://" + std::to_string(validators + k);
    caf::anon_send(cluster.chain_of(validators + k), chain_submit_atom_v, call{std::move(r)});
  }
  cluster.run_for(2s);
  const auto busy = frames_in();
  cluster.run_for(3s);
  const auto state = cluster.finalized_state_of(0);
  REQUIRE(state);
  for (std::size_t k = 0; k < signers; ++k)
    CHECK(state->nodes.contains(account_id{cluster.keys_of(validators + k).pk}));
  std::int64_t extra = 0;
  for (sim_node_index i = validators + signers; i < cluster.size(); ++i)
    extra += (busy[i] - quiet[i]) - (quiet[i] - start[i]);
  const auto per_follower = extra / static_cast<std::int64_t>(followers - signers);
  MESSAGE("frames more per uninvolved follower while " << signers << " transactions spread: " << per_follower);
  CHECK(per_follower < static_cast<std::int64_t>(signers / 2));
}

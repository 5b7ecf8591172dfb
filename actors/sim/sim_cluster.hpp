// A whole simulated network in one process: N nodes, each a real bus actor and
// node actor over the simulated network, run by CAF's deterministic test
// scheduler in virtual time. Identities, links and faults all come from one
// seed; the scenario driver of `datdot sim` and the tests both use it.
#pragma once

#include <memory>
#include <vector>

#include <caf/scheduler/test_coordinator.hpp>

#include "actors/node_actor.hpp"
#include "actors/sim/sim_network.hpp"
#include "crypto/keys.hpp"

namespace datdot {

struct sim_cluster_config {
  std::uint64_t seed = 1;
  std::size_t nodes = 10;
  link_profile links;
  caf::timespan ping_interval = std::chrono::seconds{1};
  caf::timespan request_timeout = std::chrono::seconds{2};
};

struct sim_node_counters {
  std::uint64_t peers_joined = 0;
  std::uint64_t pongs = 0;
  std::uint64_t ping_failures = 0;
  caf::timespan rtt_max{0};
};

class sim_cluster {
 public:
  explicit sim_cluster(sim_cluster_config config);
  ~sim_cluster();
  sim_cluster(const sim_cluster&) = delete;
  sim_cluster& operator=(const sim_cluster&) = delete;

  // Runs actors, timers and deliveries in virtual-time order for `duration`.
  void run_for(caf::timespan duration);
  void crash(sim_node_index node);
  void restart(sim_node_index node);

  sim_network& network() noexcept { return network_; }
  // For actors a scenario adds next to the nodes' own (another family's inbox, a requester).
  caf::actor_system& system() noexcept { return *system_; }
  const bus_actor& bus_of(sim_node_index node) const { return nodes_[node].bus; }
  const node_id& id_of(sim_node_index node) const { return nodes_[node].id; }
  const key_pair& keys_of(sim_node_index node) const { return nodes_[node].keys; }
  const sim_node_counters& counters(sim_node_index node) const { return nodes_[node].counters; }
  bus_metrics metrics(sim_node_index node);  // asks the node's bus; runs the scheduler
  sim_time_ns now() const;
  std::size_t size() const noexcept { return nodes_.size(); }

 private:
  struct sim_node {
    key_pair keys;
    node_id id;
    curve_public_key curve;
    bus_actor bus;
    node_actor node;
    sim_node_counters counters;
  };
  void start(sim_node_index node);
  void advance_to(sim_time_ns t);

  sim_cluster_config config_;
  caf::actor_system_config system_config_;
  std::unique_ptr<caf::actor_system> system_;
  caf::scheduler::test_coordinator* scheduler_ = nullptr;
  caf::detail::test_actor_clock::time_point start_time_;
  sim_network network_;
  std::vector<sim_node> nodes_;
};

}  // namespace datdot

// Runs one scenario on a simulated cluster that runs the chain: slot by slot
// in virtual time, applying the scenario's faults at the start of their
// slots, checking the finality invariants after every slot (apart from the
// workload, see finality_checker.hpp), and stopping at the first violation.
// `datdot sim` and the tests both run scenarios through this.
#pragma once

#include <functional>

#include "actors/bus_actor.hpp"
#include "actors/sim/sim_report.hpp"

namespace datdot {

struct sim_progress {
  std::uint64_t slot = 0;
  std::uint64_t slots = 0;
  std::uint64_t finalized_height = 0;  // the highest any node finalized
  std::uint64_t events = 0;
};

// The network at the end of one slot, for time series (`datdot sim --csv`).
// Heights are over the nodes up; counters are totals since the run began.
struct sim_slot_sample {
  std::uint64_t slot = 0;
  std::uint64_t best_height_max = 0;  // the highest block a node has imported
  std::uint64_t best_height_min = 0;
  std::uint64_t finalized_height_max = 0;
  std::uint64_t finalized_height_min = 0;
  std::uint64_t finality_lag_blocks = 0;  // best_height_max - finalized_height_max
  std::uint64_t frames_delivered = 0;
  std::uint64_t frames_lost = 0;
  std::uint64_t frames_duplicated = 0;
  std::uint64_t events = 0;
  std::uint64_t adversaries_caught = 0;
  // The service so far by behaviour: "honest" and each adversary kind of the run.
  std::map<std::string, behaviour_tally> by_behaviour;
};

struct scenario_hooks {
  std::function<void(const sim_progress&)> on_progress;  // may be empty
  // After every slot's checks; empty: no sample is taken. Taking one only
  // reads the stores, so it changes nothing the run does.
  std::function<void(const sim_slot_sample&)> on_slot;
  std::uint64_t progress_every_slots = 10;
  log_fn chain_log;  // the chain actors' log lines; may be empty
  // Wrapped around each node's transport (outside an adversary's) and its
  // sealing key; may be empty. Tests watch or lose frames and count seals.
  std::function<std::shared_ptr<bus_transport>(sim_node_index, std::shared_ptr<bus_transport>)> wrap_transport;
  std::function<std::shared_ptr<const sealer>(sim_node_index, std::shared_ptr<const sealer>)> wrap_sealer;
  // The threads that run the nodes (sim_cluster_config::threads): any number
  // gives the same run. 0: two where the machine has two cores and the run
  // can use them (sim_threads_auto_nodes_min nodes or more, no adversaries,
  // no wrapped transports or sealing keys, a least latency above 0), else one.
  // More than one with adversaries or wrappers is an error: they share state across nodes.
  std::uint32_t threads = 1;
};

// Below this many nodes a second thread waits more than it works.
inline constexpr std::size_t sim_threads_auto_nodes_min = 1'000;
// Each thread runs an actor system of its own.
inline constexpr std::uint32_t sim_threads_max = 64;

// The threads run_scenario runs `s` on, given hooks.threads and the machine's cores.
result<std::uint32_t> sim_threads(const sim_scenario& s, const scenario_hooks& hooks, unsigned cores);

// Fails when the scenario is invalid or a node's store cannot be set up; a
// violated invariant is not a failure to run: it is in the report.
result<sim_report> run_scenario(const sim_scenario& s, const scenario_hooks& hooks = {});

}  // namespace datdot

// What a simulation run found: the chain's progress and finality lag, what the
// simulated wire did, how fast the run went, the two hashes that identify a
// run (the trace of delivered frames and the finalized state root all honest
// nodes agree on), each adversary and when it was caught, and the first
// invariant that failed, if one did. Rendered as
// a human summary or one JSON object.
#pragma once

#include <optional>
#include <string>

#include "actors/sim/adversary_checker.hpp"
#include "actors/sim/finality_checker.hpp"
#include "actors/sim/hosting_tally.hpp"
#include "actors/sim/sim_scenario.hpp"

namespace datdot {

struct sim_report {
  sim_scenario scenario;
  std::uint64_t slots_run = 0;
  std::uint64_t finalized_height = 0;      // the highest any node finalized: blocks finalized
  std::uint64_t finalized_height_min = 0;  // the lowest among the nodes up at the end
  // Slots from a block's own slot to the end of the slot in which the first
  // node finalized it, over every finalized block (0 when none was).
  std::uint64_t finality_lag_slots_p50 = 0;
  std::uint64_t finality_lag_slots_p99 = 0;
  std::uint64_t finality_lag_slots_max = 0;
  sim_network_counters network;
  std::uint64_t events = 0;  // actor messages and timeouts handled
  // ed25519 checks during the run: made for real, and answered by the
  // process-wide memo (crypto/sim_memo.hpp) because another node made them.
  std::uint64_t signatures_verified = 0;
  std::uint64_t signatures_memoized = 0;
  // Block imports: applied for real, and answered by the process-wide memo
  // (protocol/chain/import_memo.hpp) because another node applied the block.
  std::uint64_t blocks_applied = 0;
  std::uint64_t blocks_memoized = 0;
  std::uint64_t blocks_built = 0;  // by their leaders, who keep them as built
  std::uint64_t crashes = 0;
  std::uint64_t restarts = 0;
  std::uint64_t joins = 0;
  std::uint64_t leaves = 0;
  hash32 trace_hash{};
  hash32 state_root{};  // after the block at state_root_height
  std::uint64_t state_root_height = 0;  // the highest height every node up at the end finalized
  double wall_seconds = 0;  // real time, reported only: nothing simulated depends on it
  std::uint32_t threads = 1;  // that ran the nodes; reported only, like wall_seconds
  // The most of this process resident at a slot's end (actors/sim/resident_memory.hpp),
  // anonymous and file-backed; reported only, 0 where the system does not say.
  std::uint64_t peak_rss_anon_bytes = 0;
  std::uint64_t peak_rss_file_bytes = 0;
  std::vector<adversary_result> adversaries;  // by node
  std::uint64_t adversaries_caught = 0;
  std::uint64_t false_accusations = 0;  // honest nodes reported or banned: 0, or the run stopped
  std::uint64_t excused_failures = 0;   // challenges failed by honest hosters a fault cut off
  std::uint64_t honest_attester_misses = 0;  // passed challenges an honest attester reported too late for
  std::uint64_t feeds_requested = 0;    // publish requests the workload made
  std::uint64_t publish_failures = 0;   // of those, refused by the publisher or the chain
  std::uint64_t appends_requested = 0;  // appends the workload made to published feeds
  std::uint64_t append_failures = 0;    // of those, refused by the publisher or the chain
  hosting_summary hosting;
  // Disk at the end against the seed's cost model (every live replica a
  // whole copy of its feed): what the hosters store, and what the chain
  // says they should (the byte sizes of the live replicas).
  std::uint64_t disk_sealed_bytes = 0;
  std::uint64_t disk_model_bytes = 0;
  std::uint64_t ledger_states_checked = 0;   // finalized states the ledger invariants held in
  std::uint64_t ledger_payouts_checked = 0;  // payments found backed by service
  std::optional<invariant_violation> violation;
  std::uint64_t violation_slot = 0;
};

// The scenario a failed run keeps as a regression file: the run's own (seed
// included), with the invariant that failed, where and when, in its description.
sim_scenario failure_scenario(const sim_report& r);

// `replay` is the command that runs the same scenario again: always in the
// JSON, in the summary only with a violation.
std::string report_json(const sim_report& r, const std::string& replay);
std::string report_text(const sim_report& r, const std::string& replay);

}  // namespace datdot

// Whether a run's adversaries were caught, and that no honest node was
// accused: apart from the adversaries' traffic (sim_adversaries.hpp), it
// reads what the network did about them. A lying validator is caught when an
// offence of its kind is recorded on the finalized chain; a garbage sender
// when every honest node up has banned it; a hoster adversary when a
// challenge of one of its replicas fails on the finalized chain; a slow
// attester when an attestation of its is recorded missed; a withholding
// encoder when a hoster's report of a withheld sealing names it, a
// false-root encoder when it is convicted. An offence
// recorded against an honest node, an honest node banned by another, and an
// honest hoster or encoder convicted or failing a challenge, and an honest
// hoster reporting an honest encoder's sealing withheld, are violated
// invariants; only a hoster the scenario's faults cut off (`excused`: it
// crashed, or the network split) may fail a challenge. Honest attesters'
// misses of challenges their hoster passed are counted, not accused.
#pragma once

#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "actors/sim/finality_checker.hpp"
#include "actors/sim/sim_scenario.hpp"

namespace datdot {

class sim_cluster;

struct adversary_result {
  sim_adversary who;
  std::optional<std::uint64_t> caught_at_slot;
  std::uint64_t offences = 0;       // recorded against it on the finalized chain
  std::uint64_t banned_by = 0;      // honest nodes that banned it at least once
  std::uint64_t frames_sent = 0;    // lies told or garbage frames sent (filled in by the driver)
  std::uint64_t replicas_dropped = 0;  // replicas it was paid to keep and dropped (filled in by the driver)
  std::uint64_t first_drop_height = 0;  // the finalized height it first dropped one at (0: never; by the driver)
  std::uint64_t challenges_passed = 0;
  std::uint64_t challenges_failed = 0;
  std::uint64_t attestations_made = 0;    // recorded on the finalized chain
  std::uint64_t attestations_missed = 0;  // picked, no report by the deadline
  std::uint64_t attestations_held = 0;    // duties it held back (filled in by the driver)
  std::uint64_t first_held_height = 0;    // the finalized height that showed the first (0: none; by the driver)
  std::uint64_t sealing_lies = 0;      // an encoder's last runs kept back or false roots (by the driver)
  std::uint64_t first_lie_height = 0;  // the finalized height it first lied at (0: never; by the driver)
  std::uint64_t withheld_reports = 0;       // hosters' reports naming it, recorded on the finalized chain
  // A colluding hoster's longest hold of a replica it did not keep (blocks) and its re-sealings (by the driver).
  std::optional<std::uint64_t> longest_unkept_blocks;
  std::uint64_t reseals = 0;
};

class adversary_checker {
 public:
  adversary_checker(const sim_cluster& cluster, const std::vector<sim_adversary>& who,
                    std::set<sim_node_index> excused = {});

  // The events of one block as the chain store keeps them (a JSON array), the
  // first time any node finalized it.
  std::optional<invariant_violation> on_finalized_events(std::uint64_t slot, const nlohmann::json& events);
  // The bans since the last call; `cluster` says who is up at the end of `slot`.
  std::optional<invariant_violation> on_bans(std::uint64_t slot, const std::vector<sim_ban>& bans,
                                             const sim_cluster& cluster);

  const std::vector<adversary_result>& results() const noexcept { return results_; }
  std::uint64_t caught() const;
  std::uint64_t false_accusations() const noexcept { return false_accusations_; }
  // Challenges failed by honest hosters the faults excused.
  std::uint64_t excused_failures() const noexcept { return excused_failures_; }
  // Challenges their hoster passed that an honest attester missed.
  std::uint64_t honest_misses() const noexcept { return honest_misses_; }

 private:
  adversary_result* result_of(sim_node_index node);
  std::optional<invariant_violation> on_challenge(std::uint64_t slot, sim_node_index hoster, bool passed);
  std::optional<invariant_violation> on_missed(std::uint64_t slot, sim_node_index attester, bool challenge_passed);
  std::optional<invariant_violation> on_withheld(std::uint64_t slot, sim_node_index encoder, sim_node_index hoster);
  std::optional<invariant_violation> accuse(sim_node_index node, std::string invariant, std::string detail);

  std::vector<adversary_result> results_;
  std::vector<std::optional<std::size_t>> result_index_;             // by node: its entry in results_
  std::unordered_map<std::string, sim_node_index> node_of_account_;  // by account hex
  std::vector<std::set<sim_node_index>> banned_by_;                 // by result: honest receivers
  std::uint64_t false_accusations_ = 0;
  std::set<sim_node_index> excused_;
  std::uint64_t excused_failures_ = 0;
  std::uint64_t honest_misses_ = 0;
};

}  // namespace datdot

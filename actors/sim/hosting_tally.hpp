// What the service did in a run, from the finalized chain's events: feeds
// and replicas through their states, challenges and the ratio paid by the
// behaviour of the node (honest, or its adversary kind), attestations and
// convictions. The report's hosting section; it checks nothing.
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "actors/sim/sim_scenario.hpp"

namespace datdot {

class sim_cluster;

struct behaviour_tally {
  std::uint64_t nodes = 0;
  std::uint64_t challenges_passed = 0;
  std::uint64_t challenges_failed = 0;
  std::uint64_t paid_units = 0;  // ratio units the feeds paid its nodes
};

struct hosting_summary {
  std::uint64_t feeds_published = 0;
  std::uint64_t feeds_pinned = 0;  // at the end of the run, by their last state
  std::uint64_t feeds_pinning = 0;
  std::uint64_t feeds_failed = 0;
  std::uint64_t replicas_assigned = 0;
  std::uint64_t replicas_activated = 0;
  std::uint64_t replicas_failed = 0;
  std::uint64_t feeds_updated = 0;      // appends the chain recorded
  std::uint64_t replicas_extended = 0;  // replicas sealed on to a longer head
  std::uint64_t challenges_issued = 0;
  std::uint64_t attestations_served = 0;
  std::uint64_t attestations_not_served = 0;
  std::uint64_t attestations_missed = 0;
  std::uint64_t encoders_convicted = 0;
  std::uint64_t hosters_convicted = 0;
  std::uint64_t encoders_timed_out = 0;
  std::uint64_t sealings_withheld = 0;  // hosters' reports: the encoder never pushed the whole replica
  std::map<std::string, behaviour_tally> by_behaviour;  // "honest" or an adversary kind
};

class hosting_tally {
 public:
  hosting_tally(const sim_cluster& cluster, const std::vector<sim_adversary>& who);
  // The events of one block (a JSON array), the first time any node finalized it.
  void on_finalized_events(const nlohmann::json& events);
  hosting_summary summary() const;

 private:
  behaviour_tally* of(const std::string& account_hex);

  hosting_summary counts_;
  std::unordered_map<std::string, std::string> behaviour_;  // by account hex
  std::map<std::string, std::string> feed_state_;            // by feed hex: the last hosting state
};

}  // namespace datdot

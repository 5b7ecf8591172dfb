#include "actors/sim/hosting_tally.hpp"

#include <nlohmann/json.hpp>

#include "actors/sim/sim_cluster.hpp"

namespace datdot {

hosting_tally::hosting_tally(const sim_cluster& cluster, const std::vector<sim_adversary>& who) {
  std::map<sim_node_index, std::string> kind;
  for (const auto& a : who) kind.emplace(a.node, std::string{to_string(a.kind)});
  for (sim_node_index i = 0; i < cluster.size(); ++i) {
    const auto k = kind.find(i);
    const auto& behaviour = k == kind.end() ? std::string{"honest"} : k->second;
    behaviour_.emplace(to_hex(cluster.id_of(i)), behaviour);
    ++counts_.by_behaviour[behaviour].nodes;
  }
}

behaviour_tally* hosting_tally::of(const std::string& account_hex) {
  const auto b = behaviour_.find(account_hex);
  return b == behaviour_.end() ? nullptr : &counts_.by_behaviour[b->second];
}

void hosting_tally::on_finalized_events(const nlohmann::json& events) {
  auto& c = counts_;
  for (const auto& e : events) {
    const auto type = e.value("type", "");
    if (type == "feed_published") {
      ++c.feeds_published;
    } else if (type == "hosting_state_changed") {
      feed_state_[e.value("feed", "")] = e.value("state", "");
    } else if (type == "replica_assigned") {
      ++c.replicas_assigned;
    } else if (type == "replica_activated") {
      ++c.replicas_activated;
    } else if (type == "feed_updated") {
      ++c.feeds_updated;
    } else if (type == "replica_extended") {
      ++c.replicas_extended;
    } else if (type == "replica_failed") {
      ++c.replicas_failed;
    } else if (type == "challenge_issued") {
      ++c.challenges_issued;
    } else if (type == "challenge_resolved") {
      if (auto* t = of(e.value("hoster", ""))) ++(e.value("passed", false) ? t->challenges_passed : t->challenges_failed);
    } else if (type == "attestation_recorded") {
      ++(e.value("served", false) ? c.attestations_served : c.attestations_not_served);
    } else if (type == "attestation_missed") {
      ++c.attestations_missed;
    } else if (type == "hosting_paid") {
      if (auto* t = of(e.value("to", ""))) t->paid_units += e.value("amount_units", std::uint64_t{0});
    } else if (type == "encoder_convicted") {
      ++c.encoders_convicted;
    } else if (type == "hoster_convicted") {
      ++c.hosters_convicted;
    } else if (type == "encoder_timed_out") {
      ++c.encoders_timed_out;
    } else if (type == "sealing_withheld") {
      ++c.sealings_withheld;
    }
  }
}

hosting_summary hosting_tally::summary() const {
  auto out = counts_;
  for (const auto& [feed, state] : feed_state_) {
    if (state == "pinned") ++out.feeds_pinned;
    if (state == "pinning") ++out.feeds_pinning;
    if (state == "failed") ++out.feeds_failed;
  }
  return out;
}

}  // namespace datdot

#include "actors/sim/adversary_checker.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "actors/sim/sim_cluster.hpp"

namespace datdot {
namespace {

bool offence_matches(adversary_kind kind, const std::string& offence) {
  return (kind == adversary_kind::equivocating_validator && offence == "equivocation") ||
         (kind == adversary_kind::double_voting_validator && offence == "double_vote");
}

}  // namespace

adversary_checker::adversary_checker(const sim_cluster& cluster, const std::vector<sim_adversary>& who)
    : result_index_(cluster.size()), banned_by_(who.size()) {
  for (const auto& a : who) {
    result_index_[a.node] = results_.size();
    results_.push_back(adversary_result{a, std::nullopt, 0, 0, 0});
  }
  for (sim_node_index i = 0; i < cluster.size(); ++i) node_of_account_.emplace(to_hex(cluster.id_of(i)), i);
}

adversary_result* adversary_checker::result_of(sim_node_index node) {
  const auto& index = result_index_[node];
  return index ? &results_[*index] : nullptr;
}

std::optional<invariant_violation> adversary_checker::on_finalized_events(std::uint64_t slot, byte_view events_json) {
  const auto events = nlohmann::json::parse(events_json.begin(), events_json.end(), nullptr, false);
  if (!events.is_array()) return std::nullopt;
  for (const auto& e : events) {
    if (e.value("type", "") != "offence_recorded") continue;
    const auto node = node_of_account_.find(e.value("offender", ""));
    if (node == node_of_account_.end()) continue;
    auto* r = result_of(node->second);
    if (!r) {
      ++false_accusations_;
      return invariant_violation{"no_honest_accused", node->second,
                                 "an offence (" + e.value("kind", "") + ") was recorded against an honest node"};
    }
    ++r->offences;
    if (!r->caught_at_slot && offence_matches(r->who.kind, e.value("kind", ""))) r->caught_at_slot = slot;
  }
  return std::nullopt;
}

std::optional<invariant_violation> adversary_checker::on_bans(std::uint64_t slot, const std::vector<sim_ban>& bans,
                                                              const sim_cluster& cluster) {
  for (const auto& b : bans) {
    if (result_of(b.receiver)) continue;  // an adversary's bans accuse no one
    auto* r = result_of(b.sender);
    if (!r) {
      ++false_accusations_;
      return invariant_violation{"no_honest_banned", b.sender,
                                 "banned by honest node " + std::to_string(b.receiver)};
    }
    banned_by_[r - results_.data()].insert(b.receiver);
  }
  for (std::size_t k = 0; k < results_.size(); ++k) {
    auto& r = results_[k];
    r.banned_by = banned_by_[k].size();
    if (r.caught_at_slot || r.who.kind != adversary_kind::garbage_sender) continue;
    bool everyone = r.banned_by > 0;
    for (sim_node_index i = 0; i < cluster.size() && everyone; ++i)
      if (cluster.is_up(i) && !result_of(i) && !banned_by_[k].contains(i)) everyone = false;
    if (everyone) r.caught_at_slot = slot;
  }
  return std::nullopt;
}

std::uint64_t adversary_checker::caught() const {
  return static_cast<std::uint64_t>(
      std::count_if(results_.begin(), results_.end(), [](const auto& r) { return r.caught_at_slot.has_value(); }));
}

}  // namespace datdot

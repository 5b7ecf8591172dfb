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

adversary_checker::adversary_checker(const sim_cluster& cluster, const std::vector<sim_adversary>& who,
                                     std::set<sim_node_index> excused)
    : result_index_(cluster.size()), banned_by_(who.size()), excused_(std::move(excused)) {
  for (const auto& a : who) {
    result_index_[a.node] = results_.size();
    results_.push_back(adversary_result{a});
  }
  for (sim_node_index i = 0; i < cluster.size(); ++i) node_of_account_.emplace(to_hex(cluster.id_of(i)), i);
}

adversary_result* adversary_checker::result_of(sim_node_index node) {
  const auto& index = result_index_[node];
  return index ? &results_[*index] : nullptr;
}

std::optional<invariant_violation> adversary_checker::on_finalized_events(std::uint64_t slot,
                                                                         const nlohmann::json& events) {
  std::set<std::uint64_t> passed;  // challenges this block resolved as passed (before their missed attestations)
  for (const auto& e : events) {
    const auto type = e.value("type", "");
    if (type == "attestation_recorded" || type == "attestation_missed") {
      const auto who = node_of_account_.find(e.value("attester", ""));
      if (who == node_of_account_.end()) continue;
      if (type == "attestation_missed") {
        if (auto bad = on_missed(slot, who->second, passed.contains(e.value("challenge", std::uint64_t{0})))) return bad;
      } else if (auto* r = result_of(who->second)) {
        ++r->attestations_made;
      }
      continue;
    }
    if (type == "sealing_withheld") {
      const auto encoder = node_of_account_.find(e.value("encoder", ""));
      const auto hoster = node_of_account_.find(e.value("hoster", ""));
      if (encoder == node_of_account_.end() || hoster == node_of_account_.end()) continue;
      if (auto bad = on_withheld(slot, encoder->second, hoster->second)) return bad;
      continue;
    }
    if (type == "challenge_resolved" && e.value("passed", false)) passed.insert(e.value("challenge", std::uint64_t{0}));
    if (type == "challenge_resolved" || type == "hoster_convicted" || type == "encoder_convicted") {
      const auto who = node_of_account_.find(e.value(type == "encoder_convicted" ? "encoder" : "hoster", ""));
      if (who == node_of_account_.end()) continue;
      if (type == "challenge_resolved") {
        if (auto bad = on_challenge(slot, who->second, e.value("passed", false))) return bad;
        continue;
      }
      auto* r = result_of(who->second);
      if (!r) return accuse(who->second, "no_honest_convicted", "an honest node was convicted (" + type + ")");
      if (!r->caught_at_slot && r->who.kind == adversary_kind::false_root_encoder) r->caught_at_slot = slot;
      continue;
    }
    if (type != "offence_recorded") continue;
    const auto node = node_of_account_.find(e.value("offender", ""));
    if (node == node_of_account_.end()) continue;
    auto* r = result_of(node->second);
    if (!r)
      return accuse(node->second, "no_honest_accused",
                    "an offence (" + e.value("kind", "") + ") was recorded against an honest node");
    ++r->offences;
    if (!r->caught_at_slot && offence_matches(r->who.kind, e.value("kind", ""))) r->caught_at_slot = slot;
  }
  return std::nullopt;
}

std::optional<invariant_violation> adversary_checker::accuse(sim_node_index node, std::string invariant,
                                                             std::string detail) {
  ++false_accusations_;
  return invariant_violation{std::move(invariant), node, std::move(detail)};
}

std::optional<invariant_violation> adversary_checker::on_challenge(std::uint64_t slot, sim_node_index hoster,
                                                                   bool passed) {
  auto* r = result_of(hoster);
  if (r) {
    ++(passed ? r->challenges_passed : r->challenges_failed);
    if (!passed && !r->caught_at_slot && is_hoster_kind(r->who.kind)) r->caught_at_slot = slot;
    return std::nullopt;
  }
  if (passed) return std::nullopt;
  if (excused_.contains(hoster)) {
    ++excused_failures_;
    return std::nullopt;
  }
  return accuse(hoster, "no_honest_hoster_failed", "an honest hoster, never cut off by a fault, failed a challenge");
}

std::optional<invariant_violation> adversary_checker::on_missed(std::uint64_t slot, sim_node_index attester,
                                                                bool challenge_passed) {
  if (auto* r = result_of(attester)) {
    ++r->attestations_missed;
    if (!r->caught_at_slot && is_attester_kind(r->who.kind)) r->caught_at_slot = slot;
    return std::nullopt;
  }
  // Not an accusation: a miss costs only the pay, and an honest attester
  // misses when its own node's finality lags past the deadline or the hoster
  // never answers.
  if (challenge_passed) ++honest_misses_;
  return std::nullopt;
}

std::optional<invariant_violation> adversary_checker::on_withheld(std::uint64_t slot, sim_node_index encoder,
                                                                  sim_node_index hoster) {
  if (auto* r = result_of(encoder)) {
    ++r->withheld_reports;
    if (!r->caught_at_slot && r->who.kind == adversary_kind::withholding_encoder) r->caught_at_slot = slot;
    return std::nullopt;
  }
  // A hoster adversary may say anything; an honest one says it only when it was left short.
  if (result_of(hoster)) return std::nullopt;
  return accuse(encoder, "no_honest_accused", "an honest hoster reported an honest encoder's sealing withheld");
}

std::optional<invariant_violation> adversary_checker::on_bans(std::uint64_t slot, const std::vector<sim_ban>& bans,
                                                              const sim_cluster& cluster) {
  for (const auto& b : bans) {
    if (result_of(b.receiver)) continue;  // an adversary's bans accuse no one
    auto* r = result_of(b.sender);
    if (!r) return accuse(b.sender, "no_honest_banned", "banned by honest node " + std::to_string(b.receiver));
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

#include "actors/sim/ledger_checker.hpp"

#include <nlohmann/json.hpp>


namespace datdot {

std::uint64_t total_ratio_units(const chain_state& s) {
  std::uint64_t total = 0;
  for (const auto& [who, a] : s.accounts) total += a.balance.units;
  for (const auto& [key, f] : s.feeds) total += f.backing.units;
  return total;
}

ledger_checker::ledger_checker(const chain_state& genesis, const std::vector<account_id>& nodes)
    : total_units_(total_ratio_units(genesis)) {
  for (sim_node_index i = 0; i < nodes.size(); ++i) node_of_account_.emplace(to_hex(nodes[i]), i);
}

sim_node_index ledger_checker::node_of(const std::string& account_hex) const {
  const auto it = node_of_account_.find(account_hex);
  return it == node_of_account_.end() ? 0 : it->second;
}

std::optional<invariant_violation> ledger_checker::check_state(const chain_state& s) {
  ++states_checked_;
  const auto at = " at height " + std::to_string(s.number.value);
  if (const auto total = total_ratio_units(s); total != total_units_)
    return invariant_violation{"ratio_conserved", 0,
                               "balances and backings sum to " + std::to_string(total) + " units" + at +
                                   ", the genesis to " + std::to_string(total_units_)};
  for (const auto& [who, n] : s.nodes)
    if (n.reserved_bytes > n.capacity_bytes)
      return invariant_violation{"capacity_respected", node_of(to_hex(who)),
                                 std::to_string(n.reserved_bytes) + " bytes reserved of " +
                                     std::to_string(n.capacity_bytes) + at};
  std::set<std::pair<feed_key, std::uint32_t>> open;
  for (const auto& [id, c] : s.challenges) open.emplace(c.feed, c.replica);
  const auto late = s.params.challenge_period_slots + s.params.challenge_deadline_blocks;
  for (const auto& [key, f] : s.feeds)
    for (std::uint32_t i = 0; i < f.replicas.size(); ++i) {
      const auto& r = f.replicas[i];
      if (r.state != replica_state::active || open.contains({key, i})) continue;
      if (r.next_challenge_at.value + late < s.number.value)
        return invariant_violation{"replicas_challenged", node_of(to_hex(r.hoster)),
                                   "replica " + std::to_string(i) + " of feed " + to_hex(key.bytes) +
                                       " was due a challenge at height " + std::to_string(r.next_challenge_at.value) +
                                       " and has none" + at};
    }
  return std::nullopt;
}

std::optional<invariant_violation> ledger_checker::check_events(const nlohmann::json& events) {
  // The service this block recorded, by who may be paid for it.
  std::multiset<std::string> earned;
  for (const auto& e : events) {
    const auto type = e.value("type", "");
    const auto challenge = e.value("challenge", std::uint64_t{0});
    if (type == "storage_proved") {
      proved_.insert(challenge);
    } else if (type == "attestation_recorded") {
      attested_[challenge].insert(e.value("attester", ""));
    } else if (type == "replica_activated" || type == "replica_extended") {
      earned.insert(e.value("encoder", ""));
    } else if (type == "challenge_resolved" || type == "challenge_lapsed") {
      if (e.value("passed", false) && proved_.contains(challenge)) earned.insert(e.value("hoster", ""));
      for (const auto& a : attested_[challenge]) earned.insert(a);
      proved_.erase(challenge);
      attested_.erase(challenge);
    }
  }
  for (const auto& e : events) {
    if (e.value("type", "") != "hosting_paid") continue;
    ++payouts_checked_;
    const auto to = e.value("to", "");
    const auto service = earned.find(to);
    if (service == earned.end())
      return invariant_violation{"payout_backed", node_of(to),
                                 std::to_string(e.value("amount_units", std::uint64_t{0})) +
                                     " units paid at height " + std::to_string(e.value("block", std::uint64_t{0})) +
                                     " for no service recorded in that block"};
    earned.erase(service);
  }
  return std::nullopt;
}

}  // namespace datdot

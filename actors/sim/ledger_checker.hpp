// The service's invariants, checked on the finalized chain while a simulation
// runs and apart from the workload:
//   ratio_conserved      account balances plus feed backings always sum to
//                        the genesis total: hosting moves ratio, it never
//                        mints or burns it (and ratio, unsigned, is never
//                        negative);
//   capacity_respected   no hoster has more bytes reserved than it offers;
//   replicas_challenged  no active replica goes unchallenged for longer than
//                        a period and a deadline past the block its next
//                        challenge was due;
//   payout_backed        every payment a feed makes is for service recorded
//                        in the same block: a passed challenge whose storage
//                        proof the chain verified (hoster), an activation or
//                        extension it sealed (encoder), an attestation it
//                        reported on a challenge resolved or lapsed there
//                        (attester).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include <nlohmann/json_fwd.hpp>

#include "actors/sim/finality_checker.hpp"
#include "protocol/chain/chain_state.hpp"

namespace datdot {

class ledger_checker {
 public:
  // `nodes`: each node's account, by index, to name the node a violation is about.
  ledger_checker(const chain_state& genesis, const std::vector<account_id>& nodes);

  // A finalized state (any node's: they agree on the prefix), in height order.
  std::optional<invariant_violation> check_state(const chain_state& s);
  // The events of one block (a JSON array), the first time any node finalized it, in height order.
  std::optional<invariant_violation> check_events(const nlohmann::json& events);

  std::uint64_t states_checked() const noexcept { return states_checked_; }
  std::uint64_t payouts_checked() const noexcept { return payouts_checked_; }

 private:
  sim_node_index node_of(const std::string& account_hex) const;

  std::uint64_t total_units_ = 0;
  std::uint64_t states_checked_ = 0;
  std::uint64_t payouts_checked_ = 0;
  std::unordered_map<std::string, sim_node_index> node_of_account_;
  std::set<std::uint64_t> proved_;                                // challenges with a verified proof
  std::map<std::uint64_t, std::set<std::string>> attested_;      // challenge -> attesters that reported
};

// The sum of every balance and backing: what ratio_conserved keeps constant.
std::uint64_t total_ratio_units(const chain_state& s);

}  // namespace datdot

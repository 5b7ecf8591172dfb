// The replicas of one chain state by hoster. Each hoster asks which replicas
// it receives of every finalized state; each asking scanned every feed's
// replicas, and a simulation's thousand hosters ask of one shared state: with
// 1,000 feeds the scans were about 8% of a 10,000-node hosting simulation's
// profile.
// replicas_by_hoster_of makes the index once per state object for everyone.
#pragma once

#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "protocol/chain/chain_state.hpp"

namespace datdot {

// A replica: its feed's entry in the state (which outlives the index) and its number.
using replica_ref = std::pair<const std::pair<const feed_key, feed_record>*, std::uint32_t>;

class replicas_by_hoster {
 public:
  explicit replicas_by_hoster(const chain_state& s);
  // In the state's order: by feed key, then by replica number.
  const std::vector<replica_ref>& of(const account_id& hoster) const;

 private:
  std::map<account_id, std::vector<replica_ref>> by_hoster_;
};

// The index of `s`, made at the first asking and kept while `s` is among the
// few states asked of last. Safe to call from several threads.
std::shared_ptr<const replicas_by_hoster> replicas_by_hoster_of(const std::shared_ptr<const chain_state>& s);

}  // namespace datdot

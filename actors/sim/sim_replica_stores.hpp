// The replica stores of the simulated hosters that are up, by account: how
// the adversarial hosters of a run (hoster_adversaries.hpp) reach the copies
// others keep. The cluster adds a hoster's store when the node starts and
// takes it out when the node crashes, so nothing reads a closed store.
#pragma once

#include <map>

#include "protocol/chain/chain_ids.hpp"
#include "storage/replica_store.hpp"

namespace datdot {

class sim_replica_stores {
 public:
  void add(const account_id& hoster, const storage::replica_store* store) { stores_[hoster] = store; }
  void remove(const account_id& hoster) { stores_.erase(hoster); }
  const storage::replica_store* find(const account_id& hoster) const {
    const auto it = stores_.find(hoster);
    return it == stores_.end() ? nullptr : it->second;
  }

 private:
  std::map<account_id, const storage::replica_store*> stores_;
};

}  // namespace datdot

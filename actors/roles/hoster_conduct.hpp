// How a hoster keeps and reads its replicas. A real node is always honest;
// `datdot sim` gives its adversarial hosters other conducts
// (actors/sim/hoster_adversaries.hpp), so the attacks the spec names run the
// real hoster actor and meet the real chain checks.
#pragma once

#include "protocol/chain/chain_state.hpp"
#include "storage/replica_store.hpp"

namespace datdot {

class hoster_conduct {
 public:
  virtual ~hoster_conduct() = default;
  // After each finalized block, once the hoster has answered its challenges.
  virtual void after_final(const storage::replica_store& /*own*/, const chain_state& /*s*/, const account_id& /*me*/) {}
  // Where a challenged or requested block of replica `id` is read from.
  virtual result<storage::replica> replica_to_read(const storage::replica_store& own, const chain_state& /*s*/,
                                                   const account_id& /*me*/, const storage::replica_id& id) {
    return storage::replica::open(own, id);
  }
};

}  // namespace datdot

// The attester role: when the chain picks this node to attest a storage
// challenge, it fetches the challenged block from the hoster the way any
// reader would, checks it against the feed's recorded tree, measures time to
// the answer and throughput, and reports on chain. Not yet: a throwaway bus
// identity per fetch (today the hoster sees the attester's node key).
#pragma once

#include "actors/roles/role_context.hpp"

namespace datdot {

using attester_actor = chain_watcher;

attester_actor spawn_attester(caf::actor_system& sys, role_context ctx);

}  // namespace datdot

// The hoster role: keeps the replicas the chain assigns to this node. It
// accepts a replica only from its assigned encoder, unseals and checks every
// sealed block against the signed feed before storing it (storage/
// replica_store.hpp), commits to the replica tree once it is whole, answers
// each storage challenge with a proof the chain verifies, serves original
// blocks to any reader, and drops replicas the chain no longer gives it.
#pragma once

#include "actors/roles/hoster_conduct.hpp"
#include "actors/roles/role_context.hpp"
#include "storage/lmdb_env.hpp"

#include <prometheus/gauge.h>

namespace datdot {

using hoster_actor = data_handler::extend<caf::reacts_to<chain_final_atom, finalized_view>>;

// `env` must outlive the actor (the node's LMDB environment); so must
// `stored_bytes` (datdot_role_stored_bytes), set after every finalized block
// when given. Without a conduct the hoster is honest (hoster_conduct.hpp).
result<hoster_actor> spawn_hoster(caf::actor_system& sys, role_context ctx, storage::environment& env,
                                  prometheus::Gauge* stored_bytes = nullptr,
                                  std::shared_ptr<hoster_conduct> conduct = nullptr);

}  // namespace datdot

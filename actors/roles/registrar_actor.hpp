// Keeps this node's registration on chain what its command line says: roles,
// capacity, bus address and (for an encoder) the public sealing key. On each
// finalized block it compares, and submits register_node when they differ
// and no registration of its own is still on the way.
#pragma once

#include "actors/roles/role_context.hpp"

namespace datdot {

chain_watcher spawn_registrar(caf::actor_system& sys, role_context ctx, register_node wanted);

}  // namespace datdot

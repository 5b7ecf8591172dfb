// The roles' client API on the node's loopback HTTP server (beside /chain):
//   POST /roles/publish   body {"file": ABSOLUTE_PATH, "replicas": N}: the
//                         publisher makes a feed of the file and asks the
//                         chain to host it; answers its key, length and size.
// Progress is then read from the chain (/chain/feeds, /chain/events).
#pragma once

#include "actors/metrics/metrics_server.hpp"
#include "actors/roles/publisher_actor.hpp"

namespace datdot {

inline constexpr const char* roles_http_prefix = "/roles";

http_route roles_http_route(caf::actor_system& sys, publisher_actor publisher);

}  // namespace datdot

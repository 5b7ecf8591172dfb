// The roles' client API on the node's loopback HTTP server (beside /chain):
//   POST /roles/publish   body {"file": ABSOLUTE_PATH, "replicas": N}: the
//                         publisher makes a feed of the file and asks the
//                         chain to host it; answers its key, length and size.
//   POST /roles/append    body {"key": FEED_KEY, "file": ABSOLUTE_PATH}: the
//                         publisher appends the file's bytes to a feed it
//                         published and submits update_feed; answers the
//                         feed's new length and size.
//   POST /roles/fetch     body {"key": FEED_KEY, "out": ABSOLUTE_PATH}: the
//                         reader downloads the feed from its hosters into the
//                         file, checking every block; answers blocks, bytes,
//                         hosters and seconds.
// Progress is then read from the chain (/chain/feeds, /chain/events).
#pragma once

#include "actors/metrics/metrics_server.hpp"
#include "actors/roles/publisher_actor.hpp"
#include "actors/roles/reader_actor.hpp"

namespace datdot {

inline constexpr const char* roles_http_prefix = "/roles";

// The publisher's route answers only on a node that publishes.
http_route roles_http_route(caf::actor_system& sys, std::optional<publisher_actor> publisher, reader_actor reader);

}  // namespace datdot

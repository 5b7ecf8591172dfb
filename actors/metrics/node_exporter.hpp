// The node itself (datdot_node_*): who it is, since when, and what its peer
// actor sees — peers known, pongs, failed pings, the slowest last round trip.
// Read from the peer actor when /metrics is scraped.
#pragma once

#include "actors/metrics/metrics_registry.hpp"
#include "actors/node_actor.hpp"

namespace datdot {

struct node_identity {
  node_id id;
  role_set roles;
  std::string version;
};

// `sys` and `node` must outlive the scrapes (stop the metrics server first).
void export_node_metrics(metrics_registry& registry, caf::actor_system& sys, node_actor node, node_identity who);

}  // namespace datdot

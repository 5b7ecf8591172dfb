// The bus as operators see it (datdot_bus_*): the bus actor's own counters
// (actors/bus_metrics.hpp), read when /metrics is scraped, with traffic grouped
// by peer class (the roles a peer announced), plus the bus readiness check.
#pragma once

#include "actors/metrics/health.hpp"
#include "actors/metrics/metrics_registry.hpp"
#include "actors/node_actor.hpp"

namespace datdot {

// `sys` and both actors must outlive the scrapes (stop the metrics server first).
void export_bus_metrics(metrics_registry& registry, caf::actor_system& sys, bus_actor bus, node_actor node);

// Ready when the bus actor answers within the scrape budget.
check_result check_bus(caf::actor_system& sys, const bus_actor& bus);

}  // namespace datdot

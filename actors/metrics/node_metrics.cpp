#include "actors/metrics/node_metrics.hpp"

#include "actors/metrics/bus_exporter.hpp"

namespace datdot {

node_metrics::node_metrics() = default;

const actor_probe* node_metrics::probe(const std::string& actor_type) {
  auto i = probes_.find(actor_type);
  if (i == probes_.end()) i = probes_.emplace(actor_type, actors_.probe(actor_type)).first;
  return &i->second;
}

result<std::string> node_metrics::serve(const std::string& listen, caf::actor_system& sys, bus_actor bus,
                                        node_actor node, node_identity who) {
  export_bus_metrics(registry_, sys, bus, node);
  export_node_metrics(registry_, sys, node, std::move(who));
  // Ready = the bus is up (and, with a chain, it is synced: see add_check).
  health_.add("bus", [&sys, bus] { return check_bus(sys, bus); });
  auto server = metrics_server::start(listen, registry_, health_);
  if (!server) return server.err();
  server_ = std::move(*server);
  return server_->address();
}

void node_metrics::stop() { server_.reset(); }

}  // namespace datdot

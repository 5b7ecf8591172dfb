// Everything a node process exports to operators, assembled once: the
// registry with every subsystem's families (actors, bus, node, chain, roles),
// the actor probes handed to the actors when they are spawned, the readiness
// checks, and the HTTP endpoint. `datdot node` makes one before starting its
// actors and serves it once they run.
#pragma once

#include <map>
#include <memory>
#include <optional>

#include "actors/chain/chain_metrics.hpp"
#include "actors/metrics/actor_metrics.hpp"
#include "actors/metrics/metrics_server.hpp"
#include "actors/metrics/node_exporter.hpp"
#include "actors/roles/role_metrics.hpp"

namespace datdot {

class node_metrics {
 public:
  node_metrics();
  node_metrics(const node_metrics&) = delete;
  node_metrics& operator=(const node_metrics&) = delete;

  // Handed to the actors of this type when they are spawned; made on first
  // use, so an actor type nobody instruments exports no samples rather than zeros.
  const actor_probe* probe(const std::string& actor_type);
  const metrics_registry& registry() const { return registry_; }
  // Where the chain and role actors attach their series when they start.
  chain_metrics& chain() { return chain_; }
  role_metrics& roles() { return roles_; }

  // Exports the running actors and serves /metrics and /health on `listen`
  // (HOST:PORT, port 0 picks one); returns the bound HOST:PORT. The actor
  // system and the actors must outlive stop().
  result<std::string> serve(const std::string& listen, caf::actor_system& sys, bus_actor bus, node_actor node,
                            node_identity who);
  // Another subsystem's readiness check (the chain's "synced"); any time.
  void add_check(std::string name, std::function<check_result()> check) { health_.add(std::move(name), std::move(check)); }
  // Another subsystem's endpoint on the same server; after serve().
  void add_route(const std::string& prefix, http_route route) { server_->add_route(prefix, std::move(route)); }
  // Stops the HTTP endpoint: call before the actors stop.
  void stop();

 private:
  metrics_registry registry_;
  actor_metrics actors_{registry_};
  chain_metrics chain_{registry_};
  role_metrics roles_{registry_};
  std::map<std::string, actor_probe> probes_;  // map: stable addresses
  health_checks health_;
  std::unique_ptr<metrics_server> server_;
};

}  // namespace datdot

#include "actors/metrics/node_exporter.hpp"

#include <algorithm>

#include "actors/metrics/scrape_ask.hpp"

namespace datdot {
namespace {

using prometheus::MetricType;

const family_declaration peers{"datdot_node_peers", "Peers the node knows (learned by hello or welcome)",
                               MetricType::Gauge};
const family_declaration pongs{"datdot_node_pongs_total", "Liveness pings answered by a peer", MetricType::Counter};
const family_declaration ping_failures{"datdot_node_ping_failures_total", "Liveness pings that got no answer in time",
                                       MetricType::Counter};
const family_declaration probes{"datdot_node_probes_received_total", "One-way throughput probes received",
                                MetricType::Counter};
const family_declaration rtt_max{"datdot_node_ping_rtt_max_seconds",
                                 "Slowest of the last ping round trips to each peer", MetricType::Gauge};

std::vector<prometheus::MetricFamily> collect(caf::actor_system& sys, const node_actor& node) {
  auto s = scrape_ask<node_status>(sys, node, node_status_atom_v);
  if (!s) return {};
  auto single = [](const family_declaration& d, double v) {
    auto f = make_family(d);
    add_sample(f, {}, v);
    return f;
  };
  std::vector<prometheus::MetricFamily> out{
      single(peers, static_cast<double>(s->peers.size())), single(pongs, static_cast<double>(s->pongs)),
      single(ping_failures, static_cast<double>(s->ping_failures)),
      single(probes, static_cast<double>(s->probes_received))};
  std::optional<caf::timespan> slowest;
  for (const auto& p : s->peers)
    if (p.last_rtt) slowest = std::max(slowest.value_or(caf::timespan{0}), *p.last_rtt);
  if (slowest) out.push_back(single(rtt_max, std::chrono::duration<double>(*slowest).count()));
  return out;
}

}  // namespace

void export_node_metrics(metrics_registry& registry, caf::actor_system& sys, node_actor node, node_identity who) {
  auto& info = registry.gauge("datdot_node_info", "Always 1; labels name the node, its roles and version");
  info.Add({{"node_id", to_hex(who.id)}, {"roles", who.roles.empty() ? "none" : format_roles(who.roles)},
            {"version", who.version}})
      .Set(1);
  auto& start = registry.gauge("datdot_node_start_time_seconds", "When the node process started (Unix time)");
  start.Add({}).Set(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  registry.add_collector({peers, pongs, ping_failures, probes, rtt_max}, [&sys, node] { return collect(sys, node); });
}

}  // namespace datdot

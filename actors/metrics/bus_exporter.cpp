#include "actors/metrics/bus_exporter.hpp"

#include <map>
#include <optional>

#include "actors/metrics/scrape_ask.hpp"

namespace datdot {
namespace {

using prometheus::MetricType;

const family_declaration frames_received{"datdot_bus_frames_received_total",
                                         "Valid frames received, by the sending peer's class", MetricType::Counter};
const family_declaration frames_sent{"datdot_bus_frames_sent_total", "Frames queued for sending, by peer class",
                                     MetricType::Counter};
const family_declaration received_bytes{"datdot_bus_received_bytes_total", "Bytes of valid frames received, by peer class",
                                        MetricType::Counter};
const family_declaration sent_bytes{"datdot_bus_sent_bytes_total", "Bytes of frames queued for sending, by peer class",
                                    MetricType::Counter};
const family_declaration rejected{"datdot_bus_frames_rejected_total",
                                  "Inbound frames refused by the validating inbox, by reason", MetricType::Counter};
const family_declaration dropped{"datdot_bus_frames_dropped_total", "Frames dropped before delivery, by cause",
                                 MetricType::Counter};
const family_declaration bans{"datdot_bus_bans_total", "Peers banned for sending garbage", MetricType::Counter};
const family_declaration refused_handshakes{"datdot_bus_refused_handshakes_total",
                                            "Connections refused by CURVE/ZAP (bad key or banned)", MetricType::Counter};
const family_declaration request_timeouts{"datdot_bus_request_timeouts_total",
                                          "Outbound requests that got no answer in time", MetricType::Counter};
const family_declaration unmatched_responses{"datdot_bus_unmatched_responses_total",
                                             "Responses that were late, duplicated or never asked for",
                                             MetricType::Counter};
const family_declaration connects{"datdot_bus_connects_total", "Outbound connections established (first and re-)",
                                  MetricType::Counter};
const family_declaration disconnects{"datdot_bus_disconnects_total", "Established outbound connections lost",
                                     MetricType::Counter};
const family_declaration reconnect_attempts{"datdot_bus_reconnect_attempts_total",
                                            "Connection attempts that failed and were rescheduled with backoff",
                                            MetricType::Counter};
const family_declaration relays{"datdot_bus_relays_total", "Other nodes' gossip messages relayed", MetricType::Counter};
const family_declaration relay_frames{"datdot_bus_relay_frames_total",
                                      "Frames sent relaying other nodes' gossip (at most 8 peers per message)",
                                      MetricType::Counter};
const family_declaration relay_skipped{"datdot_bus_relay_skipped_total",
                                       "Peers a relay left out because of the fan-out limit", MetricType::Counter};
const family_declaration gossip_copies_dropped{"datdot_bus_gossip_copies_dropped_total",
                                               "Copies of a block or commit this node had already passed on, dropped on arrival",
                                               MetricType::Counter};
const family_declaration peers_tracked{"datdot_bus_peers", "Peers with traffic counters, by peer class",
                                       MetricType::Gauge};

std::vector<prometheus::MetricFamily> collect(caf::actor_system& sys, const bus_actor& bus, const node_actor& node) {
  auto m = scrape_ask<bus_metrics>(sys, bus, bus_metrics_atom_v);
  if (!m) return {};
  // A peer's class is the roles it announced; peers the node has not met yet are "unknown".
  std::map<node_id, std::string> classes;
  if (auto status = scrape_ask<node_status>(sys, node, node_status_atom_v))
    for (const auto& p : status->peers)
      classes[p.info.id] = p.info.roles.empty() ? "none" : format_roles(p.info.roles);
  std::map<std::string, peer_traffic> by_class;
  std::map<std::string, double> peers_by_class;
  for (const auto& [id, t] : m->peers) {
    auto c = classes.contains(id) ? classes[id] : "unknown";
    auto& sum = by_class[c];
    sum.frames_in += t.frames_in;
    sum.frames_out += t.frames_out;
    sum.bytes_in += t.bytes_in;
    sum.bytes_out += t.bytes_out;
    ++peers_by_class[c];
  }
  auto fr = make_family(frames_received), fs = make_family(frames_sent), rb = make_family(received_bytes),
       sb = make_family(sent_bytes), pc = make_family(peers_tracked);
  for (const auto& [c, t] : by_class) {
    add_sample(fr, {{"peer_class", c}}, static_cast<double>(t.frames_in));
    add_sample(fs, {{"peer_class", c}}, static_cast<double>(t.frames_out));
    add_sample(rb, {{"peer_class", c}}, static_cast<double>(t.bytes_in));
    add_sample(sb, {{"peer_class", c}}, static_cast<double>(t.bytes_out));
    add_sample(pc, {{"peer_class", c}}, peers_by_class[c]);
  }
  auto rj = make_family(rejected);
  for (std::size_t i = 0; i < reject_reason_count; ++i)
    add_sample(rj, {{"reason", std::string{to_string(static_cast<reject_reason>(i))}}},
               static_cast<double>(m->rejected_total[i]));
  auto dr = make_family(dropped);
  const std::pair<const char*, std::uint64_t> causes[] = {
      {"queue_full", m->dropped_queue_full_total},     {"no_route", m->dropped_no_route_total},
      {"banned", m->dropped_banned_total},             {"handler_busy", m->dropped_handler_busy_total},
      {"pending_full", m->dropped_pending_full_total}, {"high_water_mark", m->transport.dropped_hwm},
      {"oversized", m->transport.oversized_dropped}};
  for (const auto& [cause, n] : causes) add_sample(dr, {{"cause", cause}}, static_cast<double>(n));
  auto single = [](const family_declaration& d, std::uint64_t v) {
    auto f = make_family(d);
    add_sample(f, {}, static_cast<double>(v));
    return f;
  };
  return {fr, fs, rb, sb, pc, rj, dr, single(bans, m->bans_total),
          single(refused_handshakes, m->transport.refused_handshakes),
          single(request_timeouts, m->request_timeouts_total),
          single(unmatched_responses, m->unmatched_responses_total), single(connects, m->transport.connects),
          single(disconnects, m->transport.disconnects),
          single(reconnect_attempts, m->transport.reconnect_attempts), single(relays, m->relays_total),
          single(relay_frames, m->relay_frames_total), single(relay_skipped, m->relay_skipped_total),
          single(gossip_copies_dropped, m->gossip_copies_dropped_total)};
}

}  // namespace

void export_bus_metrics(metrics_registry& registry, caf::actor_system& sys, bus_actor bus, node_actor node) {
  registry.add_collector({frames_received, frames_sent, received_bytes, sent_bytes, rejected, dropped, bans,
                          refused_handshakes, request_timeouts, unmatched_responses, connects, disconnects,
                          reconnect_attempts, peers_tracked},
                         [&sys, bus, node] { return collect(sys, bus, node); });
}

check_result check_bus(caf::actor_system& sys, const bus_actor& bus) {
  auto m = scrape_ask<bus_metrics>(sys, bus, bus_metrics_atom_v);
  if (!m) return {false, "bus actor did not answer within " + std::to_string(scrape_ask_timeout.count()) + " ms"};
  return {true, "up, " + std::to_string(m->peers.size()) + " peers with traffic"};
}

}  // namespace datdot

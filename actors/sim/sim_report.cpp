#include "actors/sim/sim_report.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace datdot {
namespace {

// The encoder adversaries that lie about a sealing (a colluding encoder seals honestly).
bool lies_as_encoder(adversary_kind k) {
  return k == adversary_kind::withholding_encoder || k == adversary_kind::false_root_encoder;
}

double events_per_second(const sim_report& r) {
  return r.wall_seconds > 0 ? static_cast<double>(r.events) / r.wall_seconds : 0.0;
}

std::string fixed(double x, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, x);
  return buffer;
}

nlohmann::json adversaries_json(const sim_report& r) {
  auto out = nlohmann::json::array();
  for (const auto& a : r.adversaries) {
    nlohmann::json x{{"kind", to_string(a.who.kind)},
                     {"node", a.who.node},
                     {"caught", a.caught_at_slot.has_value()},
                     {"offences", a.offences},
                     {"banned_by", a.banned_by},
                     {"frames_sent", a.frames_sent}};
    x["caught_at_slot"] = a.caught_at_slot ? nlohmann::json(*a.caught_at_slot) : nlohmann::json(nullptr);
    if (is_hoster_kind(a.who.kind)) {
      x["replicas_dropped"] = a.replicas_dropped;
      x["first_drop_height"] = a.first_drop_height ? nlohmann::json(a.first_drop_height) : nlohmann::json(nullptr);
      x["challenges_passed"] = a.challenges_passed;
      x["challenges_failed"] = a.challenges_failed;
      if (a.longest_unkept_blocks) {
        x["longest_unkept_blocks"] = *a.longest_unkept_blocks;
        x["reseals"] = a.reseals;
      }
    }
    if (lies_as_encoder(a.who.kind)) {
      x[a.who.kind == adversary_kind::withholding_encoder ? "runs_withheld" : "false_roots"] = a.sealing_lies;
      x["first_lie_height"] = a.first_lie_height ? nlohmann::json(a.first_lie_height) : nlohmann::json(nullptr);
      x["withheld_reports"] = a.withheld_reports;
    }
    if (is_attester_kind(a.who.kind)) {
      x["attestations_held"] = a.attestations_held;
      x["attestations_made"] = a.attestations_made;
      x["attestations_missed"] = a.attestations_missed;
    }
    out.push_back(std::move(x));
  }
  return out;
}

std::string adversary_line(const adversary_result& a) {
  auto line = "adversary  node " + std::to_string(a.who.node) + " " + std::string{to_string(a.who.kind)} + ": ";
  const bool never_cheated = !a.caught_at_slot && ((is_hoster_kind(a.who.kind) && a.replicas_dropped == 0) ||
                                                   (is_attester_kind(a.who.kind) && a.attestations_held == 0) ||
                                                   (lies_as_encoder(a.who.kind) && a.sealing_lies == 0));
  line += a.caught_at_slot ? "caught at slot " + std::to_string(*a.caught_at_slot)
          : never_cheated  ? std::string{"never cheated"}
                           : std::string{"NOT caught"};
  if (is_hoster_kind(a.who.kind))
    return line + " (" + std::to_string(a.replicas_dropped) + " replicas dropped" +
           (a.first_drop_height ? ", the first at height " + std::to_string(a.first_drop_height) : std::string{}) +
           ", challenges " + std::to_string(a.challenges_passed) + " passed, " +
           std::to_string(a.challenges_failed) + " failed" +
           (a.longest_unkept_blocks ? ", re-sealed " + std::to_string(a.reseals) +
                                          " on demand, held one it did not keep for at most " +
                                          std::to_string(*a.longest_unkept_blocks) + " blocks"
                                    : std::string{}) +
           ")\n";
  if (lies_as_encoder(a.who.kind))
    return line + " (" + std::to_string(a.sealing_lies) +
           (a.who.kind == adversary_kind::withholding_encoder ? " last runs withheld" : " false roots submitted") +
           (a.first_lie_height ? ", the first at height " + std::to_string(a.first_lie_height) : std::string{}) +
           (a.who.kind == adversary_kind::withholding_encoder
                ? ", named by " + std::to_string(a.withheld_reports) + " hosters' reports"
                : std::string{}) +
           ")\n";
  if (is_encoder_kind(a.who.kind))
    return line + " (seals honestly; its sealing key lets the colluding hosters re-seal on demand, which no proof "
                  "tells apart)\n";
  if (is_attester_kind(a.who.kind))
    return line + " (" + std::to_string(a.attestations_held) + " duties held back, attestations " +
           std::to_string(a.attestations_made) + " made, " + std::to_string(a.attestations_missed) + " missed)\n";
  return line + " (" + std::to_string(a.offences) + " offences recorded, banned by " + std::to_string(a.banned_by) +
         " honest nodes, " + std::to_string(a.frames_sent) + " bad frames sent)\n";
}

bool runs_hosting(const sim_report& r) { return r.scenario.hosting.role_nodes() > 0; }

nlohmann::json hosting_json(const sim_report& r) {
  const auto& h = r.hosting;
  nlohmann::json by = nlohmann::json::object();
  for (const auto& [behaviour, t] : h.by_behaviour)
    by[behaviour] = {{"nodes", t.nodes},
                     {"challenges_passed", t.challenges_passed},
                     {"challenges_failed", t.challenges_failed},
                     {"paid_units", t.paid_units}};
  return {{"feeds_requested", r.feeds_requested},   {"publish_failures", r.publish_failures},
          {"appends_requested", r.appends_requested}, {"append_failures", r.append_failures},
          {"feeds_updated", h.feeds_updated},       {"replicas_extended", h.replicas_extended},
          {"feeds_published", h.feeds_published},   {"feeds_pinned", h.feeds_pinned},
          {"feeds_pinning", h.feeds_pinning},       {"feeds_failed", h.feeds_failed},
          {"replicas_assigned", h.replicas_assigned}, {"replicas_activated", h.replicas_activated},
          {"replicas_failed", h.replicas_failed},   {"challenges_issued", h.challenges_issued},
          {"attestations_served", h.attestations_served},
          {"attestations_not_served", h.attestations_not_served},
          {"attestations_missed", h.attestations_missed},
          {"attestations_missed_honest", r.honest_attester_misses},
          {"encoders_convicted", h.encoders_convicted}, {"hosters_convicted", h.hosters_convicted},
          {"encoders_timed_out", h.encoders_timed_out}, {"sealings_withheld", h.sealings_withheld},
          {"excused_failures", r.excused_failures}, {"disk_sealed_bytes", r.disk_sealed_bytes},
          {"disk_model_bytes", r.disk_model_bytes}, {"by_behaviour", by}};
}

std::string hosting_text(const sim_report& r) {
  const auto& h = r.hosting;
  const auto n = [](std::uint64_t x) { return std::to_string(x); };
  std::string out;
  out += "feeds      " + n(r.feeds_requested) + " requested (" + n(r.publish_failures) + " refused), " +
         n(h.feeds_published) + " published: " + n(h.feeds_pinned) + " pinned, " + n(h.feeds_pinning) +
         " pinning, " + n(h.feeds_failed) + " failed\n";
  if (r.appends_requested > 0)
    out += "appends    " + n(r.appends_requested) + " requested (" + n(r.append_failures) + " refused), " +
           n(h.feeds_updated) + " recorded on chain; " + n(h.replicas_extended) + " replicas extended\n";
  out += "replicas   " + n(h.replicas_assigned) + " assigned, " + n(h.replicas_activated) + " activated, " +
         n(h.replicas_failed) + " failed; convicted: " + n(h.encoders_convicted) + " encoders, " +
         n(h.hosters_convicted) + " hosters; " + n(h.encoders_timed_out) + " encoders timed out; " +
         n(h.sealings_withheld) + " sealings reported withheld\n";
  out += "challenges " + n(h.challenges_issued) + " issued; attestations " + n(h.attestations_served) + " served, " +
         n(h.attestations_not_served) + " not served, " + n(h.attestations_missed) + " missed (" +
         n(r.honest_attester_misses) + " by honest attesters of passed challenges)\n";
  out += "disk       " + n(r.disk_sealed_bytes) + " bytes sealed in the hosters' stores for " + n(r.disk_model_bytes) +
         " bytes of live replicas" +
         (r.disk_model_bytes > 0
              ? " (" + fixed(100.0 * static_cast<double>(r.disk_sealed_bytes) / static_cast<double>(r.disk_model_bytes), 1) +
                    "%)"
              : std::string{}) +
         "\n";
  for (const auto& [behaviour, t] : h.by_behaviour) {
    if (t.challenges_passed + t.challenges_failed + t.paid_units == 0) continue;
    out += "  " + behaviour + " (" + n(t.nodes) + " nodes): challenges " + n(t.challenges_passed) + " passed, " +
           n(t.challenges_failed) + " failed; paid " + n(t.paid_units) + " ratio units\n";
  }
  return out;
}

}  // namespace

sim_scenario failure_scenario(const sim_report& r) {
  auto s = r.scenario;
  if (!r.violation) return s;
  const auto& v = *r.violation;
  const auto why = "Kept because invariant " + v.invariant + " was violated at slot " +
                   std::to_string(r.violation_slot) + " on node " + std::to_string(v.node) + ": " + v.detail + ".";
  s.description = s.description.empty() ? why : s.description + " " + why;
  return s;
}

std::string report_json(const sim_report& r, const std::string& replay) {
  const auto& n = r.network;
  nlohmann::json j{{"scenario", nlohmann::json::parse(scenario_json(r.scenario))},
                   {"seed", r.scenario.seed},
                   {"slots", r.slots_run},
                   {"blocks_finalized", r.finalized_height},
                   {"finalized_height_min", r.finalized_height_min},
                   {"finality_lag_slots_p50", r.finality_lag_slots_p50},
                   {"finality_lag_slots_p99", r.finality_lag_slots_p99},
                   {"finality_lag_slots_max", r.finality_lag_slots_max},
                   {"frames_delivered", n.delivered},
                   {"bytes_delivered", n.bytes_delivered},
                   {"frames_lost", n.lost},
                   {"frames_duplicated", n.duplicated},
                   {"frames_partitioned", n.partitioned},
                   {"frames_to_crashed", n.to_crashed},
                   {"crashes", r.crashes},
                   {"restarts", r.restarts},
                   {"joins", r.joins},
                   {"leaves", r.leaves},
                   {"events", r.events},
                   {"signatures_verified", r.signatures_verified},
                   {"signatures_memoized", r.signatures_memoized},
                   {"blocks_applied", r.blocks_applied},
                   {"blocks_memoized", r.blocks_memoized},
                   {"blocks_built", r.blocks_built},
                   {"wall_seconds", r.wall_seconds},
                   {"threads", r.threads},
                   {"events_per_second", events_per_second(r)},
                   {"peak_rss_anon_bytes", r.peak_rss_anon_bytes},
                   {"peak_rss_file_bytes", r.peak_rss_file_bytes},
                   {"trace_hash", to_hex(r.trace_hash)},
                   {"state_root", to_hex(r.state_root)},
                   {"state_root_height", r.state_root_height},
                   {"adversaries", adversaries_json(r)},
                   {"adversaries_caught", r.adversaries_caught},
                   {"false_accusations", r.false_accusations},
                   {"invariants_ok", !r.violation},
                   {"ledger_states_checked", r.ledger_states_checked},
                   {"ledger_payouts_checked", r.ledger_payouts_checked},
                   {"hosting", runs_hosting(r) ? hosting_json(r) : nlohmann::json(nullptr)},
                   {"replay", replay}};
  j["warnings"] = nlohmann::json::array();
  if (const auto w = challenge_load_warning(r.scenario)) j["warnings"].push_back(*w);
  if (r.violation)
    j["violation"] = {{"invariant", r.violation->invariant},
                      {"node", r.violation->node},
                      {"slot", r.violation_slot},
                      {"detail", r.violation->detail}};
  return j.dump();
}

std::string report_text(const sim_report& r, const std::string& replay) {
  const auto& s = r.scenario;
  const auto& n = r.network;
  std::string out;
  out += "scenario   " + s.name + ": " + std::to_string(s.validators) + " validators, " +
         std::to_string(s.followers) + " followers, seed " + std::to_string(s.seed) + "\n";
  out += "slots      " + std::to_string(r.slots_run) + " of " + std::to_string(s.slots) + " (" +
         std::to_string(s.slot_ms) + " ms each, virtual)\n";
  out += "finalized  " + std::to_string(r.finalized_height) + " blocks (lowest node: " +
         std::to_string(r.finalized_height_min) + ")\n";
  out += "finality   lag p50 " + std::to_string(r.finality_lag_slots_p50) + " slots, p99 " +
         std::to_string(r.finality_lag_slots_p99) + ", max " + std::to_string(r.finality_lag_slots_max) + "\n";
  out += "frames     " + std::to_string(n.delivered) + " delivered (" + std::to_string(n.bytes_delivered) + " bytes), " + std::to_string(n.lost) + " lost, " +
         std::to_string(n.duplicated) + " duplicated, " + std::to_string(n.partitioned) + " cut by partitions, " +
         std::to_string(n.to_crashed) + " to crashed nodes\n";
  out += "faults     " + std::to_string(s.partitions.size()) + " partitions, " + std::to_string(r.crashes) +
         " crashes, " + std::to_string(r.restarts) + " restarts, " + std::to_string(r.joins) + " joins, " +
         std::to_string(r.leaves) + " leaves\n";
  out += "run        " + fixed(r.wall_seconds, 2) + " s wall on " + std::to_string(r.threads) +
         (r.threads == 1 ? " thread, " : " threads, ") + std::to_string(r.events) + " events (" +
         fixed(events_per_second(r), 0) + "/s), " + std::to_string(r.signatures_verified) +
         " signatures verified (" + std::to_string(r.signatures_memoized) + " more answered by the memo), " +
         std::to_string(r.blocks_built) + " blocks built by their leaders, " + std::to_string(r.blocks_applied) +
         " block imports applied (" + std::to_string(r.blocks_memoized) + " more answered by the memo)\n";
  if (r.peak_rss_anon_bytes + r.peak_rss_file_bytes > 0)
    out += "memory     at most " + std::to_string(r.peak_rss_anon_bytes >> 20) + " MiB anonymous and " +
           std::to_string(r.peak_rss_file_bytes >> 20) +
           " MiB file-backed resident at a slot's end (file-backed: the program, its libraries and the nodes' "
           "LMDB stores, which a simulation maps writable)\n";
  if (runs_hosting(r)) out += hosting_text(r);
  for (const auto& a : r.adversaries) out += adversary_line(a);
  if (!r.adversaries.empty())
    out += "accused    " + std::to_string(r.false_accusations) + " honest nodes reported or banned\n";
  out += "trace      " + to_hex(r.trace_hash) + "\n";
  out += "state      " + to_hex(r.state_root) + " at height " + std::to_string(r.state_root_height) + "\n";
  out += "ledger     " + std::to_string(r.ledger_states_checked) + " finalized states and " +
         std::to_string(r.ledger_payouts_checked) + " payments checked\n";
  if (const auto w = challenge_load_warning(r.scenario)) out += "warning    " + *w + "\n";
  if (!r.violation) {
    out += "invariants ok\n";
  } else {
    out += "invariants VIOLATED at slot " + std::to_string(r.violation_slot) + ": " + r.violation->invariant +
           " on node " + std::to_string(r.violation->node) + ": " + r.violation->detail + "\n";
    out += "seed       " + std::to_string(s.seed) + "\n";
    out += "replay     " + replay + "\n";
  }
  return out;
}

}  // namespace datdot

#include "actors/roles/role_metrics.hpp"

namespace datdot {

role_metrics::role_metrics(metrics_registry& r)
    : replicas_(r.gauge("datdot_role_hosted_replicas", "Active replicas this node hosts, as the finalized chain records them")),
      stored_bytes_(r.gauge("datdot_role_stored_bytes", "Bytes of sealed replica data stored")),
      challenges_received_(r.counter("datdot_role_challenges_received_total", "Storage challenges the finalized chain opened for this hoster")),
      challenges_passed_(r.counter("datdot_role_challenges_passed_total", "Storage challenges of this hoster that passed at their deadline")),
      challenges_failed_(r.counter("datdot_role_challenges_failed_total",
                                   "Storage challenges of this hoster that failed (no valid proof in time, or every attester refused)")),
      attestations_(r.counter("datdot_role_attestations_made_total", "Attestations of this node the finalized chain recorded")),
      attestations_missed_(r.counter("datdot_role_attestations_missed_total",
                                     "Challenges this node was picked to attest and did not report on before their deadline")),
      sealed_bytes_(r.counter("datdot_role_sealed_bytes_total", "Feed bytes of the replicas this encoder sealed that went active")),
      sealed_blocks_(r.counter("datdot_role_sealed_blocks_total", "Blocks of the replicas this encoder sealed that went active")),
      ratio_(r.gauge("datdot_role_ratio", "This node's ratio (fixed point, as recorded by the finalized chain)")) {}

hoster_series role_metrics::attach_hoster() {
  return hoster_series{replicas_.Add({}), stored_bytes_.Add({}), challenges_received_.Add({}),
                       challenges_passed_.Add({}), challenges_failed_.Add({})};
}

encoder_series role_metrics::attach_encoder() { return encoder_series{sealed_bytes_.Add({}), sealed_blocks_.Add({})}; }

attester_series role_metrics::attach_attester() { return attester_series{attestations_.Add({}), attestations_missed_.Add({})}; }

prometheus::Gauge& role_metrics::attach_ratio() { return ratio_.Add({}); }

}  // namespace datdot

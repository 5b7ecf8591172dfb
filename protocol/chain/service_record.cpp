#include "protocol/chain/service_record.hpp"

namespace datdot {

service_counts count_service(std::span<const chain_event> events, const account_id& me) {
  service_counts out;
  for (const auto& e : events) {
    if (const auto* issued = std::get_if<challenge_issued>(&e)) {
      if (issued->hoster == me) ++out.challenges_received;
    } else if (const auto* resolved = std::get_if<challenge_resolved>(&e)) {
      if (resolved->hoster == me) ++(resolved->passed ? out.challenges_passed : out.challenges_failed);
    } else if (const auto* attested = std::get_if<attestation_recorded>(&e)) {
      if (attested->attester == me) ++out.attestations;
    } else if (const auto* missed = std::get_if<attestation_missed>(&e)) {
      if (missed->attester == me) ++out.attestations_missed;
    } else if (const auto* activated = std::get_if<replica_activated>(&e)) {
      if (activated->encoder != me) continue;
      out.sealed_blocks += activated->blocks;
      out.sealed_bytes += activated->bytes;
    } else if (const auto* extended = std::get_if<replica_extended>(&e)) {
      if (extended->encoder != me) continue;
      out.sealed_blocks += extended->blocks;
      out.sealed_bytes += extended->bytes;
    }
  }
  return out;
}

std::uint64_t active_replicas_of(const chain_state& state, const account_id& me) {
  std::uint64_t n = 0;
  for (const auto& [key, f] : state.feeds)
    for (const auto& r : f.replicas)
      if (r.hoster == me && r.state == replica_state::active) ++n;
  return n;
}

}  // namespace datdot

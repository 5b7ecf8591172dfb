// submit_attestation: an attester picked for a challenge reports whether the
// hoster served the challenged block to it as an ordinary reader, and how
// fast. Each picked attester reports once, before the deadline.
#include <algorithm>

#include "protocol/chain/call_handlers.hpp"

namespace datdot {

chain_status apply_call(call_context& c, const submit_attestation& x) {
  const auto challenge = c.state.challenges.find(x.challenge);
  if (challenge == c.state.challenges.end()) return chain_fail(chain_errc::invalid_call, "no such open challenge");
  auto& ch = challenge->second;
  if (std::find(ch.attesters.begin(), ch.attesters.end(), c.signer) == ch.attesters.end())
    return chain_fail(chain_errc::invalid_call, "signer is not an attester of this challenge");
  if (std::any_of(ch.attestations.begin(), ch.attestations.end(),
                  [&](const attestation_record& a) { return a.attester == c.signer; }))
    return chain_fail(chain_errc::invalid_call, "already attested");
  ch.attestations.push_back({c.signer, x.served, x.latency_ms, x.bytes_per_second});
  c.events.push_back(attestation_recorded{x.challenge, c.signer, x.served});
  return chain_ok();
}

}  // namespace datdot

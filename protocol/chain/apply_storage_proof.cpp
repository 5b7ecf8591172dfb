// submit_storage_proof: the hoster of a challenged replica proves it holds the
// challenged sealed block. Everything is checked here, on chain: the feed
// roots hash to the signed tree hash of the head the replica covers (not the
// feed's newest: a replica being extended is proved on what it agreed), the
// sealed block lies in the replica tree both sides committed to, and it
// unseals with the encoder's public key (as it was at assignment) to the
// feed's block at that index.
// A proof that fails is rejected without effect; the challenge then fails at
// its deadline unless a valid proof comes in time.
#include "protocol/chain/call_handlers.hpp"
#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/feed_roots.hpp"
#include "protocol/chain/storage_challenges.hpp"

namespace datdot {

chain_status apply_call(call_context& c, const submit_storage_proof& x) {
  const auto challenge = c.state.challenges.find(x.challenge);
  if (challenge == c.state.challenges.end()) return chain_fail(chain_errc::invalid_call, "no such open challenge");
  auto& ch = challenge->second;
  if (ch.proved) return chain_fail(chain_errc::invalid_call, "challenge already proved");
  auto& f = c.state.feeds.at(ch.feed);
  auto& r = f.replicas.at(ch.replica);
  if (!challenges_current_replica(ch, r))
    return chain_fail(chain_errc::invalid_call, "the challenge was for the replica this slot held before");
  if (c.signer != r.hoster) return chain_fail(chain_errc::invalid_call, "only the replica's hoster answers");
  if (r.state != replica_state::active || !r.hoster_root)
    return chain_fail(chain_errc::invalid_call, "replica is not active");
  if (x.proof.index != ch.index) return chain_fail(chain_errc::invalid_call, "proof for another block index");
  if (x.proof.plain_bytes > chain_limits::storage_proof_plain_bytes_max)
    return chain_fail(chain_errc::oversize, "block larger than a storage proof may carry");
  DATDOT_CHAIN_CHECK(check_feed_roots(x.feed_roots, r.covers));
  const auto encoder = make_unsealer(r.seal_codec, r.seal_key);
  if (!encoder) return chain_fail(chain_errc::invalid_call, "replica has no usable sealing key");
  const auto verified = verify_storage_proof(x.proof, *r.hoster_root, x.feed_roots, **encoder, r.replica_key);
  if (!verified) return chain_fail(chain_errc::bad_proof, verified.err().message);
  ch.proved = true;
  r.last_proof_at = c.state.number;
  c.events.push_back(storage_proved{x.challenge, ch.feed, ch.replica});
  return chain_ok();
}

}  // namespace datdot

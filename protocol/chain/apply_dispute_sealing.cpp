// dispute_sealing: the hoster of a replica being sealed shows a bad sealed
// block its encoder signed. Checked in full on chain (sealing_dispute.hpp);
// a dispute that does not hold is refused and changes nothing.
#include "protocol/chain/call_handlers.hpp"
#include "protocol/chain/pending_sealing.hpp"
#include "protocol/chain/sealing_dispute.hpp"

namespace datdot {

chain_status apply_call(call_context& c, const dispute_sealing& x) {
  const auto feed = c.state.feeds.find(x.feed);
  if (feed == c.state.feeds.end()) return chain_fail(chain_errc::invalid_call, "unknown feed");
  if (x.replica >= feed->second.replicas.size()) return chain_fail(chain_errc::invalid_call, "unknown replica");
  auto& r = feed->second.replicas[x.replica];
  const auto pending = pending_of(r);
  if (!pending) return chain_fail(chain_errc::invalid_call, "replica is neither being encoded nor extended");
  if (c.signer != r.hoster) return chain_fail(chain_errc::invalid_call, "only the replica's hoster disputes its sealing");
  DATDOT_CHAIN_CHECK(verify_sealing_dispute(c.state.chain, r, pending->head, pending->first, x));
  convict_encoder(c.state, x.feed, x.replica, x.index, c.events);
  return chain_ok();
}

}  // namespace datdot

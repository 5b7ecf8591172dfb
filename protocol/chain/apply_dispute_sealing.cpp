// The hoster of a replica being sealed shows its encoder lied: a bad sealed
// block the encoder signed (dispute_sealing, sealing_dispute.hpp), or a root
// other than the whole replica's commitment the encoder signed
// (dispute_replica_root, root_dispute.hpp). Checked in full on chain; a
// dispute that does not hold is refused and changes nothing. Or it reports
// that the encoder withheld part of the replica (report_withheld_sealing),
// which no one can check, so it costs both sides the replica.
#include "protocol/chain/call_handlers.hpp"
#include "protocol/chain/pending_sealing.hpp"
#include "protocol/chain/root_dispute.hpp"
#include "protocol/chain/sealing_dispute.hpp"

namespace datdot {
namespace {

struct disputed {
  const replica_record* replica;
  pending_sealing sealing;
};

// The replica a dispute is about, if it is being sealed and the signer is its hoster.
chain_result<disputed> disputed_by_hoster(call_context& c, const feed_key& key, std::uint32_t replica) {
  const auto feed = c.state.feeds.find(key);
  if (feed == c.state.feeds.end()) return chain_fail(chain_errc::invalid_call, "unknown feed");
  if (replica >= feed->second.replicas.size()) return chain_fail(chain_errc::invalid_call, "unknown replica");
  auto& r = feed->second.replicas[replica];
  const auto pending = pending_of(r);
  if (!pending) return chain_fail(chain_errc::invalid_call, "replica is neither being encoded nor extended");
  if (c.signer != r.hoster) return chain_fail(chain_errc::invalid_call, "only the replica's hoster disputes its sealing");
  return disputed{&r, *pending};
}

}  // namespace

chain_status apply_call(call_context& c, const dispute_sealing& x) {
  DATDOT_CHAIN_TRY(d, disputed_by_hoster(c, x.feed, x.replica));
  DATDOT_CHAIN_CHECK(verify_sealing_dispute(c.state.chain, *d.replica, d.sealing.head, d.sealing.first, x));
  convict_encoder(c.state, x.feed, x.replica, x.index, c.events);
  return chain_ok();
}

chain_status apply_call(call_context& c, const dispute_replica_root& x) {
  DATDOT_CHAIN_TRY(d, disputed_by_hoster(c, x.feed, x.replica));
  DATDOT_CHAIN_CHECK(verify_root_dispute(c.state.chain, *d.replica, d.sealing, x));
  convict_encoder(c.state, x.feed, x.replica, x.commitment.length, c.events);
  return chain_ok();
}

chain_status apply_call(call_context& c, const report_withheld_sealing& x) {
  DATDOT_CHAIN_TRY(d, disputed_by_hoster(c, x.feed, x.replica));
  // Before the encoder's root the encoder may still be sealing; its deadline covers one that never finishes.
  if (!d.sealing.encoder_root) return chain_fail(chain_errc::invalid_call, "the encoder has not submitted its root yet");
  if (d.sealing.hoster_root)
    return chain_fail(chain_errc::invalid_call, "the hoster submitted its root: it holds the whole replica");
  if (x.received >= d.sealing.head.length)
    return chain_fail(chain_errc::invalid_call, "the hoster reports every block of the sealing received");
  end_withheld_sealing(c.state, x.feed, x.replica, x.received, c.events);
  return chain_ok();
}

}  // namespace datdot

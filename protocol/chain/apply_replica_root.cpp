// submit_replica_root: the encoder and the hoster of a replica each commit to
// the Merkle tree over its sealed blocks. When both have and they agree, the
// replica is active (or, for an active replica whose feed grew, extended to
// the new length). The encoder's root opens the hoster's answer window: a
// hoster whose root differs, or that has none, must prove a bad sealed block
// (dispute_sealing) or a root other than the one the encoder signed
// (dispute_replica_root) by its end, or it is named (sealing_dispute.hpp).
// The encoder's root ends its own deadline (sealing_deadline.hpp).
#include "protocol/chain/call_handlers.hpp"
#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/hosting_assignment.hpp"
#include "protocol/chain/pending_sealing.hpp"
#include "protocol/chain/replica_extension.hpp"

namespace datdot {

chain_status apply_call(call_context& c, const submit_replica_root& x) {
  const auto feed = c.state.feeds.find(x.feed);
  if (feed == c.state.feeds.end()) return chain_fail(chain_errc::invalid_call, "unknown feed");
  auto& f = feed->second;
  if (x.replica >= f.replicas.size()) return chain_fail(chain_errc::invalid_call, "unknown replica");
  auto& r = f.replicas[x.replica];
  auto pending = pending_of(r);
  if (!pending) return chain_fail(chain_errc::invalid_call, "replica is neither being encoded nor extended");
  const bool encoder = c.signer == r.encoder, hoster = c.signer == r.hoster;
  if (!encoder && !hoster) return chain_fail(chain_errc::invalid_call, "signer is neither encoder nor hoster");
  if (x.length != pending->head.length)
    return chain_fail(chain_errc::invalid_call, "a replica has one sealed block per feed block it covers (" +
                                                    std::to_string(pending->head.length) + ")");
  auto& mine = encoder ? pending->encoder_root : pending->hoster_root;
  if (mine) return chain_fail(chain_errc::invalid_call, "root already submitted");
  mine = replica_commitment{x.tree_hash, x.length};
  if (encoder) {
    r.answer_due = block_number{c.state.number.value + chain_limits::hoster_answer_blocks};
    r.root_due = {};
  }
  if (!pending->encoder_root || pending->encoder_root != pending->hoster_root) return chain_ok();
  r.answer_due = {};
  if (r.state == replica_state::encoding) {
    activate_replica(c.state, x.feed, x.replica, c.events);
  } else {
    complete_extension(c.state, x.feed, x.replica, c.events);
  }
  update_hosting_state(f, x.feed, c.events);
  return chain_ok();
}

}  // namespace datdot

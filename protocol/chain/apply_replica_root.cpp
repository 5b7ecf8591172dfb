// submit_replica_root: the encoder and the hoster of a replica each commit to
// the Merkle tree over its sealed blocks. When both have and they agree, the
// replica is active; when they disagree one of them lied about the bytes, so
// the replica is dropped and assigned again (a dispute in which the hoster
// proves a bad sealed block will name the liar).
#include "protocol/chain/call_handlers.hpp"
#include "protocol/chain/hosting_assignment.hpp"

namespace datdot {

chain_status apply_call(call_context& c, const submit_replica_root& x) {
  const auto feed = c.state.feeds.find(x.feed);
  if (feed == c.state.feeds.end()) return chain_fail(chain_errc::invalid_call, "unknown feed");
  auto& f = feed->second;
  if (x.replica >= f.replicas.size()) return chain_fail(chain_errc::invalid_call, "unknown replica");
  auto& r = f.replicas[x.replica];
  if (r.state != replica_state::encoding) return chain_fail(chain_errc::invalid_call, "replica is not being encoded");
  const bool encoder = c.signer == r.encoder, hoster = c.signer == r.hoster;
  if (!encoder && !hoster) return chain_fail(chain_errc::invalid_call, "signer is neither encoder nor hoster");
  if (x.length != f.length) return chain_fail(chain_errc::invalid_call, "a replica has one sealed block per feed block");
  auto& mine = encoder ? r.encoder_root : r.hoster_root;
  if (mine) return chain_fail(chain_errc::invalid_call, "root already submitted");
  mine = replica_commitment{x.tree_hash, x.length};
  if (!r.encoder_root || !r.hoster_root) return chain_ok();
  if (*r.encoder_root == *r.hoster_root) {
    activate_replica(c.state, x.feed, x.replica, c.events);
  } else {
    fail_replica(c.state, x.feed, x.replica, c.events);
  }
  update_hosting_state(f, x.feed, c.events);
  return chain_ok();
}

}  // namespace datdot

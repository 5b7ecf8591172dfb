// submit_replica_root: the encoder and the hoster of a replica each commit to
// the Merkle tree over its sealed blocks. When both have and they agree, the
// replica is active (or, for an active replica whose feed grew, extended to
// the new length); when they disagree one of them lied about the bytes, so
// the replica is dropped and assigned again (a dispute in which the hoster
// proves a bad sealed block will name the liar).
#include "protocol/chain/call_handlers.hpp"
#include "protocol/chain/hosting_assignment.hpp"
#include "protocol/chain/replica_extension.hpp"

namespace datdot {
namespace {

// What a replica waits for roots on: its first sealing or its extension.
struct pending_roots {
  std::uint64_t length = 0;  // a replica has one sealed block per feed block it covers
  std::optional<replica_commitment>& encoder_root;
  std::optional<replica_commitment>& hoster_root;
};

std::optional<pending_roots> pending_of(replica_record& r) {
  if (r.state == replica_state::encoding) return pending_roots{r.covers.length, r.encoder_root, r.hoster_root};
  if (r.state == replica_state::active && r.extension)
    return pending_roots{r.extension->target.length, r.extension->encoder_root, r.extension->hoster_root};
  return std::nullopt;
}

}  // namespace

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
  if (x.length != pending->length)
    return chain_fail(chain_errc::invalid_call, "a replica has one sealed block per feed block it covers (" +
                                                    std::to_string(pending->length) + ")");
  auto& mine = encoder ? pending->encoder_root : pending->hoster_root;
  if (mine) return chain_fail(chain_errc::invalid_call, "root already submitted");
  mine = replica_commitment{x.tree_hash, x.length};
  if (!pending->encoder_root || !pending->hoster_root) return chain_ok();
  if (*pending->encoder_root != *pending->hoster_root) {
    fail_replica(c.state, x.feed, x.replica, c.events);
  } else if (r.state == replica_state::encoding) {
    activate_replica(c.state, x.feed, x.replica, c.events);
  } else {
    complete_extension(c.state, x.feed, x.replica, c.events);
  }
  update_hosting_state(f, x.feed, c.events);
  return chain_ok();
}

}  // namespace datdot

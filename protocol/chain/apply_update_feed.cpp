// update_feed: the publisher appended to a feed it published. The chain holds
// only the feed's tree hash at its recorded length, so the update brings the
// roots at that length (they must hash to it) and a hypercore upgrade proof
// growing them to the new length; crypto's verify_proof rebuilds the new
// roots from those, so the new tree provably extends the recorded one, and
// checks the feed key's signature over it (same fork: a truncated or forked
// feed is not an update). The byte size is the new roots' own, never a claim.
// Replicas then follow the feed (replica_extension.hpp).
#include <algorithm>
#include <numeric>

#include "crypto/proof.hpp"
#include "protocol/chain/call_handlers.hpp"
#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/hosting_payment.hpp"
#include "protocol/chain/replica_extension.hpp"

namespace datdot {
namespace {

// The head `x` signs, once it is shown to extend `f`'s recorded head.
chain_result<feed_head> verified_head(const feed_record& f, const update_feed& x) {
  if (tree_hash(x.roots) != f.tree_hash)
    return chain_fail(chain_errc::bad_proof, "roots are not the feed's recorded tree");
  const auto identity = identity_of(f);
  const feed_proof upgrade{f.fork, std::nullopt,
                           upgrade_proof{f.length, x.length - f.length, x.upgrade, {},
                                         identity.encode_signature(x.tree_signature)}};
  const auto verified = verify_proof(upgrade, identity, x.roots);
  if (!verified) return chain_fail(chain_errc::bad_proof, verified.err().message);
  const auto byte_size = std::accumulate(verified->roots.begin(), verified->roots.end(), std::uint64_t{0},
                                         [](std::uint64_t sum, const tree_node& n) { return sum + n.size; });
  if (byte_size < f.byte_size || byte_size > chain_limits::feed_byte_size_max)
    return chain_fail(chain_errc::invalid_call, "byte size out of range");
  return feed_head{verified->length, byte_size, tree_hash(verified->roots)};
}

}  // namespace

chain_status apply_call(call_context& c, const update_feed& x) {
  const auto feed = c.state.feeds.find(x.feed);
  if (feed == c.state.feeds.end()) return chain_fail(chain_errc::invalid_call, "unknown feed");
  const auto& f = feed->second;
  if (c.signer != f.publisher) return chain_fail(chain_errc::invalid_call, "only the feed's publisher updates it");
  if (f.state == hosting_state::failed) return chain_fail(chain_errc::invalid_call, "the feed's hosting has ended");
  if (x.length <= f.length) return chain_fail(chain_errc::invalid_call, "an update must grow the feed");
  DATDOT_CHAIN_TRY(next, verified_head(f, x));
  const auto live = std::count_if(f.replicas.begin(), f.replicas.end(), is_live);
  DATDOT_CHAIN_CHECK(check_sealing_affordable(c.state, c.signer, next.byte_size - f.byte_size,
                                              static_cast<std::size_t>(live)));
  grow_feed(c.state, x.feed, next, c.events);
  c.state.feeds.at(x.feed).tree_signature = x.tree_signature;
  return chain_ok();
}

}  // namespace datdot

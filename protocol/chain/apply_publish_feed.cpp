// publish_feed: a registered publisher asks for a hypercore to be hosted. The
// chain checks the feed's own signature over its tree, so a request always
// names a real, signed state of the feed, and that the publisher can pay for
// sealing the replicas it asks for.
#include "crypto/feed_identity.hpp"
#include "protocol/chain/call_handlers.hpp"
#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/hosting_payment.hpp"

namespace datdot {

chain_status apply_call(call_context& c, const publish_feed& x) {
  const auto node = c.state.nodes.find(c.signer);
  if (node == c.state.nodes.end() || !node->second.roles.contains(role::publisher))
    return chain_fail(chain_errc::invalid_call, "signer is not a registered publisher");
  if (x.length == 0) return chain_fail(chain_errc::invalid_call, "empty feed");
  if (x.byte_size == 0 || x.byte_size > chain_limits::feed_byte_size_max)
    return chain_fail(chain_errc::invalid_call, "byte size out of range");
  if (x.replicas == 0 || x.replicas > c.state.params.replicas_per_feed)
    return chain_fail(chain_errc::invalid_call, "replicas out of range");
  if (c.state.feeds.size() >= chain_limits::feeds_max) return chain_fail(chain_errc::oversize, "feed table is full");
  const feed_identity identity{x.signer, x.mode};
  const feed_key key{identity.core_key()};
  if (c.state.feeds.contains(key)) return chain_fail(chain_errc::invalid_call, "feed already published");
  if (!identity.verify_tree(x.tree_hash, x.length, x.fork, x.tree_signature))
    return chain_fail(chain_errc::bad_signature, "feed tree signature");
  // Sealing is paid at activation, but checked now.
  DATDOT_CHAIN_CHECK(check_sealing_affordable(c.state, c.signer, x.byte_size, x.replicas));
  c.state.feeds.emplace(key, feed_record{c.signer, x.signer, x.mode, x.length, x.fork, x.byte_size, x.tree_hash,
                                         x.tree_signature, x.replicas, hosting_state::queued,
                                         block_number{c.state.number.value + 1}, {}});
  c.events.push_back(feed_published{key, c.signer});
  return chain_ok();
}

}  // namespace datdot

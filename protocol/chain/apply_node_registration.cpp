// register_node / unregister_node: the chain as the directory of who does what.
// A hoster that leaves fails its replicas, which are then assigned again; an
// encoder that leaves or changes its sealing key fails the replicas it has
// not finished sealing (replica_extension.hpp), which are re-created too.
#include "protocol/chain/call_handlers.hpp"
#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/hosting_assignment.hpp"
#include "protocol/chain/replica_extension.hpp"

namespace datdot {

chain_status apply_call(call_context& c, const register_node& x) {
  if (x.roles.empty()) return chain_fail(chain_errc::invalid_call, "no roles");
  if (x.bus_address.empty() || x.bus_address.size() > chain_limits::bus_address_bytes_max)
    return chain_fail(chain_errc::invalid_call, "bus address must be 1 to bus_address_bytes_max bytes");
  // An encoder must name a sealing key the chain can check proofs with.
  if (x.roles.contains(role::encoder)) {
    if (!make_unsealer(x.seal_codec, x.seal_key))
      return chain_fail(chain_errc::invalid_call, "an encoder needs a valid public sealing key");
  } else if (!x.seal_key.empty()) {
    return chain_fail(chain_errc::invalid_call, "a sealing key without the encoder role");
  }
  const bool is_new = !c.state.nodes.contains(c.signer);
  if (is_new && c.state.nodes.size() >= chain_limits::nodes_max)
    return chain_fail(chain_errc::oversize, "node directory is full");
  // Re-registering keeps what is promised to replicas it hosts, so capacity
  // cannot drop below it, nor the hoster role go while it hosts.
  const std::uint64_t reserved = is_new ? 0 : c.state.nodes.at(c.signer).reserved_bytes;
  if (x.capacity_bytes < reserved || (reserved > 0 && !x.roles.contains(role::hoster)))
    return chain_fail(chain_errc::invalid_call, "capacity already promised to hosted replicas");
  if (!is_new) {
    const auto& old = c.state.nodes.at(c.signer);
    if (old.roles.contains(role::encoder) &&
        (!x.roles.contains(role::encoder) || old.seal_codec != x.seal_codec || old.seal_key != x.seal_key))
      fail_unsealed_of(c.state, c.signer, c.events);
  }
  c.state.nodes[c.signer] = node_record{x.roles, x.capacity_bytes, x.bus_address,
                                        block_number{c.state.number.value + 1}, reserved, x.seal_codec, x.seal_key};
  c.events.push_back(node_registered{c.signer, x.roles});
  return chain_ok();
}

chain_status apply_call(call_context& c, const unregister_node&) {
  if (!c.state.nodes.contains(c.signer)) return chain_fail(chain_errc::invalid_call, "not registered");
  // Its replicas are re-created elsewhere through new encoders.
  fail_replicas_of(c.state, c.signer, c.events);
  fail_unsealed_of(c.state, c.signer, c.events);
  c.state.nodes.erase(c.signer);
  c.events.push_back(node_unregistered{c.signer});
  return chain_ok();
}

}  // namespace datdot

// register_node / unregister_node: the chain as the directory of who does what.
#include "protocol/chain/call_handlers.hpp"
#include "protocol/chain/chain_limits.hpp"

namespace datdot {

chain_status apply_call(call_context& c, const register_node& x) {
  if (x.roles.empty()) return chain_fail(chain_errc::invalid_call, "no roles");
  if (x.bus_address.empty() || x.bus_address.size() > chain_limits::bus_address_bytes_max)
    return chain_fail(chain_errc::invalid_call, "bus address must be 1 to bus_address_bytes_max bytes");
  const bool is_new = !c.state.nodes.contains(c.signer);
  if (is_new && c.state.nodes.size() >= chain_limits::nodes_max)
    return chain_fail(chain_errc::oversize, "node directory is full");
  c.state.nodes[c.signer] = node_record{x.roles, x.capacity_bytes, x.bus_address, block_number{c.state.number.value + 1}};
  c.events.push_back(node_registered{c.signer, x.roles});
  return chain_ok();
}

chain_status apply_call(call_context& c, const unregister_node&) {
  if (c.state.nodes.erase(c.signer) == 0) return chain_fail(chain_errc::invalid_call, "not registered");
  c.events.push_back(node_unregistered{c.signer});
  return chain_ok();
}

}  // namespace datdot

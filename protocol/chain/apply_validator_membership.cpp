// join_validators / leave_validators: requests recorded now, enacted at the
// next epoch boundary (epoch_transition.hpp).
#include "protocol/chain/call_handlers.hpp"
#include "protocol/chain/chain_limits.hpp"

namespace datdot {

chain_status apply_call(call_context& c, const join_validators&) {
  auto& s = c.state;
  const auto node = s.nodes.find(c.signer);
  if (node == s.nodes.end() || !node->second.roles.contains(role::validator))
    return chain_fail(chain_errc::invalid_call, "signer is not a registered validator node");
  if (s.offences.contains(c.signer)) return chain_fail(chain_errc::invalid_call, "signer has recorded offences");
  if (s.validators.contains(c.signer) && !s.leaving.contains(c.signer))
    return chain_fail(chain_errc::invalid_call, "already a validator");
  if (s.joining.contains(c.signer)) return chain_fail(chain_errc::invalid_call, "join already requested");
  if (s.validators.members.size() + s.joining.size() >= chain_limits::validators_max)
    return chain_fail(chain_errc::oversize, "validator set is full");
  if (!s.leaving.erase(c.signer)) s.joining.insert(c.signer);
  c.events.push_back(validator_join_requested{c.signer});
  return chain_ok();
}

chain_status apply_call(call_context& c, const leave_validators&) {
  auto& s = c.state;
  if (s.joining.erase(c.signer)) {
    c.events.push_back(validator_leave_requested{c.signer});
    return chain_ok();
  }
  if (!s.validators.contains(c.signer) || s.leaving.contains(c.signer))
    return chain_fail(chain_errc::invalid_call, "not a validator");
  s.leaving.insert(c.signer);
  c.events.push_back(validator_leave_requested{c.signer});
  return chain_ok();
}

}  // namespace datdot

// transfer_ratio: ratio is earned by service and can be given away; it never
// goes below zero and never wraps.
#include "protocol/chain/call_handlers.hpp"

namespace datdot {

chain_status apply_call(call_context& c, const transfer_ratio& x) {
  if (x.to == c.signer) return chain_fail(chain_errc::invalid_call, "transfer to self");
  if (x.amount.units == 0) return chain_fail(chain_errc::invalid_call, "zero transfer");
  auto& from = c.state.accounts.at(c.signer);
  if (from.balance < x.amount) return chain_fail(chain_errc::insufficient_ratio, "balance below amount");
  const auto to = c.state.accounts.find(x.to);
  if (to != c.state.accounts.end() && UINT64_MAX - to->second.balance.units < x.amount.units)
    return chain_fail(chain_errc::invalid_call, "recipient ratio would overflow");
  from.balance.units -= x.amount.units;
  c.state.accounts[x.to].balance.units += x.amount.units;
  c.events.push_back(ratio_transferred{c.signer, x.to, x.amount});
  return chain_ok();
}

}  // namespace datdot

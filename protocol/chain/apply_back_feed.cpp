// back_feed: anyone with ratio supports a feed's hosting; the feed's charges
// draw on its backing before its publisher's balance. Backing is not refunded.
#include "protocol/chain/call_handlers.hpp"

namespace datdot {

chain_status apply_call(call_context& c, const back_feed& x) {
  const auto feed = c.state.feeds.find(x.feed);
  if (feed == c.state.feeds.end()) return chain_fail(chain_errc::invalid_call, "unknown feed");
  if (feed->second.state == hosting_state::failed) return chain_fail(chain_errc::invalid_call, "feed hosting ended");
  if (x.amount.units == 0) return chain_fail(chain_errc::invalid_call, "amount is zero");
  auto& from = c.state.accounts.at(c.signer).balance.units;
  if (from < x.amount.units) return chain_fail(chain_errc::insufficient_ratio, "balance below amount");
  auto& backing = feed->second.backing.units;
  if (UINT64_MAX - backing < x.amount.units) return chain_fail(chain_errc::invalid_call, "backing would overflow");
  from -= x.amount.units;
  backing += x.amount.units;
  c.events.push_back(feed_backed{x.feed, c.signer, x.amount});
  return chain_ok();
}

}  // namespace datdot

#include "protocol/chain/hosting_payment.hpp"

#include <algorithm>
#include <string>

#include "protocol/chain/hosting_assignment.hpp"

namespace datdot {

ratio price_for(const chain_params& p, std::uint64_t byte_size) {
  constexpr std::uint64_t mib = 1024 * 1024;
  const std::uint64_t mibs = byte_size / mib + (byte_size % mib != 0 ? 1 : 0);
  // feed_byte_size_max is 2^50, so mibs < 2^30: saturate rather than wrap on absurd prices.
  return ratio{mibs != 0 && p.price_units_per_mib > UINT64_MAX / mibs ? UINT64_MAX : mibs * p.price_units_per_mib};
}

chain_status check_sealing_affordable(const chain_state& s, const account_id& publisher, std::uint64_t byte_size,
                                      std::size_t replicas) {
  const auto sealing = price_for(s.params, byte_size).units;
  if (replicas == 0 || s.accounts.at(publisher).balance.units / replicas >= sealing) return chain_ok();
  return chain_fail(chain_errc::insufficient_ratio, "sealing " + std::to_string(replicas) + " replicas costs " +
                                                        std::to_string(sealing) + " ratio units each");
}

bool can_pay(const chain_state& s, const feed_key& key, ratio amount) {
  const auto& f = s.feeds.at(key);
  const auto publisher = s.accounts.find(f.publisher);
  const auto balance = publisher == s.accounts.end() ? 0 : publisher->second.balance.units;
  return f.backing.units >= amount.units || balance >= amount.units - f.backing.units;
}

bool pay_from_feed(chain_state& s, const feed_key& key, const account_id& to, ratio amount,
                   std::vector<chain_event>& events) {
  auto& f = s.feeds.at(key);
  auto& publisher = s.accounts[f.publisher].balance.units;
  const auto from_backing = std::min(f.backing.units, amount.units);
  const auto from_publisher = std::min(publisher, amount.units - from_backing);
  auto& receiver = s.accounts[to].balance.units;
  const auto paid = std::min(from_backing + from_publisher, UINT64_MAX - receiver);
  f.backing.units -= std::min(from_backing, paid);
  publisher -= paid - std::min(from_backing, paid);
  receiver += paid;
  if (paid > 0) events.push_back(hosting_paid{key, to, ratio{paid}});
  if (paid == amount.units) return true;
  end_hosting(s, key, events);
  return false;
}

}  // namespace datdot

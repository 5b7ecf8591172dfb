#include "protocol/chain/chain_queries.hpp"

namespace datdot {

std::vector<feed_view> list_feeds(const chain_state& s) {
  std::vector<feed_view> out;
  out.reserve(s.feeds.size());
  for (const auto& [key, record] : s.feeds) out.push_back(feed_view{key, record});
  return out;
}

std::optional<feed_view> find_feed(const chain_state& s, const feed_key& key) {
  const auto it = s.feeds.find(key);
  if (it == s.feeds.end()) return std::nullopt;
  return feed_view{key, it->second};
}

std::optional<account_view> find_account(const chain_state& s, const account_id& id) {
  const auto it = s.accounts.find(id);
  if (it == s.accounts.end()) return std::nullopt;
  account_view out{id, it->second, std::nullopt, s.validators.contains(id), std::nullopt};
  if (auto n = s.nodes.find(id); n != s.nodes.end()) out.node = n->second;
  if (auto o = s.offences.find(id); o != s.offences.end()) out.offences = o->second;
  return out;
}

}  // namespace datdot

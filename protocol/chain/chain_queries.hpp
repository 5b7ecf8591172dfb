// The read side the seed's API asks for: every hosting request with its
// state, and one account with its node registration. Pure views of a state.
#pragma once

#include <optional>
#include <vector>

#include "protocol/chain/chain_state.hpp"

namespace datdot {

struct feed_view {
  feed_key key;
  feed_record record;
};

struct account_view {
  account_id id;
  account_record account;
  std::optional<node_record> node;
  bool validator = false;
  std::optional<offence_record> offences;
};

std::vector<feed_view> list_feeds(const chain_state& s);
std::optional<feed_view> find_feed(const chain_state& s, const feed_key& key);
std::optional<account_view> find_account(const chain_state& s, const account_id& id);

}  // namespace datdot

// Ratio for hosting: a feed pays for the service its replicas get (sealing,
// passed challenges, attestations), from its backing first and then from its
// publisher's balance. Ratio is moved, never minted here, and never goes
// negative: a feed that cannot pay in full pays what it has and its hosting
// ends (failed, replicas released), so nobody serves a feed for nothing twice.
#pragma once

#include <vector>

#include "protocol/chain/chain_event.hpp"
#include "protocol/chain/chain_state.hpp"

namespace datdot {

// The price of one service for a feed of `byte_size` bytes: per MiB, rounded up.
ratio price_for(const chain_params& p, std::uint64_t byte_size);

// Refuses a request (publish or update) whose publisher's own balance cannot
// pay for sealing `byte_size` bytes into each of `replicas` replicas: work
// nobody can pay for would only waste encoders' time.
chain_status check_sealing_affordable(const chain_state& s, const account_id& publisher, std::uint64_t byte_size,
                                      std::size_t replicas);

// Whether feed `key` (its backing and its publisher's balance) could pay `amount` now.
bool can_pay(const chain_state& s, const feed_key& key, ratio amount);

// Pays `amount` to `to` for feed `key`; false (and hosting ended) when the feed could not pay in full.
bool pay_from_feed(chain_state& s, const feed_key& key, const account_id& to, ratio amount,
                   std::vector<chain_event>& events);

}  // namespace datdot

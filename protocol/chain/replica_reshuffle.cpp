#include "protocol/chain/replica_reshuffle.hpp"

#include <algorithm>
#include <string>

#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/hosting_assignment.hpp"
#include "protocol/chain/hosting_payment.hpp"
#include "protocol/chain/invariant.hpp"
#include "protocol/chain/selection.hpp"

namespace datdot {
namespace {

bool moving(const feed_record& f) {
  return std::any_of(f.replicas.begin(), f.replicas.end(), [](const replica_record& r) { return r.replacement.has_value(); });
}

block_number retry_at(const chain_state& s) { return block_number{s.number.value + chain_limits::move_retry_blocks}; }

// A replacement for replica `replica` of `key`, or a later retry when none can be had now.
void start_move(chain_state& s, const feed_key& key, std::uint32_t replica, std::vector<chain_event>& events) {
  // The replacement's sealing is paid at its activation; a feed that could not
  // pay it would end its hosting there, so it keeps the replicas it has.
  const auto& f = s.feeds.at(key);
  if (!can_pay(s, key, price_for(s.params, f.byte_size))) {
    s.feeds.at(key).replicas.at(replica).next_move_at = retry_at(s);
    return;
  }
  const auto replacement = assign_replica(s, key, events);
  // assign_replica may have grown the replica list: index again.
  auto& r = s.feeds.at(key).replicas.at(replica);
  if (replacement)
    r.replacement = *replacement;
  else
    r.next_move_at = retry_at(s);
}

}  // namespace

block_number next_move_after(const chain_state& s, const feed_key& key, std::uint32_t replica) {
  const auto period = s.params.reshuffle_period_slots;
  if (period == 0) return block_number{0};
  const auto offset = draw_below(s.randomness, "next move " + to_hex(key.bytes) + "/" + std::to_string(replica), period);
  return block_number{s.number.value + period + offset};
}

void reshuffle_replicas(chain_state& s, std::vector<chain_event>& events) {
  if (s.params.reshuffle_period_slots == 0) return;
  struct due {
    block_number at;
    feed_key feed;
    std::uint32_t replica;
  };
  std::vector<due> waiting;
  for (const auto& [key, f] : s.feeds) {
    // A feed being repaired, or already moving one, is left alone until it is whole again.
    if (f.state != hosting_state::pinned || moving(f)) continue;
    for (std::size_t i = 0; i < f.replicas.size(); ++i) {
      const auto& r = f.replicas[i];
      if (r.state == replica_state::active && r.next_move_at.value != 0 && r.next_move_at <= s.number)
        waiting.push_back({r.next_move_at, key, static_cast<std::uint32_t>(i)});
    }
  }
  std::sort(waiting.begin(), waiting.end(), [](const due& a, const due& b) {
    if (a.at != b.at) return a.at < b.at;
    if (a.feed != b.feed) return a.feed < b.feed;
    return a.replica < b.replica;
  });
  std::size_t tries = 0;
  for (const auto& d : waiting) {
    if (tries == chain_limits::moves_per_block_max) break;
    if (moving(s.feeds.at(d.feed))) continue;  // one move per feed: another of its replicas just started
    ++tries;
    start_move(s, d.feed, d.replica, events);
  }
}

void retire_replaced(chain_state& s, const feed_key& key, std::uint32_t replacement, std::vector<chain_event>& events) {
  auto& f = s.feeds.at(key);
  for (std::size_t i = 0; i < f.replicas.size(); ++i) {
    auto& r = f.replicas[i];
    if (r.replacement != replacement) continue;
    DATDOT_INVARIANT(r.state == replica_state::active);  // abandon_move unlinks a moving replica that ends otherwise
    r.state = replica_state::retired;
    r.extension.reset();
    r.replacement.reset();
    if (auto node = s.nodes.find(r.hoster); node != s.nodes.end()) node->second.reserved_bytes -= f.byte_size;
    events.push_back(replica_retired{key, static_cast<std::uint32_t>(i), r.hoster, replacement});
  }
}

void abandon_move(chain_state& s, const feed_key& key, std::uint32_t replica) {
  auto& f = s.feeds.at(key);
  f.replicas.at(replica).replacement.reset();
  for (auto& r : f.replicas)
    if (r.replacement == replica) {
      r.replacement.reset();
      r.next_move_at = retry_at(s);
    }
}

}  // namespace datdot

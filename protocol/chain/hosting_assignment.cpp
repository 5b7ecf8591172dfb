#include "protocol/chain/hosting_assignment.hpp"

#include <algorithm>
#include <string>

#include "crypto/blake2b.hpp"
#include "crypto/bytes.hpp"
#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/hosting_payment.hpp"
#include "protocol/chain/invariant.hpp"
#include "protocol/chain/replica_extension.hpp"
#include "protocol/chain/replica_reshuffle.hpp"
#include "protocol/chain/sealing_deadline.hpp"
#include "protocol/chain/selection.hpp"
#include "protocol/chain/storage_challenges.hpp"

namespace datdot {
namespace {

// The replicas that count towards what a feed wants: a moving one's
// replacement counts in its place, so a move neither asks for a repair nor
// hides one that another replica's failure needs meanwhile.
std::size_t kept_count(const feed_record& f) {
  return static_cast<std::size_t>(std::count_if(f.replicas.begin(), f.replicas.end(), [](const replica_record& r) {
    return is_live(r) && !r.replacement;
  }));
}

std::uint64_t weight_of(const chain_state& s, const account_id& a) {
  const auto account = s.accounts.find(a);
  const auto whole = account == s.accounts.end() ? 0 : account->second.balance.units / chain_limits::ratio_units_per_one;
  return 1 + std::min<std::uint64_t>(whole, chain_limits::selection_weight_max - 1);
}

// One draw among `candidates` by ratio weight; nothing when there are none.
std::optional<account_id> draw(const chain_state& s, const std::vector<account_id>& candidates,
                               const std::string& purpose) {
  std::vector<std::uint64_t> weights;
  weights.reserve(candidates.size());
  for (const auto& a : candidates) weights.push_back(weight_of(s, a));
  const auto picked = sample_weighted(s.randomness, purpose, weights, 1);
  if (picked.empty()) return std::nullopt;
  return candidates[picked.front()];
}

// Whether `id` is the hoster (or the encoder) of a live replica of the feed.
bool in_live_replica(const feed_record& f, account_id replica_record::*member, const account_id& id) {
  return std::any_of(f.replicas.begin(), f.replicas.end(),
                     [&](const replica_record& r) { return is_live(r) && r.*member == id; });
}

hash32 replica_key_of(const hash32& randomness, const feed_key& feed, std::uint32_t replica) {
  blake2b_stream h;
  h.update(as_bytes("datdot replica key"));
  h.update(randomness);
  h.update(feed.bytes);
  const std::array<byte, 4> n{static_cast<byte>(replica >> 24), static_cast<byte>(replica >> 16),
                              static_cast<byte>(replica >> 8), static_cast<byte>(replica)};
  h.update(n);
  return h.finish();
}

}  // namespace

std::optional<std::uint32_t> assign_replica(chain_state& s, const feed_key& key, std::vector<chain_event>& events) {
  auto& f = s.feeds.at(key);
  // An ended replica's slot is reused, so a feed never holds more slots than it wants (plus one moving).
  const auto slot = std::find_if(f.replicas.begin(), f.replicas.end(), [](const replica_record& r) { return !is_live(r); });
  const auto number = static_cast<std::uint32_t>(slot - f.replicas.begin());
  // The hoster that just lost this slot's replica (it failed challenges, went
  // dark, had no room) is not given it again: it may still be registered.
  const std::optional<account_id> lost =
      slot != f.replicas.end() ? std::optional<account_id>{slot->hoster} : std::nullopt;
  // Encoders that seal no live replica of this feed come first: one feed's
  // sealings then run on different machines at once (3 replicas on 2 encoders
  // take two sealing times, not up to three), and no one encoder knows the
  // sealing of every replica.
  std::vector<account_id> hosters, encoders, encoders_new_to_feed;
  for (const auto& entry : s.nodes) {
    // Named, not a structured binding: clang 14 (the fuzz build) cannot capture those.
    const auto& id = entry.first;
    const auto& node = entry.second;
    if (id == f.publisher) continue;
    if (node.roles.contains(role::hoster) && !in_live_replica(f, &replica_record::hoster, id) && id != lost &&
        node.capacity_bytes - node.reserved_bytes >= f.byte_size)
      hosters.push_back(id);
    const bool barred = std::any_of(f.replicas.begin(), f.replicas.end(), [&](const replica_record& r) {
      return (r.state == replica_state::badly_sealed || r.state == replica_state::sealing_timed_out ||
              r.state == replica_state::sealing_withheld) &&
             r.encoder == id;
    });
    if (!node.roles.contains(role::encoder) || barred) continue;
    encoders.push_back(id);
    if (!in_live_replica(f, &replica_record::encoder, id)) encoders_new_to_feed.push_back(id);
  }
  const std::string purpose = to_hex(key.bytes) + "/" + std::to_string(number);
  const auto hoster = draw(s, hosters, "hoster " + purpose);
  if (!hoster) return std::nullopt;
  std::erase(encoders, *hoster);
  std::erase(encoders_new_to_feed, *hoster);
  const auto encoder = draw(s, encoders_new_to_feed.empty() ? encoders : encoders_new_to_feed, "encoder " + purpose);
  if (!encoder) return std::nullopt;
  s.nodes.at(*hoster).reserved_bytes += f.byte_size;
  const auto& sealing = s.nodes.at(*encoder);
  replica_record fresh{*hoster, *encoder, replica_key_of(s.randomness, key, number), replica_state::encoding,
                       s.number};
  fresh.seal_codec = sealing.seal_codec;
  fresh.seal_key = sealing.seal_key;
  fresh.covers = head_of(f);
  fresh.root_due = root_due_for(s, f.byte_size);
  if (number < f.replicas.size())
    f.replicas[number] = fresh;
  else
    f.replicas.push_back(fresh);
  DATDOT_INVARIANT(f.replicas.size() <= chain_limits::replica_slots_per_feed_max);
  events.push_back(replica_assigned{key, number, *hoster, *encoder});
  return number;
}

void update_hosting_state(feed_record& f, const feed_key& key, std::vector<chain_event>& events) {
  const auto next = hosting_state_of(f);
  if (next == f.state) return;
  f.state = next;
  events.push_back(hosting_state_changed{key, next});
}

hosting_state hosting_state_of(const feed_record& f) {
  if (f.state == hosting_state::failed) return hosting_state::failed;
  const auto active = std::count_if(f.replicas.begin(), f.replicas.end(),
                                    [](const replica_record& r) { return r.state == replica_state::active; });
  if (static_cast<std::uint32_t>(active) >= f.replicas_wanted) return hosting_state::pinned;
  return kept_count(f) == 0 ? hosting_state::queued : hosting_state::pinning;
}

void assign_replicas(chain_state& s, std::vector<chain_event>& events) {
  struct waiting {
    std::uint64_t publisher_units;
    block_number published_at;
    feed_key key;
  };
  std::vector<waiting> queue;
  for (const auto& [key, f] : s.feeds) {
    if (f.state == hosting_state::failed || kept_count(f) >= f.replicas_wanted) continue;
    const auto account = s.accounts.find(f.publisher);
    queue.push_back({account == s.accounts.end() ? 0 : account->second.balance.units, f.published_at, key});
  }
  // Higher-ratio publishers first when capacity is short, then the older request.
  std::sort(queue.begin(), queue.end(), [](const waiting& a, const waiting& b) {
    if (a.publisher_units != b.publisher_units) return a.publisher_units > b.publisher_units;
    if (a.published_at != b.published_at) return a.published_at < b.published_at;
    return a.key < b.key;
  });
  std::size_t budget = chain_limits::assignments_per_block_max;
  for (const auto& w : queue) {
    auto& f = s.feeds.at(w.key);
    while (budget > 0 && kept_count(f) < f.replicas_wanted && assign_replica(s, w.key, events))
      --budget;
    update_hosting_state(f, w.key, events);
    if (budget == 0) break;
  }
}

void fail_replica(chain_state& s, const feed_key& key, std::uint32_t replica, std::vector<chain_event>& events,
                  replica_state end) {
  auto& f = s.feeds.at(key);
  auto& r = f.replicas.at(replica);
  if (!is_live(r)) return;
  DATDOT_INVARIANT(end != replica_state::encoding && end != replica_state::active);
  r.state = end;
  r.extension.reset();
  if (auto node = s.nodes.find(r.hoster); node != s.nodes.end()) node->second.reserved_bytes -= f.byte_size;
  events.push_back(replica_failed{key, replica, r.hoster});
  abandon_move(s, key, replica);
}

void activate_replica(chain_state& s, const feed_key& key, std::uint32_t replica, std::vector<chain_event>& events) {
  auto& r = s.feeds.at(key).replicas.at(replica);
  r.state = replica_state::active;
  r.next_challenge_at = next_challenge_after(s, key, replica);
  r.next_move_at = next_move_after(s, key, replica);
  const replica_activated activated{key, replica, r.encoder, r.covers.length, r.covers.byte_size};
  events.push_back(activated);
  // A replacement that is live ends the move it was made for: the one it replaces is released.
  retire_replaced(s, key, replica, events);
  if (!pay_from_feed(s, key, activated.encoder, price_for(s.params, activated.bytes), events)) return;
  // The feed may have grown while this replica was encoded.
  extend_if_behind(s, key, replica, events);
}

void end_hosting(chain_state& s, const feed_key& key, std::vector<chain_event>& events) {
  auto& f = s.feeds.at(key);
  for (std::size_t i = 0; i < f.replicas.size(); ++i) fail_replica(s, key, static_cast<std::uint32_t>(i), events);
  if (f.state == hosting_state::failed) return;
  f.state = hosting_state::failed;
  events.push_back(hosting_state_changed{key, hosting_state::failed});
}

void fail_replicas_of(chain_state& s, const account_id& hoster, std::vector<chain_event>& events) {
  for (auto& [key, f] : s.feeds) {
    for (std::size_t i = 0; i < f.replicas.size(); ++i)
      if (f.replicas[i].hoster == hoster) fail_replica(s, key, static_cast<std::uint32_t>(i), events);
    update_hosting_state(f, key, events);
  }
}

}  // namespace datdot

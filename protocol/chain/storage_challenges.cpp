#include "protocol/chain/storage_challenges.hpp"

#include <algorithm>
#include <bit>
#include <string>

#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/hosting_assignment.hpp"
#include "protocol/chain/hosting_payment.hpp"
#include "protocol/chain/selection.hpp"

namespace datdot {
namespace {

std::string purpose_of(const char* what, const feed_key& key, std::uint32_t replica) {
  return std::string{what} + " " + to_hex(key.bytes) + "/" + std::to_string(replica);
}

// Picked attesters that had not reported by the deadline, after the outcome they missed.
void record_missed(std::uint64_t id, const challenge_record& c, std::vector<chain_event>& events) {
  for (const auto& picked : c.attesters)
    if (std::none_of(c.attestations.begin(), c.attestations.end(),
                     [&](const attestation_record& a) { return a.attester == picked; }))
      events.push_back(attestation_missed{id, picked});
}

void resolve_outcome(chain_state& s, std::uint64_t id, const challenge_record& c, std::vector<chain_event>& events) {
  auto& f = s.feeds.at(c.feed);
  auto& r = f.replicas.at(c.replica);
  const auto hoster = r.hoster;
  // The replica may have ended meanwhile (its hoster left, the feed stopped
  // paying), and its slot may hold another one by now.
  if (r.state != replica_state::active || !challenges_current_replica(c, r)) {
    events.push_back(challenge_lapsed{id, c.feed, c.replica});
    return;
  }
  const bool refused = !c.attestations.empty() &&
                       std::none_of(c.attestations.begin(), c.attestations.end(),
                                    [](const attestation_record& a) { return a.served; });
  const bool passed = c.proved && !refused;
  if (passed) {
    r.failures = 0;
    ++r.passed;
  } else {
    ++r.failures;
  }
  events.push_back(challenge_resolved{id, c.feed, c.replica, hoster, passed, r.failures});
  if (passed) {
    // Paid for what it proved it keeps: the head its replica covers.
    pay_from_feed(s, c.feed, hoster, price_for(s.params, r.covers.byte_size), events);
  } else if (r.failures >= s.params.challenge_failures_max) {
    fail_replica(s, c.feed, c.replica, events);
    update_hosting_state(f, c.feed, events);
  }
}

void resolve(chain_state& s, std::uint64_t id, const challenge_record& c, std::vector<chain_event>& events) {
  for (const auto& a : c.attestations) pay_from_feed(s, c.feed, a.attester, ratio{s.params.attestation_units}, events);
  resolve_outcome(s, id, c, events);
  record_missed(id, c, events);
}

std::vector<account_id> attesters_for(const chain_state& s, const feed_record& f, const replica_record& r,
                                      const std::string& purpose) {
  std::vector<account_id> candidates;
  for (const auto& entry : s.nodes)
    if (entry.second.roles.contains(role::attester) && entry.first != r.hoster && entry.first != r.encoder &&
        entry.first != f.publisher)
      candidates.push_back(entry.first);
  const std::vector<std::uint64_t> equal(candidates.size(), 1);
  std::vector<account_id> out;
  for (auto i : sample_weighted(s.randomness, purpose, equal, s.params.attesters_per_challenge))
    out.push_back(candidates[i]);
  return out;
}

void issue(chain_state& s, const feed_key& key, std::uint32_t replica, std::vector<chain_event>& events) {
  const auto& f = s.feeds.at(key);
  auto& r = s.feeds.at(key).replicas.at(replica);
  // Within what the replica's agreed trees cover, whatever the feed grew to since.
  challenge_record c{key, replica, draw_below(s.randomness, purpose_of("challenge index", key, replica), r.covers.length),
                     s.number, block_number{s.number.value + s.params.challenge_deadline_blocks}};
  c.attesters = attesters_for(s, f, r, purpose_of("attesters", key, replica));
  r.next_challenge_at = next_challenge_after(s, key, replica);
  const auto id = s.next_challenge_id++;
  events.push_back(challenge_issued{id, key, replica, r.hoster, c.index, c.deadline, c.attesters});
  s.challenges.emplace(id, std::move(c));
}

}  // namespace

bool challenges_current_replica(const challenge_record& c, const replica_record& r) {
  return r.assigned_at < c.issued_at;
}

block_number next_challenge_after(const chain_state& s, const feed_key& key, std::uint32_t replica) {
  const auto period = s.params.challenge_period_slots;
  return block_number{s.number.value + period / 2 + 1 + draw_below(s.randomness, purpose_of("next challenge", key, replica), period)};
}

void run_challenges(chain_state& s, std::vector<chain_event>& events) {
  while (!s.challenges.empty() && s.challenges.begin()->second.deadline <= s.number) {
    // Ids grow with issue time and every deadline is issue + the same delay, so the first is the oldest.
    auto node = s.challenges.extract(s.challenges.begin());
    resolve(s, node.key(), node.mapped(), events);
  }
  struct due {
    block_number at;
    feed_key feed;
    std::uint32_t replica;
  };
  std::vector<due> waiting;
  for (const auto& [key, f] : s.feeds)
    for (std::size_t i = 0; i < f.replicas.size(); ++i)
      if (f.replicas[i].state == replica_state::active && f.replicas[i].next_challenge_at <= s.number)
        waiting.push_back({f.replicas[i].next_challenge_at, key, static_cast<std::uint32_t>(i)});
  std::sort(waiting.begin(), waiting.end(), [](const due& a, const due& b) {
    if (a.at != b.at) return a.at < b.at;
    if (a.feed != b.feed) return a.feed < b.feed;
    return a.replica < b.replica;
  });
  // Oldest due first, and in that order only: a large proof is not passed over for small ones.
  std::size_t budget = chain_limits::challenge_bytes_per_block_max;
  for (std::size_t i = 0; i < waiting.size(); ++i) {
    const auto cost = challenge_bytes(s.params, s.feeds.at(waiting[i].feed).replicas.at(waiting[i].replica));
    if (i > 0 && cost > budget) break;
    budget -= std::min(cost, budget);
    issue(s, waiting[i].feed, waiting[i].replica, events);
  }
}

std::size_t challenge_bytes(const chain_params& p, const replica_record& r) {
  using namespace chain_limits;
  // No block is larger than the head the replica covers, nor than a proof may carry.
  const auto plain = static_cast<std::size_t>(std::min<std::uint64_t>(r.covers.byte_size, storage_proof_plain_bytes_max));
  // A path or a root list of a tree of n leaves holds at most bit_width(n) + 1 nodes.
  const auto nodes = std::min<std::size_t>(std::bit_width(r.covers.length) + 1, storage_proof_nodes_max);
  const auto proof = storage_proof_fixed_bytes + sealed_size(r.seal_codec, plain) + 4 * (4 + nodes * tree_node_bytes);
  return proof + p.attesters_per_challenge * attestation_bytes_max;
}

}  // namespace datdot

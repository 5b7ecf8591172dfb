// Shared by the hosting tests: a chain state with hosters, encoders and
// attesters registered, publishers with real signed feeds, replicas sealed
// with the test encoder's key, and blocks advanced by the runtime's own
// end-of-block hosting step (assignment, then challenges).
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "chain/chain_fixture.hpp"
#include "crypto/blake2b.hpp"
#include "crypto/proof.hpp"
#include "protocol/chain/apply_extrinsic.hpp"
#include "protocol/chain/block_execution.hpp"
#include "protocol/chain/update_feed_call.hpp"
#include "support/tree_with_nodes.hpp"

namespace datdot::test {

inline constexpr std::uint64_t feed_length = 10;
inline constexpr std::uint64_t feed_block_bytes = 4'000;
inline constexpr std::uint64_t feed_bytes = feed_length * feed_block_bytes;

// A published feed's blocks and tree, as its publisher holds them, and the feed's signing key.
struct test_feed {
  std::vector<bytes> blocks;
  tree_with_nodes tree;
  key_pair signer;
};

// A replica sealed by the test encoder for a replica key, as its hoster holds it.
struct sealed_replica {
  std::vector<bytes> sealed;
  tree_with_nodes tree;
  replica_commitment commitment() const { return commit_replica(tree.tree.roots()); }
};

inline sealed_replica seal_replica(const test_feed& feed, const hash32& key) {
  sealed_replica out;
  for (std::uint64_t i = 0; i < feed.blocks.size(); ++i) {
    out.sealed.push_back(test_sealer().seal(key, i, feed.blocks[i]).value());
    out.tree.append(out.sealed.back());
  }
  return out;
}

inline storage_proof prove(const test_feed& feed, const sealed_replica& replica, std::uint64_t index) {
  return {index,
          replica.sealed.at(index),
          feed.blocks.at(index).size(),
          replica.tree.path(index),
          replica.tree.tree.roots(),
          feed.tree.path(index)};
}

template <class T>
std::size_t count_events(const std::vector<chain_event>& events) {
  return static_cast<std::size_t>(
      std::count_if(events.begin(), events.end(), [](const chain_event& e) { return std::holds_alternative<T>(e); }));
}

template <class T>
std::vector<T> events_of(const std::vector<chain_event>& events) {
  std::vector<T> out;
  for (const auto& e : events)
    if (const auto* x = std::get_if<T>(&e)) out.push_back(*x);
  return out;
}

// The bytes of block `i` of the feed published with index `index`.
inline bytes feed_block(std::uint64_t index, std::uint64_t i) {
  bytes b(feed_block_bytes);
  for (std::size_t j = 0; j < b.size(); ++j) b[j] = static_cast<byte>(index * 31 + i * 7 + j);
  return b;
}

struct hosting_fixture {
  chain_fixture f;
  chain_state s;
  std::vector<chain_event> events;
  std::vector<key_pair> publishers, hosters, encoders, attesters;
  std::map<feed_key, test_feed> feeds;

  hosting_fixture(std::size_t hoster_count, std::uint64_t capacity, std::size_t encoder_count = 2,
                  std::size_t attester_count = 0, chain_params params = {})
      : f{4, 0, params}, s{f.gen.state} {
    for (std::size_t i = 0; i < hoster_count; ++i) hosters.push_back(join(100 + i, role::hoster, capacity));
    for (std::size_t i = 0; i < encoder_count; ++i) encoders.push_back(join(200 + i, role::encoder, 0));
    for (std::size_t i = 0; i < attester_count; ++i) attesters.push_back(join(400 + i, role::attester, 0));
  }

  key_pair join(std::uint64_t index, role r, std::uint64_t capacity) {
    const auto k = test_key(index);
    role_set roles;
    roles.add(r);
    apply(k, test_registration(roles, capacity, "tcp://127.0.0.1:" + std::to_string(7000 + index)));
    return k;
  }

  void apply(const key_pair& k, call c) {
    const auto account = s.accounts.find(id_of(k));
    const auto nonce = account == s.accounts.end() ? 0 : account->second.nonce;
    auto r = apply_extrinsic(s, make_extrinsic(f.chain(), k, nonce, std::move(c)), events);
    if (!r) FAIL(r.err().describe());
  }

  // Applies a call that must be refused, checks it changed nothing, and returns why.
  chain_errc rejected(const key_pair& k, call c) {
    const auto before = s;
    std::vector<chain_event> ignored;
    const auto account = s.accounts.find(id_of(k));
    auto r = apply_extrinsic(s, make_extrinsic(f.chain(), k, account == s.accounts.end() ? 0 : account->second.nonce,
                                               std::move(c)),
                             ignored);
    REQUIRE_FALSE(r);
    CHECK(s == before);
    return r.err().code;
  }

  // A publisher with `units` of ratio asks for `replicas` replicas of a new,
  // really signed feed of `length` blocks.
  feed_key publish(std::uint64_t index, std::uint64_t units, std::uint32_t replicas,
                   std::uint64_t length = feed_length) {
    const auto p = join(index, role::publisher, 0);
    s.accounts.at(id_of(p)).balance = ratio{units};
    publishers.push_back(p);
    const auto signer = test_key(index + 5000);
    test_feed feed;
    feed.signer = signer;
    for (std::uint64_t i = 0; i < length; ++i) {
      feed.blocks.push_back(feed_block(index, i));
      feed.tree.append(feed.blocks.back());
    }
    publish_feed x;
    x.signer = signer.pk;
    x.length = length;
    x.byte_size = length * feed_block_bytes;
    x.tree_hash = feed.tree.tree.hash();
    x.tree_signature = sign(feed_identity{signer.pk, x.mode}.signable(x.tree_hash, x.length, x.fork), signer.sk);
    x.replicas = replicas;
    apply(p, x);
    const feed_key key{feed_identity{signer.pk, x.mode}.core_key()};
    feeds.emplace(key, std::move(feed));
    return key;
  }

  void next_block(std::uint64_t seed) {
    s.randomness = blake2b_256(as_bytes("block " + std::to_string(seed)));
    s.number = block_number{s.number.value + 1};
    run_hosting(s, events);
  }

  // Jumps to the block that ends the hoster's answer window of replica `i`
  // (sealing_dispute.hpp), with no blocks between: nothing else comes due.
  void end_answer_window(const feed_key& key, std::uint32_t i, std::uint64_t seed) {
    const auto due = s.feeds.at(key).replicas.at(i).answer_due;
    REQUIRE(due.value > s.number.value);
    s.number = block_number{due.value - 1};
    next_block(seed);
  }

  const key_pair& signer_of(const account_id& id) const {
    for (const auto* group : {&hosters, &encoders, &attesters, &publishers})
      for (const auto& k : *group)
        if (id_of(k) == id) return k;
    FAIL("not a fixture node");
    return hosters.front();
  }

  // Encoder and hoster of replica `i` commit to the honestly sealed tree; returns the replica.
  sealed_replica activate(const feed_key& key, std::uint32_t i) {
    const auto r = s.feeds.at(key).replicas.at(i);
    auto sealed = seal_replica(feeds.at(key), r.replica_key);
    const auto c = sealed.commitment();
    apply(signer_of(r.hoster), submit_replica_root{key, i, c.tree_hash, c.length});
    apply(signer_of(r.encoder), submit_replica_root{key, i, c.tree_hash, c.length});
    REQUIRE(s.feeds.at(key).replicas.at(i).state == replica_state::active);
    return sealed;
  }

  // All ratio in accounts and feed backings: only genesis and test set-up create any.
  std::uint64_t total_ratio() const {
    std::uint64_t sum = 0;
    for (const auto& [id, a] : s.accounts) sum += a.balance.units;
    for (const auto& [key, feed] : s.feeds) sum += feed.backing.units;
    return sum;
  }

  // No hoster has promised more than it offers, and each promise is exactly
  // the bytes of the live replicas it holds.
  void check_capacity() const {
    std::map<account_id, std::uint64_t> held;
    for (const auto& [key, feed] : s.feeds)
      for (const auto& r : feed.replicas)
        if (is_live(r)) held[r.hoster] += feed.byte_size;
    for (const auto& [id, node] : s.nodes) {
      CHECK(node.reserved_bytes <= node.capacity_bytes);
      CHECK(node.reserved_bytes == held[id]);
    }
  }
};

// The publisher appends `count` blocks to its copy of feed `key` and signs the new head.
inline update_feed append(hosting_fixture& h, const feed_key& key, std::uint64_t count) {
  auto& feed = h.feeds.at(key);
  const auto old_length = feed.tree.tree.length();
  for (std::uint64_t i = 0; i < count; ++i) {
    feed.blocks.push_back(feed_block(999, old_length + i));
    feed.tree.append(feed.blocks.back());
  }
  const auto length = feed.tree.tree.length();
  const feed_identity identity{feed.signer.pk, signing_mode::manifest_v1};
  const auto sig = sign(identity.signable(feed.tree.tree.hash(), length, 0), feed.signer.sk);
  return make_update_feed(key, feed.tree.lookup(), old_length, length, sig).value();
}

// The feed as it was at `length` blocks (its publisher's copy keeps every node).
inline test_feed prefix(const test_feed& feed, std::uint64_t length) {
  test_feed out;
  out.signer = feed.signer;
  for (std::uint64_t i = 0; i < length; ++i) {
    out.blocks.push_back(feed.blocks.at(i));
    out.tree.append(out.blocks.back());
  }
  return out;
}

// Advances blocks until one opens a challenge; returns it (fails after `limit` blocks).
inline challenge_issued next_challenge(hosting_fixture& h, std::uint64_t& seed, std::uint64_t limit = 100) {
  for (std::uint64_t i = 0; i < limit; ++i) {
    const auto before = h.events.size();
    h.next_block(++seed);
    const std::vector<chain_event> fresh(h.events.begin() + static_cast<std::ptrdiff_t>(before), h.events.end());
    const auto issued = events_of<challenge_issued>(fresh);
    if (!issued.empty()) return issued.front();
  }
  FAIL("no challenge within the limit");
  return {};
}

inline std::vector<challenge_resolved> run_until_resolved(hosting_fixture& h, std::uint64_t& seed, std::uint64_t id) {
  while (h.s.challenges.contains(id)) h.next_block(++seed);
  std::vector<challenge_resolved> out;
  for (const auto& r : events_of<challenge_resolved>(h.events))
    if (r.challenge == id) out.push_back(r);
  return out;
}

}  // namespace datdot::test

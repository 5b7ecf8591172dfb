// A deterministic in-memory network of pure validators for the chain tests:
// one seeded PRNG for delays, loss and Byzantine choices; virtual time in ms;
// slots tick every slot_duration_ms. Nodes can go offline (isolated), be
// partitioned, equivocate as leaders or double-vote. Blocks, votes and
// commits travel as canonical bytes and are decoded on arrival, as on the bus.
// The invariant checker (conflicting finality) is apart from the traffic.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "chain/chain_fixture.hpp"
#include "protocol/chain/validator.hpp"

namespace datdot::test {

struct network_options {
  std::size_t validators = 4;  // genesis set: keys 0..validators-1
  std::size_t extra_nodes = 0;  // running nodes outside the genesis set (keys validators..)
  std::uint64_t seed = 1;
  std::uint64_t slot_duration_ms = 1000;
  std::uint64_t epoch_length_slots = 600;
  std::uint64_t delay_ms_min = 5;
  std::uint64_t delay_ms_max = 150;
  std::uint32_t loss_per_mille = 0;
  std::set<std::size_t> equivocators;   // send two different blocks for each slot they lead
  std::set<std::size_t> double_voters;  // send two different votes for each vote
};

// splitmix64: tiny, fast, the same on every platform.
class sim_random {
 public:
  explicit sim_random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) { return next() % n; }

 private:
  std::uint64_t state_;
};

class sim_network {
 public:
  explicit sim_network(network_options options);

  // Runs until the start of slot `last` (inclusive), delivering everything due.
  void run_until_slot(std::uint64_t last);
  std::uint64_t current_slot() const { return slot_; }

  void set_online(std::size_t node, bool online);
  // Nodes in different groups cannot reach each other; heal() puts all in group 0.
  void partition(const std::vector<std::size_t>& group_of_node);
  void heal();
  void submit(std::size_t node, const extrinsic& x);

  std::size_t size() const { return nodes_.size(); }
  const validator& node(std::size_t i) const { return *nodes_[i].v; }
  const chain_fixture& fixture() const { return fixture_; }
  const key_pair& key(std::size_t i) const { return keys_[i]; }

  // Invariant: no two finalized blocks (at any nodes, any time) conflict.
  bool safe() const { return conflicts_.empty(); }
  const std::vector<std::string>& conflicts() const { return conflicts_; }
  // Finality lag of every (node, block) finalization, in ms after the block's slot start.
  const std::vector<std::uint64_t>& finality_lags_ms() const { return lags_ms_; }
  std::uint64_t rejected(chain_errc code) const;

 private:
  struct message {
    std::size_t to;
    std::size_t from;
    std::variant<bytes /*block*/, signed_vote, justification, catch_up, extrinsic, block_hash /*request*/,
                 finality_timer>
        body;
  };
  struct event {
    std::uint64_t at_ms;
    std::uint64_t seq;
    message m;
    bool operator>(const event& o) const { return at_ms != o.at_ms ? at_ms > o.at_ms : seq > o.seq; }
  };
  struct sim_node {
    std::unique_ptr<validator> v;
    bool online = true;
    std::size_t group = 0;
    std::map<block_hash, block> store;  // what the chain store would hold
    std::set<block_hash> finalized;     // every block this node knows is final
  };

  bool reachable(std::size_t from, std::size_t to) const;
  void send(std::size_t from, std::size_t to, decltype(message::body) body);
  void broadcast(std::size_t from, const decltype(message::body)& body);
  void deliver(const message& m);
  void execute(std::size_t node, effects out);
  void equivocate(std::size_t node, const block& b);
  void double_vote(std::size_t node, const signed_vote& v);
  void answer_request(std::size_t node, const block_hash& hash);
  void record_finality(std::size_t node, const block_hash& hash);

  network_options options_;
  chain_fixture fixture_;
  std::vector<key_pair> keys_;
  std::vector<sim_node> nodes_;
  sim_random random_;
  std::priority_queue<event, std::vector<event>, std::greater<event>> queue_;
  std::uint64_t now_ms_ = 0;
  std::uint64_t slot_ = 0;
  std::uint64_t seq_ = 0;
  std::map<block_hash, std::pair<block_hash, block_number>> all_blocks_;  // hash -> parent, number
  std::map<block_hash, slot_number> block_slots_;
  std::map<block_number, block_hash> canonical_;  // finalized chain as seen by anyone
  std::vector<std::string> conflicts_;
  std::vector<std::uint64_t> lags_ms_;
  std::map<chain_errc, std::uint64_t> rejected_;
};

}  // namespace datdot::test

#include "chain/sim_network.hpp"

#include <algorithm>

#include "protocol/chain/randomness.hpp"

namespace datdot::test {
namespace {

chain_params params_for(const network_options& o) {
  chain_params p;
  p.slot_duration_ms = o.slot_duration_ms;
  p.epoch_length_slots = o.epoch_length_slots;
  return p;
}

// Prevote after a quarter slot, precommit after half a slot: longer than the
// typical delay, so honest voters usually see each other before the timers.
finality_timing timing_for(const network_options& o) {
  return finality_timing{o.slot_duration_ms / 4, o.slot_duration_ms / 2};
}

constexpr std::size_t sync_batch_blocks = 32;

}  // namespace

sim_network::sim_network(network_options options)
    : options_(std::move(options)), fixture_(options_.validators, 4, params_for(options_)), random_(options_.seed) {
  keys_ = fixture_.validators;
  for (std::size_t i = 0; i < options_.extra_nodes; ++i) keys_.push_back(test_key(options_.validators + i));
  all_blocks_.emplace(fixture_.gen.hash, std::pair{block_hash{}, block_number{0}});
  block_slots_.emplace(fixture_.gen.hash, slot_number{0});
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    effects out;
    nodes_.push_back(sim_node{std::make_unique<validator>(fixture_.gen, keys_[i], timing_for(options_), out)});
    execute(i, std::move(out));
  }
}

std::uint64_t sim_network::rejected(chain_errc code) const {
  const auto it = rejected_.find(code);
  return it == rejected_.end() ? 0 : it->second;
}

void sim_network::set_online(std::size_t node, bool online) { nodes_[node].online = online; }

void sim_network::partition(const std::vector<std::size_t>& group_of_node) {
  for (std::size_t i = 0; i < nodes_.size(); ++i) nodes_[i].group = group_of_node[i];
}

void sim_network::heal() {
  for (auto& n : nodes_) n.group = 0;
}

void sim_network::submit(std::size_t node, const extrinsic& x) { execute(node, nodes_[node].v->on_transaction(x)); }

bool sim_network::reachable(std::size_t from, std::size_t to) const {
  return nodes_[from].online && nodes_[to].online && nodes_[from].group == nodes_[to].group;
}

void sim_network::send(std::size_t from, std::size_t to, decltype(message::body) body) {
  if (!reachable(from, to)) return;
  if (options_.loss_per_mille > 0 && random_.below(1000) < options_.loss_per_mille) return;
  const auto delay = options_.delay_ms_min + random_.below(options_.delay_ms_max - options_.delay_ms_min + 1);
  queue_.push(event{now_ms_ + delay, seq_++, message{to, from, std::move(body)}});
}

void sim_network::broadcast(std::size_t from, const decltype(message::body)& body) {
  for (std::size_t to = 0; to < nodes_.size(); ++to)
    if (to != from) send(from, to, body);
}

void sim_network::run_until_slot(std::uint64_t last) {
  while (slot_ < last) {
    const auto next_slot_ms = (slot_ + 1) * options_.slot_duration_ms;
    while (!queue_.empty() && queue_.top().at_ms < next_slot_ms) {
      const auto e = queue_.top();
      queue_.pop();
      now_ms_ = e.at_ms;
      deliver(e.m);
    }
    now_ms_ = next_slot_ms;
    ++slot_;
    // Every node's clock ticks; an offline node keeps running, unreachable.
    for (std::size_t i = 0; i < nodes_.size(); ++i) execute(i, nodes_[i].v->on_slot(slot_number{slot_}));
  }
}

void sim_network::deliver(const message& m) {
  auto& v = *nodes_[m.to].v;
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, bytes>) {
          auto b = decode_block(body);
          if (b) execute(m.to, v.on_block(*b));
        } else if constexpr (std::is_same_v<T, signed_vote>) {
          auto decoded = decode_signed_vote(encode_signed_vote(body));
          execute(m.to, v.on_vote(decoded.value()));
        } else if constexpr (std::is_same_v<T, justification>) {
          execute(m.to, v.on_commit(decode_justification(encode_justification(body)).value()));
        } else if constexpr (std::is_same_v<T, catch_up>) {
          execute(m.to, v.on_catch_up(body));
        } else if constexpr (std::is_same_v<T, extrinsic>) {
          execute(m.to, v.on_transaction(decode_extrinsic(encode_extrinsic(body)).value()));
        } else if constexpr (std::is_same_v<T, block_hash>) {
          answer_request(m.to, body);  // m.to holds the request; answer goes to m.from
        } else {
          execute(m.to, v.on_timeout(body));
        }
      },
      m.body);
}

void sim_network::answer_request(std::size_t node, const block_hash& hash) {
  // `node` asked for `hash`: a reachable peer that has it sends it with its ancestors.
  std::vector<std::size_t> peers;
  for (std::size_t p = 0; p < nodes_.size(); ++p)
    if (p != node && reachable(p, node) && nodes_[p].store.contains(hash)) peers.push_back(p);
  if (peers.empty()) return;
  const auto& peer = nodes_[peers[random_.below(peers.size())]];
  std::vector<const block*> chain;
  // Down to the first block the requester already has (a sync protocol
  // would send its finalized height along).
  for (auto h = hash; chain.size() < sync_batch_blocks && !nodes_[node].store.contains(h);) {
    const auto it = peer.store.find(h);
    if (it == peer.store.end()) break;
    chain.push_back(&it->second);
    h = it->second.header.header.parent;
  }
  for (auto it = chain.rbegin(); it != chain.rend(); ++it)
    send(static_cast<std::size_t>(&peer - nodes_.data()), node, encode_block(**it));
}

void sim_network::execute(std::size_t node, effects out) {
  for (auto& effect : out) {
    std::visit(
        [&](auto& e) {
          using T = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<T, gossip_block>) {
            if (options_.equivocators.contains(node))
              equivocate(node, e.b);
            else
              broadcast(node, encode_block(e.b));
          } else if constexpr (std::is_same_v<T, gossip_vote>) {
            if (options_.double_voters.contains(node))
              double_vote(node, e.v);
            else
              broadcast(node, e.v);
          } else if constexpr (std::is_same_v<T, gossip_transaction>) {
            broadcast(node, e.x);
          } else if constexpr (std::is_same_v<T, gossip_commit>) {
            broadcast(node, e.j);
          } else if constexpr (std::is_same_v<T, send_catch_up>) {
            for (std::size_t to = 0; to < nodes_.size(); ++to)
              if (nodes_[to].v->id() == e.to) send(node, to, e.c);
          } else if constexpr (std::is_same_v<T, send_commit>) {
            for (std::size_t to = 0; to < nodes_.size(); ++to)
              if (nodes_[to].v->id() == e.to) send(node, to, e.j);
          } else if constexpr (std::is_same_v<T, request_blocks>) {
            // The request travels to the peers and back: model it as one delayed local event.
            queue_.push(event{now_ms_ + options_.delay_ms_max, seq_++, message{node, node, e.hash}});
          } else if constexpr (std::is_same_v<T, start_timer>) {
            queue_.push(event{now_ms_ + e.delay_ms, seq_++, message{node, node, e.timer}});
          } else if constexpr (std::is_same_v<T, block_imported>) {
            nodes_[node].store.emplace(e.hash, e.b);
            all_blocks_.emplace(e.hash, std::pair{e.b.header.header.parent, e.b.header.header.number});
            block_slots_.emplace(e.hash, e.b.header.header.slot);
          } else if constexpr (std::is_same_v<T, block_finalized>) {
            record_finality(node, e.hash);
          } else if constexpr (std::is_same_v<T, input_rejected>) {
            ++rejected_[e.code];
          }
        },
        effect);
  }
}

void sim_network::record_finality(std::size_t node, const block_hash& hash) {
  // The block and every ancestor are final: each must match the canonical chain.
  for (auto h = hash;;) {
    const auto it = all_blocks_.find(h);
    if (it == all_blocks_.end()) break;
    const auto number = it->second.second;
    if (number.value == 0) break;
    if (!nodes_[node].finalized.insert(h).second) break;
    const auto [c, inserted] = canonical_.emplace(number, h);
    if (!inserted && c->second != h)
      conflicts_.push_back("node " + std::to_string(node) + " finalized " + to_hex(byte_view{h.bytes}).substr(0, 8) +
                           " at height " + std::to_string(number.value) + " where another node finalized " +
                           to_hex(byte_view{c->second.bytes}).substr(0, 8));
    const auto slot_start_ms = block_slots_.at(h).value * options_.slot_duration_ms;
    lags_ms_.push_back(now_ms_ - std::min(now_ms_, slot_start_ms));
    h = it->second.first;
  }
}

void sim_network::equivocate(std::size_t node, const block& b) {
  // A second block for the same slot and parent: the first's extrinsics plus a self-transfer.
  const auto& tree = nodes_[node].v->tree();
  const auto* parent = tree.find(b.header.header.parent);
  const auto* first = tree.find(hash_of(b));
  block other = b;
  if (parent && first) {
    const auto me = nodes_[node].v->id();
    const auto account = first->state().accounts.find(me);
    if (account != first->state().accounts.end() && account->second.balance.units > 0) {
      auto xs = b.extrinsics;
      const auto to = id_of(fixture_.users[random_.below(fixture_.users.size())]);
      xs.push_back(make_extrinsic(fixture_.chain(), keys_[node], account->second.nonce, transfer_ratio{to, ratio{1}}));
      auto built = build_block(parent->state(), parent->hash, b.header.header.slot, keys_[node], xs);
      if (built) other = built->b;
    }
  }
  const auto first_bytes = encode_block(b);
  const auto other_bytes = encode_block(other);
  for (std::size_t to = 0; to < nodes_.size(); ++to)
    if (to != node) send(node, to, to % 2 == 0 ? first_bytes : other_bytes);
}

void sim_network::double_vote(std::size_t node, const signed_vote& v) {
  // The second vote is for the node's best head, or the first block below it
  // that the original target does not build on (a conflicting fork if any).
  const auto& tree = nodes_[node].v->tree();
  auto target = v.body.target;
  for (auto h = tree.best().hash; h != tree.finalized().hash; h = tree.find(h)->parent)
    if (!tree.descends_from(v.body.target, h)) {
      target = h;
      break;
    }
  if (target == v.body.target && tree.contains(v.body.target) && v.body.target != tree.finalized().hash)
    target = tree.find(v.body.target)->parent;
  if (!tree.contains(target) || target == v.body.target) {
    broadcast(node, v);
    return;
  }
  auto body = v.body;
  body.target = target;
  body.target_number = tree.find(target)->number;
  const auto second = sign_vote(body, fixture_.chain(), keys_[node].sk);
  for (std::size_t to = 0; to < nodes_.size(); ++to)
    if (to != node) send(node, to, to % 2 == 0 ? v : second);
}

}  // namespace datdot::test

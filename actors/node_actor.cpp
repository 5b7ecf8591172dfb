#include "actors/node_actor.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <limits>

namespace datdot {
namespace {

struct known_peer {
  peer_info info;
  bool introduced = false;  // has answered or sent a hello
  bool routes_us = true;    // false when its welcome said its table was full
  std::optional<caf::timespan> last_rtt;
  std::optional<std::uint64_t> pinged_at;  // the tick of the last ping
  std::optional<std::uint64_t> heard_at;   // the last tick its gossip had arrived by
};

struct node_state {
  node_config config;
  bus_actor bus;
  std::map<node_id, known_peer> peers;
  std::deque<peer_info> recent;  // newest peers, handed out in welcomes
  std::uint64_t next_nonce = 1;
  std::uint64_t ticks = 0;
  // No peer is due a hello or a ping before this tick (see ping_due); 0 when
  // a peer was added or may route us now, which can make one due sooner.
  std::uint64_t next_ping_tick = 0;
  node_status counters;
  static inline const char* name = "datdot.node";
};

using node_pointer = node_actor::stateful_pointer<node_state>;

void emit(node_pointer self, node_event::kind what, const peer_info& peer, caf::timespan rtt = {}) {
  if (self->state.config.on_event) self->state.config.on_event(node_event{what, peer, rtt});
}

// The bus answers every request — the reply, an error naming the drop, or its
// own timeout — so asking it needs no CAF timer of our own.
constexpr caf::infinite_t bus_deadline = caf::infinite;

void send_hello(node_pointer self, const node_id& to);

void remember_recent(node_state& st, const peer_info& info) {
  st.recent.push_front(info);
  if (st.recent.size() > bus_limits::welcome_peers_max) st.recent.pop_back();
}

// Whether the peer is (now) one of ours: false when the table is full.
bool learn(node_pointer self, const peer_info& info) {
  auto& st = self->state;
  if (info.id == st.config.self.id) return false;
  auto i = st.peers.find(info.id);
  if (i != st.peers.end() && i->second.introduced) {
    i->second.info = info;
    return true;
  }
  // Newcomers are handed out in welcomes even when this node has no room for
  // them: a full node that kept naming the same old peers would send every
  // later newcomer to those same (by then full) nodes, which answer but never
  // route to it, and it would hear no gossip at all.
  remember_recent(st, info);
  if (i == st.peers.end() && st.peers.size() >= bus_limits::peers_max) return false;
  auto& peer = st.peers[info.id];
  peer.info = info;
  peer.introduced = true;
  st.next_ping_tick = 0;
  self->send(st.bus, bus_add_peer_atom_v, info);
  emit(self, node_event::kind::peer_joined, info);
  return true;
}

// A peer named in a welcome: remember its address and introduce ourselves,
// until the node has as many peers as it wants.
void consider(node_pointer self, const peer_info& info) {
  auto& st = self->state;
  if (info.id == st.config.self.id || st.peers.contains(info.id) || st.peers.size() >= bus_limits::peers_wanted) return;
  st.peers[info.id].info = info;
  st.next_ping_tick = 0;
  self->send(st.bus, bus_add_peer_atom_v, info);
  send_hello(self, info.id);
}

void send_hello(node_pointer self, const node_id& to) {
  auto& st = self->state;
  const auto sent = self->clock().now();
  self->request(st.bus, bus_deadline, bus_request_atom_v, to, message_body{hello{st.config.self}},
                st.config.request_timeout)
      .then(
          [=](inbound_message& reply) {
            auto* w = std::get_if<welcome>(&reply.body);
            if (!w) return;
            learn(self, w->self);
            // The hello was a round trip: it measures the link as a ping would.
            if (auto i = self->state.peers.find(to); i != self->state.peers.end() && w->self.id == to) {
              i->second.last_rtt = std::chrono::duration_cast<caf::timespan>(self->clock().now() - sent);
              i->second.pinged_at = self->state.ticks;
              i->second.routes_us = !w->full;
              self->state.next_ping_tick = 0;
            }
            for (const auto& p : w->peers) consider(self, p);
          },
          [](caf::error&) { /* retried on the next tick while the peer is not introduced */ });
}

void send_ping(node_pointer self, const node_id& to) {
  auto& st = self->state;
  auto nonce = st.next_nonce++;
  auto sent = self->clock().now();
  self->request(st.bus, bus_deadline, bus_request_atom_v, to, message_body{ping{nonce, {}}},
                st.config.request_timeout)
      .then(
          [=](inbound_message& reply) {
            auto* p = std::get_if<pong>(&reply.body);
            auto i = self->state.peers.find(to);
            if (!p || p->nonce != nonce || i == self->state.peers.end()) return;
            auto rtt = std::chrono::duration_cast<caf::timespan>(self->clock().now() - sent);
            i->second.last_rtt = rtt;
            ++self->state.counters.pongs;
            emit(self, node_event::kind::pong, i->second.info, rtt);
          },
          [=](caf::error&) {
            ++self->state.counters.ping_failures;
            if (auto i = self->state.peers.find(to); i != self->state.peers.end())
              emit(self, node_event::kind::ping_failed, i->second.info);
          });
}

// A peer is pinged each tick unless its gossip came within the last
// peer_alive_ticks: then it is alive, and its round trip is measured only
// every rtt_refresh_ticks. On a busy network that spares most pings (in a
// simulation of 10,000 nodes they were two frames in five, as each peer
// relays to only a few of its peers per message); a quiet link is pinged as
// before. A peer whose table was full when it welcomed us never sends us
// gossip, so it too is pinged every rtt_refresh_ticks only: every node joins
// through a few bootstrap nodes, whose tables fill first, and each would
// otherwise ping them every tick for ever (in a simulation of 1,000 nodes a
// third of all pings went to node 0).
//
// Most ticks no peer is due (a round trip is measured once in 600), and the
// walk over every peer was most of a tick's cost: the walk also finds the
// first tick at which one can be, and the ticks before it skip the walk.
void ping_due(node_pointer self, const std::vector<heard_peer>& heard) {
  auto& st = self->state;
  const auto interval_ms = static_cast<std::uint64_t>(
      std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(st.config.ping_interval).count()));
  for (const auto& h : heard)
    if (auto i = st.peers.find(h.id); i != st.peers.end())
      i->second.heard_at = st.ticks - std::min(st.ticks, h.ms_ago / interval_ms);
  auto next = std::numeric_limits<std::uint64_t>::max();
  for (auto& [id, peer] : st.peers) {
    if (!peer.introduced) {
      send_hello(self, id);
      next = st.ticks + 1;
      continue;
    }
    const auto within = [&](const std::optional<std::uint64_t>& at, std::uint64_t ticks) {
      return at && st.ticks - *at < ticks;
    };
    if (!within(peer.pinged_at, rtt_refresh_ticks) || (peer.routes_us && !within(peer.heard_at, peer_alive_ticks))) {
      peer.pinged_at = st.ticks;
      send_ping(self, id);
    }
    auto due = *peer.pinged_at + rtt_refresh_ticks;
    if (peer.routes_us) due = std::min(due, peer.heard_at ? *peer.heard_at + peer_alive_ticks : st.ticks + 1);
    next = std::min(next, std::max(due, st.ticks + 1));
  }
  st.next_ping_tick = next;
}

// Gossip heard only makes a peer due later, so the bus, which keeps when
// each peer was last heard, is asked only at a tick when one can be due: the
// asks and answers this spares were 10.6 million of the 129.4 million events
// of a 10,000-node simulation's 600 slots.
void tick(node_pointer self) {
  auto& st = self->state;
  ++st.ticks;
  self->delayed_send(self, st.config.ping_interval, node_tick_atom_v);
  if (st.ticks < st.next_ping_tick) return;
  self->request(st.bus, bus_deadline, bus_heard_atom_v)
      .then([=](std::vector<heard_peer>& heard) { ping_due(self, heard); },
            [=](caf::error&) { ping_due(self, {}); });
}

welcome make_welcome(node_pointer self, const node_id& asker) {
  welcome out{self->state.config.self, {}};
  for (const auto& p : self->state.recent)
    if (p.id != asker) out.peers.push_back(p);
  return out;
}

node_status status_of(node_pointer self) {
  auto out = self->state.counters;
  for (const auto& [id, peer] : self->state.peers)
    if (peer.introduced) out.peers.push_back(peer_status{peer.info, peer.last_rtt});
  return out;
}

node_actor::behavior_type node_impl(node_pointer self, bus_actor bus, node_config config) {
  auto& st = self->state;
  st.config = std::move(config);
  st.bus = bus;
  self->send(bus, bus_subscribe_atom_v, message_family::peer, caf::actor_cast<inbox_actor>(self));
  for (const auto& b : st.config.bootstrap) {
    peer_info info;
    info.id = b.id;
    info.endpoint = b.endpoint;
    consider(self, info);
  }
  self->delayed_send(self, st.config.ping_interval, node_tick_atom_v);
  return instrument(self, st.config.probe, node_actor::behavior_type{
      [=](bus_ask_atom, inbound_message& msg) -> caf::result<message_body> {
        if (auto* h = std::get_if<hello>(&msg.body)) {
          const bool ours = learn(self, h->self);
          auto out = make_welcome(self, msg.sender);
          out.full = !ours;
          return message_body{std::move(out)};
        }
        if (auto* p = std::get_if<ping>(&msg.body)) return message_body{pong{p->nonce}};
        return caf::make_error(caf::sec::unexpected_message);
      },
      [=](bus_deliver_atom, inbound_message& msg) {
        if (auto* p = std::get_if<ping>(&msg.body)) {
          ++self->state.counters.probes_received;
          self->state.counters.probe_bytes_received += p->padding.size();
        }
      },
      [=](node_tick_atom) { tick(self); },
      [=](node_status_atom) { return status_of(self); },
  });
}

}  // namespace

node_actor spawn_node_actor(caf::actor_system& sys, bus_actor bus, node_config config) {
  return sys.spawn(node_impl, std::move(bus), std::move(config));
}

}  // namespace datdot

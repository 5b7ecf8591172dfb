#include "actors/bus_actor.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "actors/deterministic_random.hpp"
#include "protocol/chain/gossip_key.hpp"
#include "protocol/misbehavior.hpp"

namespace datdot {
namespace {

using time_point = caf::actor_clock::time_point;

struct pending_request {
  caf::typed_response_promise<inbound_message> promise;
  node_id peer;
};

// Timeouts of outbound requests and of local handlers live in one min-heap per
// bus with a single CAF timer armed for the earliest, instead of one CAF timer
// per request (CAF 0.17's clock keeps a multimap per actor and cancels by
// linear scan). Answered entries stay in the heap until popped or compacted.
struct deadline {
  enum class what : std::uint8_t { request, handler };
  time_point due;
  std::uint64_t id;
  what kind;
  bool operator>(const deadline& other) const { return std::tie(due, id) > std::tie(other.due, other.id); }
};

// Frames and bytes per peer, counted on every frame in and out. An open
// addressing table with the key and its counters in one slot: a lookup is one
// probe into memory that is usually cold (thousands of buses in a simulation),
// where std::unordered_map cost two divisions and three dependent loads.
// Grows by doubling while at most half full (bindings_max peers at most);
// bus_metrics::peers is built from it when asked.
class peer_traffic_table {
 public:
  // Counts of `peer`, added when new: null once bindings_max peers are counted.
  peer_traffic* find_or_add(const node_id& peer) {
    auto* s = find_or_add_slot(peer);
    return s ? &s->traffic : nullptr;
  }
  // A frame in at now_ms; gossip (one-way) marks its peer heard then.
  void count_in(const node_id& peer, std::size_t bytes, bool gossip, std::uint64_t now_ms) {
    auto* s = find_or_add_slot(peer);
    if (!s) return;
    ++s->traffic.frames_in;
    s->traffic.bytes_in += bytes;
    if (!gossip) return;
    s->heard = true;
    s->heard_ms = now_ms;
  }
  // The peers marked heard since the last call, with how long before now_ms they last were.
  std::vector<heard_peer> take_heard(std::uint64_t now_ms) {
    std::vector<heard_peer> out;
    for (auto& s : slots_)
      if (s.used && std::exchange(s.heard, false)) out.push_back({s.peer, now_ms - std::min(now_ms, s.heard_ms)});
    return out;
  }
  std::unordered_map<node_id, peer_traffic> to_map() const {
    std::unordered_map<node_id, peer_traffic> out;
    for (const auto& s : slots_)
      if (s.used) out.emplace(s.peer, s.traffic);
    return out;
  }

 private:
  struct slot {
    node_id peer;
    bool used = false;
    bool heard = false;
    std::uint64_t heard_ms = 0;
    peer_traffic traffic;
  };
  static std::size_t first_slot(const node_id& peer) { return std::hash<node_id>{}(peer); }
  slot* find_or_add_slot(const node_id& peer) {
    if (slots_.empty()) slots_.resize(16);
    for (;;) {
      const auto mask = slots_.size() - 1;
      for (auto i = first_slot(peer) & mask;; i = (i + 1) & mask) {
        auto& s = slots_[i];
        if (s.used && s.peer == peer) return &s;
        if (s.used) continue;
        if (size_ >= bus_limits::bindings_max) return nullptr;
        if (2 * (size_ + 1) > slots_.size()) break;  // grow first, then look again
        s.used = true;
        s.peer = peer;
        ++size_;
        return &s;
      }
      grow();
    }
  }
  void grow() {
    auto old = std::exchange(slots_, std::vector<slot>(slots_.size() * 2));
    for (const auto& s : old) {
      if (!s.used) continue;
      const auto mask = slots_.size() - 1;
      auto i = first_slot(s.peer) & mask;
      while (slots_[i].used) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<slot> slots_;  // a power of two in size, at most half full
  std::size_t size_ = 0;
};

// The keys (protocol/chain/gossip_key.hpp) of the last blocks and commits
// this node passed on, oldest overwritten first; a linear scan of 64 keys
// costs less than hashing them into a set.
class passed_gossip {
 public:
  bool contains(const gossip_key& key) const {
    return std::find(keys_.begin(), keys_.begin() + size_, key) != keys_.begin() + size_;
  }
  void remember(const gossip_key& key) {
    if (contains(key)) return;
    keys_[next_] = key;
    next_ = (next_ + 1) % keys_.size();
    size_ = std::min(size_ + 1, keys_.size());
  }

 private:
  std::array<gossip_key, bus_limits::gossip_keys_remembered> keys_{};
  std::size_t next_ = 0;
  std::size_t size_ = 0;
};

struct bus_state {
  bus_config config;
  std::array<inbox_actor, message_family_count> inboxes;  // by message_family
  std::map<node_id, peer_info> routes;  // gossip peers and duty peers
  std::deque<node_id> duty_only;         // routed for duties alone, least recently named first
  // The routed peers of each role group, in route order: what gossip walks
  // (the map is slow to walk for every relay). Rebuilt after routes change.
  std::array<std::vector<node_id>, role_count> groups;
  bool groups_stale = true;
  std::unordered_map<curve_public_key, node_id> bindings;
  std::unordered_map<std::uint64_t, pending_request> pending;
  std::uint64_t next_correlation_id = 1;
  std::unordered_map<std::uint64_t, time_point> handlers;  // inbound requests awaiting the inbox's answer
  std::uint64_t next_handler_id = 1;
  std::vector<deadline> deadlines;                          // a min-heap (std::greater)
  std::optional<time_point> wakeup_at;                      // the earliest armed CAF timer
  misbehavior_tracker misbehavior;
  bus_metrics metrics;  // but its peers, kept in `traffic`
  peer_traffic_table traffic;
  // Relay peers need not be secret (the author reaches every peer itself),
  // only spread: a splitmix64 stream seeded by the node id keeps a simulated
  // run a function of its seed.
  std::uint64_t relay_draws = 0;
  passed_gossip passed;
  static inline const char* name = "datdot.bus";
};

using bus_pointer = bus_actor::stateful_pointer<bus_state>;

std::uint64_t now_ms(bus_pointer self) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(self->clock().now().time_since_epoch()).count());
}

void log(bus_pointer self, const std::string& line) {
  if (self->state.config.log) self->state.config.log(line);
}

// Responses travel back over `reply_via`, the request's connection; everything
// else needs a route.
bool routable(bus_pointer self, const node_id& to, const curve_public_key* reply_via) {
  auto& st = self->state;
  if (reply_via || st.routes.contains(to)) return true;
  ++st.metrics.dropped_no_route_total;
  return false;
}

// An encoded frame to one peer the caller found routable, counted once the transport took it.
send_status count_sent(bus_pointer self, const node_id& to, std::size_t size, send_status status) {
  auto& st = self->state;
  if (status == send_status::queue_full) ++st.metrics.dropped_queue_full_total;
  if (status != send_status::queued) return status;
  ++st.metrics.frames_out_total;
  if (auto* t = st.traffic.find_or_add(to)) {
    ++t->frames_out;
    t->bytes_out += size;
  }
  return status;
}

// Gossip: one encoding for all its peers.
using shared_frame = std::shared_ptr<const bytes>;
void send_gossip(bus_pointer self, const node_id& to, const shared_frame& frame) {
  count_sent(self, to, frame->size(), self->state.config.transport->send_shared(to, frame));
}

send_status send_frame(bus_pointer self, const node_id& to, frame_kind kind, std::uint64_t correlation_id,
                       const message_body& body, const curve_public_key* reply_via = nullptr) {
  if (!routable(self, to, reply_via)) return send_status::no_route;
  auto frame = encode_frame(self->state.config.self, kind, correlation_id, body);
  auto& transport = *self->state.config.transport;
  const auto size = frame.size();
  return count_sent(self, to, size,
                    reply_via ? transport.reply(*reply_via, std::move(frame)) : transport.send(to, std::move(frame)));
}

caf::error send_failure(send_status status) {
  return status == send_status::no_route ? caf::make_error(caf::sec::no_route_to_receiving_node)
                                         : caf::make_error(caf::sec::unavailable_or_would_block);
}

void on_rejected(bus_pointer self, const curve_public_key& from, const frame_rejection& why) {
  auto& st = self->state;
  ++st.metrics.rejected_total[static_cast<std::size_t>(why.reason)];
  auto peer = to_hex(byte_view{from.key}.first(4));
  log(self, "bus: dropped frame from curve:" + peer + ": " + std::string{to_string(why.reason)} + " (" +
                why.detail + ")");
  if (!st.misbehavior.record_rejection(from, now_ms(self))) return;
  ++st.metrics.bans_total;
  st.config.transport->ban(from, std::chrono::milliseconds{bus_limits::garbage_ban_ms});
  log(self, "bus: banned curve:" + peer + " for " + std::to_string(bus_limits::garbage_ban_ms) + " ms");
}

void on_response(bus_pointer self, inbound_message msg) {
  auto& st = self->state;
  auto i = st.pending.find(msg.correlation_id);
  if (i == st.pending.end() || i->second.peer != msg.sender) {
    ++st.metrics.unmatched_responses_total;
    return;
  }
  auto promise = std::move(i->second.promise);
  st.pending.erase(i);
  promise.deliver(std::move(msg));
}

bool is_live(const bus_state& st, const deadline& d) {
  return d.kind == deadline::what::request ? st.pending.contains(d.id) : st.handlers.contains(d.id);
}

void arm_wakeup(bus_pointer self) {
  auto& st = self->state;
  if (st.deadlines.empty()) return;
  auto due = st.deadlines.front().due;
  if (st.wakeup_at && *st.wakeup_at <= due) return;
  st.wakeup_at = due;
  auto delay = std::max(due - self->clock().now(), time_point::duration{0});
  self->delayed_send(self, delay, bus_timeout_atom_v, static_cast<std::uint64_t>(due.time_since_epoch().count()));
}

void add_deadline(bus_pointer self, time_point due, std::uint64_t id, deadline::what kind) {
  auto& st = self->state;
  // Bound the heap by the live entries: drop answered ones once they are half of it.
  if (st.deadlines.size() >= 64 && st.deadlines.size() >= 2 * (st.pending.size() + st.handlers.size())) {
    std::erase_if(st.deadlines, [&](const deadline& d) { return !is_live(st, d); });
    std::make_heap(st.deadlines.begin(), st.deadlines.end(), std::greater<>{});
  }
  st.deadlines.push_back(deadline{due, id, kind});
  std::push_heap(st.deadlines.begin(), st.deadlines.end(), std::greater<>{});
  arm_wakeup(self);
}

void expire_due(bus_pointer self, time_point fired_for) {
  auto& st = self->state;
  if (st.wakeup_at && *st.wakeup_at == fired_for) st.wakeup_at.reset();
  auto now = self->clock().now();
  while (!st.deadlines.empty() && st.deadlines.front().due <= now) {
    std::pop_heap(st.deadlines.begin(), st.deadlines.end(), std::greater<>{});
    auto d = st.deadlines.back();
    st.deadlines.pop_back();
    if (d.kind == deadline::what::request) {
      auto i = st.pending.find(d.id);
      if (i == st.pending.end()) continue;
      ++st.metrics.request_timeouts_total;
      auto promise = std::move(i->second.promise);
      st.pending.erase(i);
      promise.deliver(caf::make_error(caf::sec::request_timeout));
    } else if (st.handlers.erase(d.id) > 0) {
      ++st.metrics.handler_timeouts_total;
    }
  }
  arm_wakeup(self);
}

// The inbox is asked without a CAF timer: the bus's own deadline frees the
// handler slot, and an answer after it is dropped and counted. (A dead inbox
// still answers with an error: CAF bounces requests to terminated actors.)
inbox_actor& inbox_for(bus_state& st, const message_body& body) {
  return st.inboxes[static_cast<std::size_t>(family_of(type_of(body)))];
}

void on_request(bus_pointer self, const curve_public_key& from_connection, inbound_message msg) {
  auto& st = self->state;
  auto& inbox = inbox_for(st, msg.body);
  if (!inbox || st.handlers.size() >= bus_limits::handler_requests_max) {
    ++st.metrics.dropped_handler_busy_total;
    return;
  }
  auto handler_id = st.next_handler_id++;
  st.handlers.emplace(handler_id, self->clock().now());
  add_deadline(self, self->clock().now() + std::chrono::milliseconds{bus_limits::handler_timeout_ms}, handler_id,
               deadline::what::handler);
  auto peer = msg.sender;
  auto correlation_id = msg.correlation_id;
  auto connection = from_connection;
  self->request(inbox, caf::infinite, bus_ask_atom_v, std::move(msg))
      .then(
          [=](message_body& reply) {
            if (self->state.handlers.erase(handler_id) == 0) {
              ++self->state.metrics.late_answers_total;
              return;
            }
            send_frame(self, peer, frame_kind::response, correlation_id, reply, &connection);
          },
          [=](caf::error&) {
            if (self->state.handlers.erase(handler_id) > 0) ++self->state.metrics.handler_errors_total;
          });
}

void on_frame(bus_pointer self, const curve_public_key& from, byte_view frame) {
  auto& st = self->state;
  const auto now = now_ms(self);
  if (st.misbehavior.is_banned(from, now)) {
    ++st.metrics.dropped_banned_total;
    return;
  }
  authenticated_peer auth{from, std::nullopt};
  if (auto i = st.bindings.find(from); i != st.bindings.end())
    auth.bound = i->second;
  else
    auth.bound = st.config.transport->identity_of(from);
  // Each node relays a block or commit to several peers, so most frames of
  // one are copies; a copy of one this node passed on goes no further.
  auto decoded = decode_frame(frame, auth, st.config.limits, [&](message_type type, byte_view canonical) {
    const auto key = gossip_key_of(type, canonical);
    return key && st.passed.contains(*key);
  });
  if (auto* why = std::get_if<frame_rejection>(&decoded)) return on_rejected(self, from, *why);
  auto* msg = std::get_if<inbound_message>(&decoded);
  const auto& sender = msg ? msg->sender : std::get<gossip_copy>(decoded).sender;
  if (!auth.bound && st.bindings.size() < bus_limits::bindings_max) st.bindings.emplace(from, sender);
  ++st.metrics.frames_in_total;
  st.traffic.count_in(sender, frame.size(), !msg || msg->kind == frame_kind::one_way, now);
  if (!msg) {
    ++st.metrics.gossip_copies_dropped_total;
    return;
  }
  switch (msg->kind) {
    case frame_kind::response: return on_response(self, std::move(*msg));
    case frame_kind::request: return on_request(self, from, std::move(*msg));
    case frame_kind::one_way:
      if (auto& inbox = inbox_for(st, msg->body)) self->send(inbox, bus_deliver_atom_v, std::move(*msg));
      return;
  }
}

const std::vector<node_id>& members_of(bus_state& st, role group) {
  if (st.groups_stale) {
    for (auto& g : st.groups) g.clear();
    for (const auto& [id, peer] : st.routes)
      for (std::size_t r = 0; r < role_count; ++r)
        if (peer.roles.contains(static_cast<role>(r))) st.groups[r].push_back(id);
    st.groups_stale = false;
  }
  return st.groups[static_cast<std::size_t>(group)];
}

// A one-way frame names no receiver: gossip is encoded once for all its peers
// (taken from the routes, so routable).
void broadcast(bus_pointer self, role group, const message_body& body) {
  if (const auto key = gossip_key_of(body)) self->state.passed.remember(*key);
  shared_frame frame;
  for (const auto& id : members_of(self->state, group)) {
    if (!frame) frame = std::make_shared<const bytes>(encode_frame(self->state.config.self, frame_kind::one_way, 0, body));
    send_gossip(self, id, frame);
  }
}

// Another node's gossip, to at most `fanout` (and relay_fanout_max) peers of the group but its sender.
void relay(bus_pointer self, role group, const node_id& except, std::uint32_t fanout, const message_body& body) {
  auto& st = self->state;
  if (const auto key = gossip_key_of(body)) st.passed.remember(*key);
  std::vector<node_id> targets;
  for (const auto& id : members_of(st, group))
    if (id != except) targets.push_back(id);
  const auto chosen = std::min({targets.size(), bus_limits::relay_fanout_max, std::size_t{fanout}});
  for (std::size_t i = 0; i < chosen; ++i)
    std::swap(targets[i], targets[i + deterministic_random::splitmix64(st.relay_draws) % (targets.size() - i)]);
  ++st.metrics.relays_total;
  st.metrics.relay_frames_total += chosen;
  st.metrics.relay_skipped_total += targets.size() - chosen;
  if (chosen == 0) return;
  const auto frame = std::make_shared<const bytes>(encode_frame(st.config.self, frame_kind::one_way, 0, body));
  for (std::size_t i = 0; i < chosen; ++i) send_gossip(self, targets[i], frame);
}

void multicast(bus_pointer self, role group, const std::vector<node_id>& to, const node_id& except,
               std::uint32_t fallback, const message_body& body) {
  auto& st = self->state;
  shared_frame frame;
  bool routed = false;
  for (const auto& id : to) {
    if (id == st.config.self || !st.routes.contains(id)) continue;
    routed = true;  // `except` counts: it has the message already
    if (id == except) continue;
    if (!frame) frame = std::make_shared<const bytes>(encode_frame(st.config.self, frame_kind::one_way, 0, body));
    send_gossip(self, id, frame);
  }
  if (!routed && fallback > 0) relay(self, group, except, fallback, body);
}

void route_for_duty(bus_pointer self, const peer_info& peer) {
  auto& st = self->state;
  if (peer.id == st.config.self) return;
  if (const auto known = st.routes.find(peer.id); known != st.routes.end()) {
    const auto duty = std::find(st.duty_only.begin(), st.duty_only.end(), peer.id);
    if (duty == st.duty_only.end()) return;  // a gossip peer: routed as long as it is one
    st.duty_only.erase(duty);
    st.duty_only.push_back(peer.id);
    known->second = peer;
    return;
  }
  if (st.duty_only.size() >= bus_limits::duty_routes_max) {
    st.routes.erase(st.duty_only.front());
    st.duty_only.pop_front();
  }
  st.duty_only.push_back(peer.id);
  st.routes[peer.id] = peer;
  st.groups_stale = true;
  st.config.transport->connect(peer);
}

bus_actor::behavior_type bus_impl(bus_pointer self, bus_config config) {
  self->state.config = std::move(config);
  for (std::size_t i = 0; i < 8; ++i)
    self->state.relay_draws = (self->state.relay_draws << 8) | self->state.config.self.key[i];
  return instrument(self, self->state.config.probe, bus_actor::behavior_type{
      [=](bus_send_atom, const node_id& to, const message_body& body) {
        send_frame(self, to, frame_kind::one_way, 0, body);
      },
      [=](bus_broadcast_atom, role group, const message_body& body) { broadcast(self, group, body); },
      [=](bus_relay_atom, role group, const node_id& except, std::uint32_t fanout, const message_body& body) {
        relay(self, group, except, fanout, body);
      },
      [=](bus_multicast_atom, role group, const std::vector<node_id>& to, const node_id& except,
          std::uint32_t fallback, const message_body& body) { multicast(self, group, to, except, fallback, body); },
      [=](bus_request_atom, const node_id& to, const message_body& body,
          caf::timespan timeout) -> caf::result<inbound_message> {
        auto& st = self->state;
        if (st.pending.size() >= bus_limits::pending_requests_max) {
          ++st.metrics.dropped_pending_full_total;
          return caf::make_error(caf::sec::unavailable_or_would_block);
        }
        auto correlation_id = st.next_correlation_id++;
        auto status = send_frame(self, to, frame_kind::request, correlation_id, body);
        if (status != send_status::queued) return send_failure(status);
        auto promise = self->make_response_promise<inbound_message>();
        st.pending.emplace(correlation_id, pending_request{promise, to});
        add_deadline(self, self->clock().now() + timeout, correlation_id, deadline::what::request);
        return promise;
      },
      [=](bus_timeout_atom, std::uint64_t due_ns) {
        expire_due(self, time_point{time_point::duration{static_cast<time_point::rep>(due_ns)}});
      },
      [=](bus_add_peer_atom, const peer_info& peer) {
        auto& st = self->state;
        if (peer.id == st.config.self) return;
        const bool gossip_full = st.routes.size() - st.duty_only.size() >= bus_limits::peers_max;
        const auto duty = std::find(st.duty_only.begin(), st.duty_only.end(), peer.id);
        if (duty != st.duty_only.end()) {
          if (gossip_full) return;   // stays a duty route
          st.duty_only.erase(duty);  // a gossip peer now, no longer for a duty to give way
        } else if (!st.routes.contains(peer.id) && gossip_full) {
          return;
        }
        st.routes[peer.id] = peer;
        st.groups_stale = true;
        st.config.transport->connect(peer);
      },
      [=](bus_route_atom, const peer_info& peer) { route_for_duty(self, peer); },
      [=](bus_subscribe_atom, message_family family, inbox_actor inbox) {
        self->state.inboxes[static_cast<std::size_t>(family)] = std::move(inbox);
      },
      [=](bus_frame_atom, const curve_public_key& from, const frame_buffer& frame) {
        on_frame(self, from, frame.view());
        self->state.config.transport->frame_consumed(frame.size());
      },
      [=](bus_heard_atom) { return self->state.traffic.take_heard(now_ms(self)); },
      [=](bus_metrics_atom) {
        auto snapshot = self->state.metrics;
        snapshot.peers = self->state.traffic.to_map();
        snapshot.transport = self->state.config.transport->counters();
        return snapshot;
      },
  });
}

}  // namespace

bus_actor spawn_bus(caf::actor_system& sys, bus_config config) {
  return sys.spawn(bus_impl, std::move(config));
}

}  // namespace datdot

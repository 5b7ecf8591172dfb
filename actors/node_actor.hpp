// The peer actor of a node: owns the node's identity on the bus, introduces
// itself to bootstrap peers (hello / welcome), learns more peers from their
// answers, and checks liveness with a ping to every known peer each interval,
// measuring the round trip on the actor clock (virtual in simulation).
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "actors/bus_actor.hpp"

namespace datdot {

struct peer_address {
  node_id id;
  std::string endpoint;
};

struct node_event {
  enum class kind : std::uint8_t { peer_joined, pong, ping_failed };
  kind what;
  peer_info peer;
  caf::timespan rtt{0};
};
using node_event_fn = std::function<void(const node_event&)>;

struct peer_status {
  peer_info info;
  std::optional<caf::timespan> last_rtt;
};

struct node_status {
  std::vector<peer_status> peers;
  std::uint64_t pongs = 0;
  std::uint64_t ping_failures = 0;
  std::uint64_t probes_received = 0;       // one-way pings (throughput probes)
  std::uint64_t probe_bytes_received = 0;  // their padding bytes
};

// A peer whose gossip arrived within peer_alive_ticks is alive and is not
// pinged for liveness; its round trip is measured once in rtt_refresh_ticks
// (the hello's answer is its first measure). A quiet peer is pinged every tick.
// A peer relays a message to a few of its many peers, so one with a full
// table may send us nothing for ten slots in a row; 30 leaves about one in a
// hundred of them pinged each tick. A round trip changes slowly, and each
// measure is six simulated events (request, ping, ask, answer, pong, reply):
// measured every 60 ticks, they were a fifth of a 3,000-node simulation's
// events, so they are measured every 600 (ten minutes at the default interval).
inline constexpr std::uint64_t peer_alive_ticks = 30;
inline constexpr std::uint64_t rtt_refresh_ticks = 600;

struct node_config {
  peer_info self;
  std::vector<peer_address> bootstrap;
  caf::timespan ping_interval = std::chrono::seconds{1};
  caf::timespan request_timeout = std::chrono::seconds{2};
  node_event_fn on_event;  // called inside the actor; may be empty
  const actor_probe* probe = nullptr;  // datdot_actor_* for "node"; null: not measured
};

}  // namespace datdot

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(datdot::node_status)

namespace datdot {

using node_actor = inbox_actor::extend<caf::reacts_to<node_tick_atom>,
                                       caf::replies_to<node_status_atom>::with<node_status>>;

node_actor spawn_node_actor(caf::actor_system& sys, bus_actor bus, node_config config);

}  // namespace datdot

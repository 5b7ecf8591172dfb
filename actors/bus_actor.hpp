// The bus as actors see it: send to a node, broadcast to a role group,
// request/response with a timeout. One implementation of the logic (routing,
// correlation, the validating inbox, garbage-peer bans, counters) over a
// bus_transport — ZeroMQ or simulated — so both carry the same bytes through
// the same decoder.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "actors/bus_atoms.hpp"
#include "actors/bus_metrics.hpp"
#include "actors/bus_transport.hpp"
#include "actors/metrics/actor_metrics.hpp"
#include "protocol/frame_codec.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(datdot::bus_metrics)

namespace datdot {

// A local receiver of a bus's inbound traffic: one per message family (the
// node's peer actor, the validator actor, the data-plane actor).
using inbox_actor = caf::typed_actor<
    caf::replies_to<bus_ask_atom, inbound_message>::with<message_body>,  // requests: answer is sent back
    caf::reacts_to<bus_deliver_atom, inbound_message>>;                 // one-way messages

using bus_actor = caf::typed_actor<
    caf::reacts_to<bus_send_atom, node_id, message_body>,
    caf::reacts_to<bus_broadcast_atom, role, message_body>,
    // Gossip passed on: to at most this many peers of the group, drawn at
    // random, never back to the node it came from (relay_fanout_max at most).
    caf::reacts_to<bus_relay_atom, role, node_id, std::uint32_t, message_body>,
    // To the listed nodes this bus has routes to, but `except`: messages for
    // a known few (the voters), whichever group they are in. When it routes
    // none of them, to `fallback` random peers of the group but `except`
    // instead (relayed, as by bus_relay_atom), so the message can reach the
    // few through peers that route them; 0: to nobody then.
    caf::reacts_to<bus_multicast_atom, role, std::vector<node_id>, node_id, std::uint32_t, message_body>,
    // Fails with caf::sec::request_timeout, or an error naming the drop, if no answer comes.
    caf::replies_to<bus_request_atom, node_id, message_body, caf::timespan>::with<inbound_message>,
    // A gossip peer (the node's peer actor): routed while fewer than peers_max are.
    caf::reacts_to<bus_add_peer_atom, peer_info>,
    // A peer a role must reach for a duty (a hoster to push to, a source to
    // fetch from): routed beside the gossip peers, the least recently named of
    // duty_routes_max giving way, so the gossip peers never starve the duties.
    caf::reacts_to<bus_route_atom, peer_info>,
    caf::reacts_to<bus_subscribe_atom, message_family, inbox_actor>,  // replaces the family's receiver
    // From the transport: a frame from the peer that authenticated with this CURVE key.
    caf::reacts_to<bus_frame_atom, curve_public_key, frame_buffer>,
    caf::reacts_to<bus_timeout_atom, std::uint64_t>,  // own wakeup: expire deadlines due by this time (ns)
    caf::replies_to<bus_metrics_atom>::with<bus_metrics>,
    // The peers whose gossip (one-way frames) arrived since the last ask, each
    // with how long ago it last did: alive without a ping. For the node's peer
    // actor, the only one that asks.
    caf::replies_to<bus_heard_atom>::with<std::vector<heard_peer>>>;

using log_fn = std::function<void(const std::string&)>;

struct bus_config {
  node_id self;
  frame_limits limits;
  std::shared_ptr<bus_transport> transport;
  log_fn log;  // one line per rejected frame or ban; may be empty
  const actor_probe* probe = nullptr;  // datdot_actor_* for "bus"; null: not measured
};

bus_actor spawn_bus(caf::actor_system& sys, bus_config config);

}  // namespace datdot

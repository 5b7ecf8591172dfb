// CAF vocabulary of the bus: atoms (at most 10 characters) and the message
// types that travel inside one process. They are never serialized by CAF (the
// bus carries protobuf frames between processes), so they are local-only types.
#pragma once

#include <caf/all.hpp>

#include "actors/bus_transport.hpp"
#include "protocol/bus_messages.hpp"

CAF_ADD_ATOM(datdot, datdot, bus_send_atom, "bsend")
CAF_ADD_ATOM(datdot, datdot, bus_broadcast_atom, "bcast")
CAF_ADD_ATOM(datdot, datdot, bus_relay_atom, "brelay")
CAF_ADD_ATOM(datdot, datdot, bus_multicast_atom, "bmcast")
CAF_ADD_ATOM(datdot, datdot, bus_request_atom, "brequest")
CAF_ADD_ATOM(datdot, datdot, bus_add_peer_atom, "baddpeer")
CAF_ADD_ATOM(datdot, datdot, bus_route_atom, "broute")
CAF_ADD_ATOM(datdot, datdot, bus_subscribe_atom, "bsubscribe")
CAF_ADD_ATOM(datdot, datdot, bus_frame_atom, "bframe")
CAF_ADD_ATOM(datdot, datdot, bus_timeout_atom, "btimeout")
CAF_ADD_ATOM(datdot, datdot, bus_metrics_atom, "bmetrics")
CAF_ADD_ATOM(datdot, datdot, bus_heard_atom, "bheard")
CAF_ADD_ATOM(datdot, datdot, bus_ask_atom, "bask")
CAF_ADD_ATOM(datdot, datdot, bus_deliver_atom, "bdeliver")
CAF_ADD_ATOM(datdot, datdot, node_tick_atom, "ntick")
CAF_ADD_ATOM(datdot, datdot, node_status_atom, "nstatus")

namespace datdot {

// A peer whose gossip (one-way frames) arrived, and how long ago the last did.
struct heard_peer {
  node_id id;
  std::uint64_t ms_ago = 0;
};

}  // namespace datdot

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(datdot::node_id)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<datdot::node_id>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<datdot::heard_peer>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(datdot::curve_public_key)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(datdot::peer_info)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(datdot::message_body)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(datdot::inbound_message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(datdot::role)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(datdot::message_family)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(datdot::frame_buffer)

// The validating boundary of the bus: turns typed messages into envelope bytes
// and checks every inbound frame — size, then envelope, then that the sender is
// the peer the transport authenticated, then type and kind, then payload and its
// semantics. Both bus transports (ZeroMQ and simulated) feed frames through here.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/bus_limits.hpp"
#include "protocol/bus_messages.hpp"

namespace datdot {

enum class reject_reason : std::uint8_t {
  oversized,            // larger than frame_limits::frame_bytes_max; not parsed at all
  malformed_envelope,   // not a protobuf envelope
  sender_mismatch,      // envelope.sender is not the authenticated peer
  unknown_type,         // envelope.type names no message we know
  bad_kind,             // kind or correlation id not allowed for this type
  malformed_payload,    // payload does not parse as the type's message
  invalid_payload,      // parses, but breaks a semantic rule (sizes, names, ids)
  unsupported_version,  // a peer speaking a bus protocol version we do not
};
inline constexpr std::size_t reject_reason_count = 8;

std::string_view to_string(reject_reason r) noexcept;

struct frame_rejection {
  reject_reason reason;
  std::string detail;
};

struct frame_limits {
  std::size_t frame_bytes_max = bus_limits::frame_bytes_default;
};
// A configured maximum must still carry every message the protocol sends.
result<frame_limits> make_frame_limits(std::size_t frame_bytes_max);

// Who the transport says sent a frame: the CURVE key of the connection and,
// once a frame has proved it, the node id owning that key.
struct authenticated_peer {
  curve_public_key curve;
  std::optional<node_id> bound;
};

// A one-way chain block or commit that the receiver says it has passed on
// already (see `known_gossip`): its sender is authenticated, its body is not
// read.
struct gossip_copy {
  node_id sender;
};

using decoded_frame = std::variant<inbound_message, frame_rejection, gossip_copy>;

// Asked of a one-way chain block or commit, with its type and canonical bytes,
// before they are copied out of the frame: true makes it a gossip_copy. Each
// block reaches a node about relay_fanout_max times, and a large one (storage
// proofs carry sealed blocks) was copied and freed each time.
using known_gossip = std::function<bool(message_type, byte_view canonical)>;

decoded_frame decode_frame(byte_view frame, const authenticated_peer& from, const frame_limits& limits,
                           const known_gossip& known = {});

bytes encode_frame(const node_id& sender, frame_kind kind, std::uint64_t correlation_id,
                   const message_body& body);

}  // namespace datdot

// What a bus needs from the thing that moves its frames: the ZeroMQ bridge for
// real processes, the simulated network for one process. Frames arrive back at
// the bus actor as (bus_frame_atom, authenticated CURVE key, frame_buffer).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "protocol/bus_messages.hpp"

namespace datdot {

// The bytes of one inbound frame, shared rather than copied on their way to the
// bus: owned by a vector (the simulated network, where a duplicate shares it) or
// by whatever the transport received them in (a ZeroMQ message).
class frame_buffer {
 public:
  frame_buffer() = default;
  explicit frame_buffer(std::shared_ptr<const bytes> frame) : view_(*frame), owner_(std::move(frame)) {}
  frame_buffer(std::shared_ptr<const void> owner, byte_view view) : view_(view), owner_(std::move(owner)) {}
  byte_view view() const noexcept { return view_; }
  std::size_t size() const noexcept { return view_.size(); }

 private:
  byte_view view_;
  std::shared_ptr<const void> owner_;
};

enum class send_status : std::uint8_t { queued, queue_full, no_route };

struct transport_counters {
  std::uint64_t dropped_hwm = 0;          // ZeroMQ refused: per-peer high-water mark reached
  std::uint64_t refused_handshakes = 0;   // CURVE/ZAP refused a connection (bad key or banned)
  std::uint64_t oversized_dropped = 0;    // dropped by the transport before reaching the bus
  // Outbound connections (ZeroMQ reconnects by itself, doubling the wait from
  // bus_limits::reconnect_backoff_ms_min up to _max while a peer is unreachable).
  std::uint64_t connects = 0;             // connections established (first and re-)
  std::uint64_t disconnects = 0;          // established connections lost
  std::uint64_t reconnect_attempts = 0;   // connection attempts that failed and were rescheduled
  std::uint64_t reconnect_backoff_ms_last = 0;  // the wait before the latest rescheduled attempt
};

class bus_transport {
 public:
  virtual ~bus_transport() = default;
  // Makes `peer` reachable (opens a connection if there is none).
  virtual void connect(const peer_info& peer) = 0;
  // Never blocks: a full queue drops the frame and says so.
  virtual send_status send(const node_id& to, bytes frame) = 0;
  // One frame to several peers (gossip): a transport that can share the bytes
  // among its queues overrides this; the others get a copy each.
  virtual send_status send_shared(const node_id& to, const std::shared_ptr<const bytes>& frame) {
    return send(to, *frame);
  }
  // A response goes back over the connection its request came in on, so a
  // node can answer peers it has no route to (e.g. when its table is full).
  virtual send_status reply(const curve_public_key& connection, bytes frame) = 0;
  // Refuses frames and new connections from this key for `duration`, closing current ones.
  virtual void ban(const curve_public_key& peer, std::chrono::milliseconds duration) = 0;
  virtual transport_counters counters() const = 0;
  // The bus has handled one inbound frame of `size` bytes (lets the transport
  // bound frames and bytes in flight).
  virtual void frame_consumed(std::size_t size) = 0;
  // The node id behind a CURVE key when the transport already knows it for
  // certain (the simulated network created every identity), so the bus need
  // not derive the key from the claimed id (an ed25519 point decompression
  // and subgroup check, ~40 us) on first contact. Empty: derive and compare.
  virtual std::optional<node_id> identity_of(const curve_public_key&) const { return std::nullopt; }
};

}  // namespace datdot

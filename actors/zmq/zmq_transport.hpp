// The ZeroMQ side of the bus. All sockets live on one dedicated I/O thread:
// a CURVE-server ROUTER that peers connect to, one CURVE-client DEALER per
// peer we send to, and a ZAP handler that records (or, during a ban, refuses)
// each client's CURVE key; each DEALER has a ZeroMQ monitor whose events
// (connected, retried with backoff, disconnected) are counted. The CURVE keys are the nodes' ed25519 identities
// converted to x25519, so the key a frame arrived under names its sender.
// Actors reach the thread only through a bounded command queue.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <variant>

#include "actors/bus_actor.hpp"
#include "crypto/keys.hpp"

namespace datdot {

struct zmq_transport_config {
  key_pair identity;
  std::string listen_endpoint;  // tcp://HOST:PORT (port 0 picks a free one)
  log_fn log;
};

class zmq_transport final : public bus_transport {
 public:
  // Binds the listening socket; the I/O thread starts with attach().
  static result<std::shared_ptr<zmq_transport>> bind(zmq_transport_config config);
  ~zmq_transport() override;

  // Starts the I/O thread, which hands inbound frames to `bus`.
  void attach(bus_actor bus);
  // Stops the I/O thread and closes every socket (idempotent).
  void stop();
  const std::string& endpoint() const noexcept { return endpoint_; }

  void connect(const peer_info& peer) override;
  send_status send(const node_id& to, bytes frame) override;
  send_status reply(const curve_public_key& connection, bytes frame) override;
  void ban(const curve_public_key& peer, std::chrono::milliseconds duration) override;
  transport_counters counters() const override;
  void frame_consumed(std::size_t size) override {
    inbound_in_flight_.fetch_sub(1, std::memory_order_relaxed);
    inbound_bytes_in_flight_.fetch_sub(size, std::memory_order_relaxed);
  }

  struct connect_command { peer_info peer; };
  struct send_command { node_id to; bytes frame; };
  struct reply_command { curve_public_key to; bytes frame; };
  struct ban_command { curve_public_key peer; std::chrono::milliseconds duration; };
  using command = std::variant<connect_command, send_command, reply_command, ban_command>;

 private:
  struct io_state;
  explicit zmq_transport(zmq_transport_config config);
  send_status enqueue(command c, std::size_t frame_bytes, bool bounded);
  void run(bus_actor bus);

  zmq_transport_config config_;
  std::unique_ptr<io_state> io_;  // sockets: created by bind(), then touched by the I/O thread only
  std::string endpoint_;
  int wake_fd_ = -1;
  std::mutex mutex_;
  std::deque<command> commands_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> inbound_in_flight_{0};
  std::atomic<std::size_t> inbound_bytes_in_flight_{0};
  std::size_t outbound_bytes_ = 0;  // frame bytes in commands_ (under mutex_)
  std::atomic<std::uint64_t> dropped_hwm_{0};
  std::atomic<std::uint64_t> refused_handshakes_{0};
  std::atomic<std::uint64_t> connects_{0};
  std::atomic<std::uint64_t> disconnects_{0};
  std::atomic<std::uint64_t> reconnect_attempts_{0};
  std::atomic<std::uint64_t> reconnect_backoff_ms_last_{0};
  std::thread thread_;
};

}  // namespace datdot

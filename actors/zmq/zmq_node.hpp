// One node over ZeroMQ, assembled: transport (I/O thread), bus actor and the
// node's peer actor. Used by `datdot node`, the in-process bus tests and the
// benchmark, so all three run the same stack.
#pragma once

#include <memory>

#include "actors/node_actor.hpp"
#include "actors/zmq/zmq_transport.hpp"

namespace datdot {

struct zmq_node_config {
  key_pair identity;
  std::string listen_endpoint;
  role_set roles;
  std::vector<peer_address> bootstrap;
  frame_limits limits;
  caf::timespan ping_interval = std::chrono::seconds{1};
  caf::timespan request_timeout = std::chrono::seconds{2};
  log_fn log;
  node_event_fn on_event;
  const actor_probe* bus_probe = nullptr;  // per-actor metrics; null: not measured
  const actor_probe* node_probe = nullptr;
};

// Call once at process start, before threads: frames of up to bus_limits::
// zmq_message_bytes_max are allocated on one thread and freed on another many
// thousand times a second; glibc would hand each freed large block back to the
// kernel (mmap above 128 KiB, heap trim) and fault the pages in again on the
// next frame. Measured at 64 KiB: page faults and TLB shootdowns were the
// largest single cost of the full-stack path.
void tune_allocator_for_frames();

class zmq_node {
 public:
  static result<std::unique_ptr<zmq_node>> start(caf::actor_system& sys, zmq_node_config config);
  ~zmq_node();

  // Lets both actors finish what is in their mailboxes, stops them, then the I/O thread.
  void stop();
  const node_id& id() const noexcept { return id_; }
  const std::string& endpoint() const noexcept { return transport_->endpoint(); }
  bus_actor bus() const { return bus_; }
  node_actor node() const { return node_; }

 private:
  zmq_node(caf::actor_system& sys) : system_(sys) {}
  caf::actor_system& system_;
  node_id id_;
  std::shared_ptr<zmq_transport> transport_;
  bus_actor bus_;
  node_actor node_;
  bool stopped_ = false;
};

}  // namespace datdot

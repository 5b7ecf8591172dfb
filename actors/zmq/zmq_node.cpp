#include "actors/zmq/zmq_node.hpp"

#include <malloc.h>

namespace datdot {

void tune_allocator_for_frames() {
  constexpr int mmap_threshold_bytes = 4 * bus_limits::zmq_message_bytes_max;  // every frame from the heap
  constexpr int trim_threshold_bytes = 64 << 20;  // keep up to 64 MiB of freed heap for the next frames
  static_assert(bus_limits::zmq_message_bytes_max < mmap_threshold_bytes);
  mallopt(M_MMAP_THRESHOLD, mmap_threshold_bytes);
  mallopt(M_TRIM_THRESHOLD, trim_threshold_bytes);
}

result<std::unique_ptr<zmq_node>> zmq_node::start(caf::actor_system& sys, zmq_node_config config) {
  std::unique_ptr<zmq_node> n{new zmq_node(sys)};
  n->id_ = node_id{config.identity.pk};
  DATDOT_TRY(transport, zmq_transport::bind(zmq_transport_config{config.identity, config.listen_endpoint, config.log}));
  n->transport_ = transport;
  n->bus_ = spawn_bus(sys, bus_config{n->id_, config.limits, transport, config.log, config.bus_probe});
  transport->attach(n->bus_);
  node_config nc;
  nc.self = peer_info{n->id_, config.roles, bus_protocol_version, transport->endpoint()};
  nc.bootstrap = std::move(config.bootstrap);
  nc.ping_interval = config.ping_interval;
  nc.request_timeout = config.request_timeout;
  nc.on_event = std::move(config.on_event);
  nc.probe = config.node_probe;
  n->node_ = spawn_node_actor(sys, n->bus_, std::move(nc));
  return n;
}

zmq_node::~zmq_node() { stop(); }

void zmq_node::stop() {
  if (stopped_) return;
  stopped_ = true;
  caf::scoped_actor self{system_};
  // A request answered means every message queued before it was handled.
  self->request(node_, std::chrono::seconds{5}, node_status_atom_v)
      .receive([](node_status&) {}, [](caf::error&) {});
  self->request(bus_, std::chrono::seconds{5}, bus_metrics_atom_v)
      .receive([](bus_metrics&) {}, [](caf::error&) {});
  self->send_exit(node_, caf::exit_reason::user_shutdown);
  self->wait_for(node_);
  self->send_exit(bus_, caf::exit_reason::user_shutdown);
  self->wait_for(bus_);
  transport_->stop();
}

}  // namespace datdot

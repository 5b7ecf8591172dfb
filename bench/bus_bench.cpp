// Bus throughput: node-to-node messages through the full stack (actor -> bus
// -> ZeroMQ with CURVE -> bus -> actor) next to raw cppzmq DEALER->ROUTER with
// the same CURVE keys in the same run, for 1 KiB and 64 KiB payloads; then
// simulated frames delivered per wall-clock second with 10,000 nodes.
#include <chrono>
#include <cstdio>
#include <thread>
#include <zmq.hpp>

#include "actors/sim/sim_cluster.hpp"
#include "actors/zmq/zmq_node.hpp"

using namespace datdot;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

struct figure {
  double messages_per_s;
  double mb_per_s;
};

figure rate(std::size_t messages, std::size_t size, clock_type::duration took) {
  double s = std::chrono::duration<double>(took).count();
  return {messages / s, messages * static_cast<double>(size) / s / 1e6};
}

void set_key(zmq::socket_t& s, int option, const std::array<byte, 32>& key) {
  zmq_setsockopt(s.handle(), option, key.data(), key.size());
}

figure raw_zmq(std::size_t size, std::size_t messages) {
  auto server = to_curve(generate_key_pair()).value();
  auto client = to_curve(generate_key_pair()).value();
  zmq::context_t ctx;
  zmq::socket_t router{ctx, zmq::socket_type::router}, dealer{ctx, zmq::socket_type::dealer};
  router.set(zmq::sockopt::curve_server, 1);
  set_key(router, ZMQ_CURVE_SECRETKEY, server.sk);
  router.set(zmq::sockopt::rcvhwm, bus_limits::zmq_recv_hwm_messages);
  router.bind("tcp://127.0.0.1:0");
  set_key(dealer, ZMQ_CURVE_SERVERKEY, server.pk);
  set_key(dealer, ZMQ_CURVE_PUBLICKEY, client.pk);
  set_key(dealer, ZMQ_CURVE_SECRETKEY, client.sk);
  dealer.set(zmq::sockopt::sndhwm, bus_limits::zmq_send_hwm_messages);
  dealer.connect(router.get(zmq::sockopt::last_endpoint));
  bytes payload(size, 0x5a);
  std::thread sender([&] {
    for (std::size_t i = 0; i < messages; ++i) dealer.send(zmq::buffer(payload), zmq::send_flags::none);
  });
  zmq::message_t rid, msg;
  (void)router.recv(rid);
  (void)router.recv(msg);
  auto start = clock_type::now();
  for (std::size_t i = 1; i < messages; ++i) {
    (void)router.recv(rid);
    (void)router.recv(msg);
  }
  auto took = clock_type::now() - start;
  sender.join();
  return rate(messages - 1, size, took);
}

figure full_stack(caf::actor_system& sys, std::size_t size, std::size_t messages) {
  auto a = zmq_node::start(sys, zmq_node_config{generate_key_pair(), "tcp://127.0.0.1:0", {}, {}, frame_limits{},
                                                60s, 5s, {}, {}})
               .value();
  auto b = zmq_node::start(sys, zmq_node_config{generate_key_pair(), "tcp://127.0.0.1:0", {}, {{a->id(), a->endpoint()}},
                                                frame_limits{}, 60s, 5s, {}, {}})
               .value();
  caf::scoped_actor self{sys};
  auto received = [&] {
    std::uint64_t n = 0;
    self->request(a->node(), 5s, node_status_atom_v)
        .receive([&](node_status& s) { n = s.probes_received; }, [](caf::error&) {});
    return n;
  };
  message_body body{ping{0, bytes(size, 0x5a)}};
  // Warm-up: the route to a exists once the CURVE connection is up.
  for (int i = 0; i < 200 && received() == 0; ++i) {
    self->send(b->bus(), bus_send_atom_v, a->id(), body);
    std::this_thread::sleep_for(10ms);
  }
  auto base = received();
  // A window keeps the transport queue below its bound, so nothing is dropped.
  const std::size_t window = std::min<std::size_t>(bus_limits::io_outbound_queue_max / 4, 64u * 1024 * 1024 / size);
  auto start = clock_type::now();
  std::size_t sent = 0;
  while (received() - base < messages) {
    while (sent < messages && sent - (received() - base) < window) {
      for (std::size_t k = 0; k < window / 4 && sent < messages; ++k, ++sent)
        self->send(b->bus(), bus_send_atom_v, a->id(), body);
    }
    if (sent == messages) std::this_thread::sleep_for(100us);
  }
  auto took = clock_type::now() - start;
  b->stop();
  a->stop();
  return rate(messages, size, took);
}

void bench_zmq(std::size_t only_size) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", static_cast<std::size_t>(std::max(1u, std::thread::hardware_concurrency())));
  cfg.set("logger.console-verbosity", caf::atom("quiet"));
  caf::actor_system sys{cfg};
  std::printf("%-28s %10s %14s %10s\n", "path (CURVE on, tcp loopback)", "payload", "messages/s", "MB/s");
  for (auto [size, messages] : {std::pair<std::size_t, std::size_t>{1024, 200'000}, {64 * 1024, 20'000}}) {
    if (only_size != 0 && size != only_size) continue;
    auto raw = raw_zmq(size, messages);
    auto full = full_stack(sys, size, messages);
    std::printf("%-28s %9zuB %14.0f %10.1f\n", "raw cppzmq dealer->router", size, raw.messages_per_s, raw.mb_per_s);
    std::printf("%-28s %9zuB %14.0f %10.1f   (%.0f%% of raw)\n", "actor->bus->zmq->bus->actor", size,
                full.messages_per_s, full.mb_per_s, 100.0 * full.messages_per_s / raw.messages_per_s);
  }
}

// Two phases: start-up (every node says hello to node 0 and learns peers from
// welcomes of 32 peer records) and steady state (pings to ~24 peers a second).
void bench_sim(std::size_t nodes) {
  auto start = clock_type::now();
  sim_cluster cluster{sim_cluster_config{1, nodes, link_profile{}}};
  auto built = clock_type::now();
  std::printf("simulated, %zu nodes (setup %.1f s wall):\n", nodes, std::chrono::duration<double>(built - start).count());
  auto phase = [&](const char* name, caf::timespan virtual_time) {
    auto from = clock_type::now();
    auto before = cluster.network().counters().delivered;
    cluster.run_for(virtual_time);
    auto took = std::chrono::duration<double>(clock_type::now() - from).count();
    auto delivered = cluster.network().counters().delivered - before;
    std::printf("  %-12s %9llu frames in %5.1f s virtual, %6.1f s wall: %8.0f frames/s\n", name,
                static_cast<unsigned long long>(delivered), std::chrono::duration<double>(virtual_time).count(), took,
                delivered / took);
  };
  phase("start-up", 2100ms);
  phase("steady", 3000ms);
}

}  // namespace

// bus_bench [zmq [PAYLOAD_BYTES] | sim [NODES]] — both parts by default: payloads of 1 KiB and
// 64 KiB, the simulation at 10,000 nodes.
int main(int argc, char** argv) {
  crypto_init();
  tune_allocator_for_frames();  // as `datdot node` does
  std::string part = argc > 1 ? argv[1] : "all";
  std::size_t number = argc > 2 ? std::stoul(argv[2]) : 0;
  if (part == "all" || part == "zmq") bench_zmq(part == "zmq" ? number : 0);
  if (part == "all" || part == "sim") bench_sim(part == "sim" && number ? number : 10'000);
}

// Two ZeroMQ buses in one process on loopback, CURVE on: they handshake and
// ping; a raw socket without CURVE, with the wrong server key, and with a
// valid CURVE key but garbage, oversized or forged frames is refused, counted
// and finally banned, and the two nodes keep working.
#include <doctest/doctest.h>

#include <thread>
#include <zmq.hpp>

#include "actors/zmq/zmq_node.hpp"

using namespace datdot;
using namespace std::chrono_literals;

namespace {

caf::actor_system_config& threaded(caf::actor_system_config& cfg) {
  cfg.set("scheduler.max-threads", static_cast<std::size_t>(2));
  cfg.set("logger.console-verbosity", caf::atom("quiet"));
  return cfg;
}

node_status status_of(caf::actor_system& sys, const zmq_node& n) {
  caf::scoped_actor self{sys};
  node_status out;
  self->request(n.node(), 2s, node_status_atom_v).receive([&](node_status& s) { out = std::move(s); }, [](caf::error&) {});
  return out;
}

bus_metrics metrics_of(caf::actor_system& sys, const zmq_node& n, caf::timespan timeout = 2s) {
  caf::scoped_actor self{sys};
  bus_metrics out;
  self->request(n.bus(), timeout, bus_metrics_atom_v).receive([&](bus_metrics& m) { out = std::move(m); }, [](caf::error&) {});
  return out;
}

template <class Predicate>
bool eventually(Predicate p, std::chrono::milliseconds limit = 10s) {
  for (auto deadline = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < deadline;) {
    if (p()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return p();
}

struct two_nodes {
  caf::actor_system_config cfg;
  caf::actor_system sys{threaded(cfg)};
  key_pair a_keys = generate_key_pair();
  key_pair b_keys = generate_key_pair();
  std::unique_ptr<zmq_node> a, b;

  two_nodes() {
    zmq_node_config ca{a_keys, "tcp://127.0.0.1:0", {}, {}, frame_limits{}, 200ms, 1s, {}, {}};
    a = std::move(zmq_node::start(sys, ca).value());
    zmq_node_config cb{b_keys, "tcp://127.0.0.1:0", {}, {{a->id(), a->endpoint()}}, frame_limits{}, 200ms, 1s, {}, {}};
    b = std::move(zmq_node::start(sys, cb).value());
  }
  ~two_nodes() {
    b->stop();
    a->stop();
  }
  bool both_ponged(std::uint64_t at_least) {
    return status_of(sys, *a).pongs >= at_least && status_of(sys, *b).pongs >= at_least;
  }
};

void set_key(zmq::socket_t& s, int option, const std::array<byte, 32>& key) {
  zmq_setsockopt(s.handle(), option, key.data(), key.size());
}

zmq::socket_t curve_client(zmq::context_t& ctx, const key_pair& me, const node_id& server, const std::string& endpoint) {
  zmq::socket_t s{ctx, zmq::socket_type::dealer};
  auto mine = to_curve(me).value();
  set_key(s, ZMQ_CURVE_SERVERKEY, to_curve_public(server.key).value());
  set_key(s, ZMQ_CURVE_PUBLICKEY, mine.pk);
  set_key(s, ZMQ_CURVE_SECRETKEY, mine.sk);
  s.set(zmq::sockopt::linger, 0);
  s.connect(endpoint);
  return s;
}

}  // namespace

TEST_CASE("two ZeroMQ buses handshake and ping with CURVE") {
  two_nodes t;
  REQUIRE(eventually([&] { return t.both_ponged(3); }));
  auto s = status_of(t.sys, *t.a);
  REQUIRE(s.peers.size() == 1);
  CHECK(s.peers[0].info.id == t.b->id());
  CHECK(s.peers[0].last_rtt.has_value());
  auto m = metrics_of(t.sys, *t.a);
  CHECK(m.rejected_sum() == 0);
  CHECK(m.peers[t.b->id()].bytes_in > 0);
  CHECK(m.peers[t.b->id()].frames_out > 0);
}

TEST_CASE("garbage and oversized and forged and unauthenticated frames are refused while the nodes keep working") {
  two_nodes t;
  REQUIRE(eventually([&] { return t.both_ponged(1); }));
  zmq::context_t ctx;

  SUBCASE("a socket without CURVE and one with the wrong server key get nothing through") {
    zmq::socket_t plain{ctx, zmq::socket_type::dealer};
    plain.set(zmq::sockopt::linger, 0);
    plain.connect(t.a->endpoint());
    auto wrong = curve_client(ctx, generate_key_pair(), node_id{generate_key_pair().pk}, t.a->endpoint());
    for (int i = 0; i < 20; ++i) {
      plain.send(zmq::str_buffer("garbage"), zmq::send_flags::dontwait);
      wrong.send(zmq::str_buffer("garbage"), zmq::send_flags::dontwait);
    }
    std::this_thread::sleep_for(500ms);
    auto m = metrics_of(t.sys, *t.a);
    CHECK(m.rejected_sum() == 0);  // never reached the bus: the handshake failed
  }

  SUBCASE("a CURVE-authenticated peer sending garbage is counted, then banned") {
    auto mallory = generate_key_pair();
    auto s = curve_client(ctx, mallory, t.a->id(), t.a->endpoint());
    auto forged = encode_frame(t.b->id(), frame_kind::one_way, 0, ping{1, {}});  // claims to be b
    auto wrong_type = encode_frame(node_id{mallory.pk}, frame_kind::response, 5, pong{1});  // nobody asked
    bytes oversized(bus_limits::frame_bytes_default + 10, 0x42);
    for (int i = 0; i < 4; ++i) {
      s.send(zmq::str_buffer("\xff\x01garbage"), zmq::send_flags::none);
      s.send(zmq::buffer(oversized), zmq::send_flags::none);
      s.send(zmq::buffer(forged), zmq::send_flags::none);
      s.send(zmq::buffer(wrong_type), zmq::send_flags::none);
    }
    CHECK(eventually([&] { return metrics_of(t.sys, *t.a).rejected_sum() >= 12; }, 5s));
    auto m = metrics_of(t.sys, *t.a);
    CHECK(m.rejected_total[static_cast<std::size_t>(reject_reason::malformed_envelope)] == 4);
    CHECK(m.rejected_total[static_cast<std::size_t>(reject_reason::oversized)] == 4);
    CHECK(m.rejected_total[static_cast<std::size_t>(reject_reason::sender_mismatch)] == 4);
    CHECK(m.unmatched_responses_total == 4);
    for (std::uint32_t i = 0; i < bus_limits::garbage_frames_threshold; ++i)
      s.send(zmq::str_buffer("\xff\x01garbage"), zmq::send_flags::dontwait);
    CHECK(eventually([&] { return metrics_of(t.sys, *t.a).bans_total == 1; }, 5s));
    // Disconnected and refused on reconnect while banned.
    CHECK(eventually([&] { return metrics_of(t.sys, *t.a).transport.refused_handshakes > 0; }, 5s));
  }

  auto before = status_of(t.sys, *t.a).pongs;
  CHECK(eventually([&] { return status_of(t.sys, *t.a).pongs >= before + 3; }));
}

TEST_CASE("a peer that stops reading costs counted drops and never blocks the bus") {
  caf::actor_system_config cfg;
  caf::actor_system sys{threaded(cfg)};
  auto b = std::move(zmq_node::start(sys, zmq_node_config{generate_key_pair(), "tcp://127.0.0.1:0", {}, {}, frame_limits{},
                                                          60s, 1s, {}, {}})
                         .value());
  // The stalled peer: a CURVE server that accepts the connection and never reads.
  auto stalled = generate_key_pair();
  zmq::context_t ctx;
  zmq::socket_t router{ctx, zmq::socket_type::router};
  router.set(zmq::sockopt::curve_server, 1);
  set_key(router, ZMQ_CURVE_SECRETKEY, to_curve(stalled).value().sk);
  router.set(zmq::sockopt::rcvhwm, 1000);
  router.set(zmq::sockopt::linger, 0);
  router.bind("tcp://127.0.0.1:0");
  peer_info peer{node_id{stalled.pk}, {}, bus_protocol_version, router.get(zmq::sockopt::last_endpoint)};
  caf::scoped_actor self{sys};
  self->send(b->bus(), bus_add_peer_atom_v, peer);
  auto before = metrics_of(sys, *b);

  // Far more than ZeroMQ's high-water marks and TCP's buffers hold.
  constexpr std::uint64_t sent = 40'000;
  message_body probe{ping{0, bytes(1024, 1)}};
  auto start = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < sent; ++i) self->send(b->bus(), bus_send_atom_v, peer.id, probe);
  auto after = metrics_of(sys, *b, 30s);  // answered once every send above was handled
  CHECK(std::chrono::steady_clock::now() - start < 20s);  // never blocked: ~0.3 s when idle
  REQUIRE(after.frames_out_total > 0);
  auto out = after.frames_out_total - before.frames_out_total;
  auto queue_full = after.dropped_queue_full_total - before.dropped_queue_full_total;
  CHECK(out + queue_full == sent);                                   // every frame is sent or counted
  CHECK(after.dropped_no_route_total == before.dropped_no_route_total);
  CHECK(after.peers[peer.id].frames_out == out);                     // per-peer counters agree
  CHECK(after.peers[peer.id].bytes_out >= out * 1024);
  // The I/O thread's drops (high-water mark) are counted as they happen.
  std::uint64_t hwm = 0;
  CHECK(eventually([&] {
    hwm = metrics_of(sys, *b).transport.dropped_hwm - before.transport.dropped_hwm;
    return queue_full + hwm > sent / 4;
  }));

  // The peer reads again: everything not counted as dropped arrives.
  std::uint64_t received = 0;
  router.set(zmq::sockopt::rcvtimeo, 2000);
  for (zmq::message_t rid, frame; router.recv(rid) && router.recv(frame);) ++received;
  hwm = metrics_of(sys, *b).transport.dropped_hwm - before.transport.dropped_hwm;
  CHECK(received == out - hwm);
  MESSAGE("sent " << sent << ", dropped at the queue " << queue_full << ", at the high-water mark " << hwm
                  << ", received " << received);
  b->stop();
}

TEST_CASE("a peer that is down is retried with growing waits and joined once it is up") {
  caf::actor_system_config cfg;
  caf::actor_system sys{threaded(cfg)};
  auto a_keys = generate_key_pair();
  std::string endpoint;  // a free port, closed again: nobody listens there yet
  {
    zmq::context_t ctx;
    zmq::socket_t s{ctx, zmq::socket_type::router};
    s.set(zmq::sockopt::linger, 0);
    s.bind("tcp://127.0.0.1:0");
    endpoint = s.get(zmq::sockopt::last_endpoint);
  }
  auto b = std::move(zmq_node::start(sys, zmq_node_config{generate_key_pair(), "tcp://127.0.0.1:0", {},
                                                          {{node_id{a_keys.pk}, endpoint}}, frame_limits{}, 200ms,
                                                          1s, {}, {}})
                         .value());
  std::this_thread::sleep_for(2500ms);
  auto down = metrics_of(sys, *b).transport;
  // Waits of 100, 200, 400, 800, 1600 ms (plus jitter): a handful of attempts, not one per 100 ms.
  CHECK(down.reconnect_attempts >= 3);
  CHECK(down.reconnect_attempts <= 8);
  CHECK(down.reconnect_backoff_ms_last >= 2 * bus_limits::reconnect_backoff_ms_min * 2);
  CHECK(down.reconnect_backoff_ms_last <= 2 * bus_limits::reconnect_backoff_ms_max);
  CHECK(down.connects == 0);

  auto a = std::move(zmq_node::start(sys, zmq_node_config{a_keys, endpoint, {}, {}, frame_limits{}, 200ms, 1s, {}, {}})
                         .value());
  CHECK(eventually([&] { return status_of(sys, *b).pongs > 0 && status_of(sys, *a).pongs > 0; }, 15s));
  auto up = metrics_of(sys, *b).transport;
  CHECK(up.connects >= 1);
  MESSAGE("while down: " << down.reconnect_attempts << " attempts, last wait " << down.reconnect_backoff_ms_last
                         << " ms; then connected after " << up.reconnect_attempts << " attempts in all");
  b->stop();
  a->stop();
}

// Real `datdot node` processes on loopback: three find each other and ping;
// garbage from a raw socket is refused while they keep working; a node killed
// with SIGKILL restarts from its data directory with the same identity and
// rejoins. Children are killed and temp dirs removed even when a check fails.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>

#include <zmq.hpp>

#include "crypto/keys.hpp"
#include "process/node_process.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;
using json = nlohmann::json;

using datdot::testing::address;
using datdot::testing::eventually;
using datdot::testing::node_process;

TEST_CASE("three datdot nodes find each other and shrug off garbage and survive kill -9") {
  datdot::storage::testing::temp_dir tmp;
  for (auto n : {"a", "b", "c"}) std::filesystem::create_directories(tmp / n);
  node_process a(tmp / "a", {"--listen", "tcp://127.0.0.1:0", "--roles", "validator"});
  auto a_info = a.started();
  node_process b(tmp / "b", {"--listen", "tcp://127.0.0.1:0", "--bootstrap", address(a_info), "--roles", "hoster"});
  auto b_info = b.started();
  auto c = std::make_unique<node_process>(
      tmp / "c", std::vector<std::string>{"--listen", "tcp://127.0.0.1:0", "--bootstrap", address(a_info)});
  auto c_info = c->started();
  const std::string a_id = a_info["node"], b_id = b_info["node"], c_id = c_info["node"];

  // c learns b through a's welcome; everyone pings everyone.
  CHECK(eventually([&] {
    return a.count("pong", b_id) > 0 && a.count("pong", c_id) > 0 && b.count("pong", a_id) > 0 &&
           b.count("pong", c_id) > 0 && c->count("pong", a_id) > 0 && c->count("pong", b_id) > 0;
  }));

  // Garbage over a raw CURVE connection (a valid key nobody knows), plus a plain socket.
  {
    zmq::context_t ctx;
    zmq::socket_t plain{ctx, zmq::socket_type::dealer};
    plain.set(zmq::sockopt::linger, 0);
    plain.connect(a_info["endpoint"].get<std::string>());
    zmq::socket_t raw{ctx, zmq::socket_type::dealer};
    raw.set(zmq::sockopt::linger, 0);
    auto mallory = datdot::to_curve(datdot::generate_key_pair()).value();
    auto server = datdot::from_hex_fixed<32>(a_id).value();
    auto server_curve = datdot::to_curve_public(server).value();
    zmq_setsockopt(raw.handle(), ZMQ_CURVE_SERVERKEY, server_curve.data(), 32);
    zmq_setsockopt(raw.handle(), ZMQ_CURVE_PUBLICKEY, mallory.pk.data(), 32);
    zmq_setsockopt(raw.handle(), ZMQ_CURVE_SECRETKEY, mallory.sk.data(), 32);
    raw.connect(a_info["endpoint"].get<std::string>());
    std::string big(300 * 1024, 'x');
    for (int i = 0; i < 40; ++i) {
      plain.send(zmq::str_buffer("junk"), zmq::send_flags::dontwait);
      raw.send(zmq::buffer(i % 2 ? big : std::string("\x0a\xff junk")), zmq::send_flags::dontwait);
    }
    std::this_thread::sleep_for(500ms);
  }
  auto a_mark = a.events().size();
  CHECK(eventually([&] { return a.count("pong", b_id, a_mark) > 2 && a.count("pong", c_id, a_mark) > 2; }));

  // kill -9 c, restart it on the same endpoint from the same data directory.
  c->kill(SIGKILL);
  auto b_mark = b.events().size();
  c = std::make_unique<node_process>(
      tmp / "c", std::vector<std::string>{"--listen", c_info["endpoint"], "--bootstrap", address(a_info)});
  std::size_t starts = 0;
  CHECK(eventually([&] {
    starts = 0;
    for (auto& e : c->events()) starts += e["event"] == "started" ? 1 : 0;
    return starts == 2;
  }));
  json restarted;
  for (auto& e : c->events())
    if (e["event"] == "started") restarted = e;
  CHECK(restarted["node"] == c_id);
  CHECK(eventually([&] { return b.count("pong", c_id, b_mark) > 2 && a.count("pong", c_id, b_mark) > 0; }));

  // SIGTERM: a clean stop that reports its counters.
  a.kill(SIGTERM);
  CHECK(WIFEXITED(a.exit_status()));
  CHECK(WEXITSTATUS(a.exit_status()) == 0);
  json stopped;
  for (auto& e : a.events())
    if (e["event"] == "stopped") stopped = e;
  REQUIRE(stopped.is_object());
  CHECK(stopped["metrics"]["rejected"]["malformed_envelope"].get<int>() > 0);
  CHECK(stopped["metrics"]["rejected"]["oversized"].get<int>() > 0);
}

// Real `datdot node` processes on loopback: three find each other and ping;
// garbage from a raw socket is refused while they keep working; a node killed
// with SIGKILL restarts from its data directory with the same identity and
// rejoins. Children are killed and temp dirs removed even when a check fails.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>
#include <zmq.hpp>

#include "crypto/keys.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

class node_process {
 public:
  node_process(const std::filesystem::path& dir, std::vector<std::string> extra) : out_(dir / "stdout.jsonl") {
    std::vector<std::string> args{DATDOT_BINARY, "node", "--data-dir", (dir / "data").string(), "--ping-interval-ms",
                                  "200", "--request-timeout-ms", "1000"};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      int err = ::open((dir / "stderr.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      ::dup2(fd, 1);
      ::dup2(err, 2);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~node_process() { kill(SIGKILL); }
  node_process(const node_process&) = delete;

  void kill(int signal) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    int status;
    ::waitpid(pid_, &status, 0);
    exit_status_ = status;
    pid_ = -1;
  }
  int exit_status() const { return exit_status_; }

  std::vector<json> events() const {
    std::vector<json> out;
    std::ifstream in(out_);
    for (std::string line; std::getline(in, line);) {
      auto j = json::parse(line, nullptr, false);
      if (!j.is_discarded()) out.push_back(std::move(j));
    }
    return out;
  }
  // Waits for the "started" line (bounded).
  json started() const {
    for (int i = 0; i < 100; ++i) {
      for (auto& e : events())
        if (e["event"] == "started") return e;
      std::this_thread::sleep_for(50ms);
    }
    FAIL("node did not start");
    return {};
  }
  std::size_t count(const std::string& event, const std::string& peer, std::size_t skip = 0) const {
    std::size_t n = 0, seen = 0;
    for (auto& e : events())
      if (seen++ >= skip && e["event"] == event && e.value("peer", "") == peer) ++n;
    return n;
  }

 private:
  std::filesystem::path out_;
  pid_t pid_ = -1;
  int exit_status_ = -1;
};

template <class P>
bool eventually(P p, std::chrono::milliseconds limit = 15s) {
  for (auto deadline = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < deadline;) {
    if (p()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return p();
}

std::string address(const json& started) {
  return started["node"].get<std::string>() + "@" + started["endpoint"].get<std::string>();
}

}  // namespace

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

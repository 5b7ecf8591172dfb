// A `datdot node` child process for the process tests: started with given
// arguments, its stdout (JSON lines) read back as events; killed with SIGKILL
// when it goes out of scope, so a failing check never leaves a node behind.
#pragma once

#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace datdot::testing {

using json = nlohmann::json;
using namespace std::chrono_literals;

class node_process {
 public:
  struct exact_args {};
  // `datdot node` with a data directory under `dir` and fast pings, then `extra`.
  node_process(const std::filesystem::path& dir, std::vector<std::string> extra)
      : node_process(dir, with_defaults(dir, std::move(extra)), exact_args{}) {}
  // `datdot node` with exactly `node_args` (after "node"); output still goes to files in `dir`.
  node_process(const std::filesystem::path& dir, std::vector<std::string> node_args, exact_args)
      : out_(dir / "stdout.jsonl") {
    std::vector<std::string> args{DATDOT_BINARY, "node"};
    args.insert(args.end(), node_args.begin(), node_args.end());
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
  static std::vector<std::string> with_defaults(const std::filesystem::path& dir, std::vector<std::string> extra) {
    std::vector<std::string> args{"--data-dir", (dir / "data").string(), "--ping-interval-ms", "200",
                                  "--request-timeout-ms", "1000"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
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

inline std::string address(const json& started) {
  return started["node"].get<std::string>() + "@" + started["endpoint"].get<std::string>();
}

}  // namespace datdot::testing

// The threads a simulated cluster runs its lanes on (sim_network.hpp): one
// per lane but the first, which runs on the caller. They start with the
// cluster and wait for rounds; a round runs one function on every lane at
// once and returns when all are done. A round is a window of virtual time a
// fraction of a millisecond long, so rounds come by the million: a thread
// spins a little before it sleeps rather than sleeping at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <thread>
#include <utility>
#include <vector>

namespace datdot {

class lane_workers {
 public:
  explicit lane_workers(std::uint32_t lanes);
  ~lane_workers();
  lane_workers(const lane_workers&) = delete;
  lane_workers& operator=(const lane_workers&) = delete;

  // Runs work(lane) for every lane, lane 0 on this thread; rethrows what a lane threw.
  void run(const std::function<void(std::uint32_t)>& work);

 private:
  void serve(std::uint32_t lane);

  std::vector<std::thread> threads_;
  const std::function<void(std::uint32_t)>* work_ = nullptr;
  std::atomic<std::uint64_t> round_{0};
  std::atomic<std::uint32_t> busy_{0};
  std::atomic<bool> stopping_{false};
  std::vector<std::exception_ptr> failures_;  // by lane, of the last round
};

}  // namespace datdot

// The threads a simulated cluster runs its lanes on (sim_network.hpp): the
// caller and `threads - 1` more, which start with the cluster and wait for
// rounds. A round runs one function on every lane, each lane on whichever
// thread claims it next, and returns when all are done: with more lanes than
// threads, a thread whose lanes were light takes another instead of
// waiting. A round is a window of virtual time a fraction of a millisecond
// long, so rounds come by the million: a thread spins a little before it
// sleeps rather than sleeping at once.
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
  explicit lane_workers(std::uint32_t threads);
  ~lane_workers();
  lane_workers(const lane_workers&) = delete;
  lane_workers& operator=(const lane_workers&) = delete;

  // Runs work(lane) once for every lane below `lanes`, on this thread and
  // the others; rethrows the first thing a lane threw.
  void run(std::uint32_t lanes, const std::function<void(std::uint32_t)>& work);

 private:
  void serve();
  void claim_lanes();

  std::vector<std::thread> threads_;
  const std::function<void(std::uint32_t)>* work_ = nullptr;
  std::uint32_t lanes_ = 0;
  std::atomic<std::uint32_t> next_lane_{0};
  std::atomic<std::uint64_t> round_{0};
  std::atomic<std::uint32_t> busy_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> failed_{false};
  std::exception_ptr failure_;  // the first, written by the thread that set failed_
};

}  // namespace datdot

// Readiness for orchestrators: a node is ready when every registered check
// passes (the bus is up; with a chain, it is synced). Checks
// ask the subsystem itself — never its metrics, which are only observed.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace datdot {

struct check_result {
  bool ok = false;
  std::string detail;  // what an operator reads: "up, 3 peers", "no answer within 1000 ms"
};

struct health_report {
  bool ready = false;
  std::vector<std::pair<std::string, check_result>> checks;
  std::string to_json() const;
};

class health_checks {
 public:
  void add(std::string name, std::function<check_result()> check);
  // Runs every check now; ready only if there is at least one and all pass.
  health_report run() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, std::function<check_result()>>> checks_;
};

}  // namespace datdot

// A progress bar on stderr for long feed operations; silent when stderr is
// not a terminal (scripts get the final summary only) or the work is small.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace datdot::cli {

class progress_bar {
 public:
  progress_bar(std::string label, std::uint64_t total, const char* unit);
  void update(std::uint64_t done);
  void finish();

 private:
  std::string label_;
  std::uint64_t total_;
  const char* unit_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace datdot::cli

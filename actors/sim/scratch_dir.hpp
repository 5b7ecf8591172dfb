// A directory that lives as long as one simulation run: the simulated nodes'
// LMDB stores go below it, and it is removed with everything in it when the
// run ends. Its name only has to be unique on this machine (process id and a
// per-process counter); nothing simulated depends on it, so no entropy is drawn.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <system_error>

namespace datdot {

class scratch_dir {
 public:
  explicit scratch_dir(const std::string& prefix) {
    static std::atomic<std::uint64_t> next{0};
    path_ = std::filesystem::temp_directory_path() /
            (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(next++));
    std::error_code ec;  // a directory that cannot be made shows up as the stores' open error
    std::filesystem::create_directories(path_, ec);
  }
  ~scratch_dir() {
    std::error_code ec;  // best effort: a leftover directory in /tmp is no reason to fail a run
    std::filesystem::remove_all(path_, ec);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace datdot

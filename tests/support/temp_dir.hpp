// File-system fixtures for the storage tests: a scratch directory removed
// with its contents at the end of the case, a scoped umask, and error text
// for failed results.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "crypto/bytes.hpp"
#include "crypto/keys.hpp"
#include "crypto/result.hpp"

namespace datdot::storage::testing {

class temp_dir {
 public:
  temp_dir() {
    std::array<byte, 8> nonce{};
    random_bytes(nonce);
    path_ = std::filesystem::temp_directory_path() /
            ("datdot-storage-test-" + std::to_string(::getpid()) + "-" + to_hex(nonce));
    std::filesystem::create_directory(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// umask is process-wide: restore it so later cases see the usual one.
class umask_scope {
 public:
  explicit umask_scope(mode_t mask) : previous_(::umask(mask)) {}
  ~umask_scope() { ::umask(previous_); }
  umask_scope(const umask_scope&) = delete;
  umask_scope& operator=(const umask_scope&) = delete;

 private:
  mode_t previous_;
};

inline unsigned permissions_of(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0xffff;
  return st.st_mode & 07777;
}

// The error's description, or "" for a success: for doctest messages.
template <class T>
std::string why(const result<T>& r) {
  return r ? std::string{} : r.err().describe();
}

}  // namespace datdot::storage::testing

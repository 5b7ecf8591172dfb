// The few POSIX file calls the stores make by hand, with their errors as
// values: an owning descriptor, bounded reads, writes that finish, and the
// directory fsync that makes a new or renamed name survive power loss.
#pragma once

#include <filesystem>
#include <string>
#include <utility>

#include "crypto/bytes.hpp"
#include "crypto/result.hpp"

namespace datdot::storage {

// errc::io_error: "what path: strerror(err)".
error os_error(const std::string& what, const std::filesystem::path& path, int err);

// Closes on destruction; release() for writes, whose close error must be checked.
class unique_fd {
 public:
  explicit unique_fd(int fd = -1) noexcept : fd_(fd) {}
  ~unique_fd() { reset(); }
  unique_fd(unique_fd&& o) noexcept : fd_(o.release()) {}
  unique_fd& operator=(unique_fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.release();
    }
    return *this;
  }
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;

  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }
  void reset() noexcept;

 private:
  int fd_;
};

// Reads from the descriptor's offset until end of file or limit_bytes, whichever comes first.
result<bytes> read_up_to(int fd, std::size_t limit_bytes, const std::filesystem::path& path);

// Writes all of data at the descriptor's offset (retrying short writes and EINTR).
result<void> write_all(int fd, byte_view data, const std::filesystem::path& path);

// Creates or replaces path 0600 with data and fsyncs it (not its directory).
result<void> write_synced(const std::filesystem::path& path, byte_view data, bool replace);

result<void> fsync_dir(const std::filesystem::path& dir);

// The directory that names path ("." for a bare file name).
std::filesystem::path directory_of(const std::filesystem::path& path);

}  // namespace datdot::storage

#include "storage/posix_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace datdot::storage {

error os_error(const std::string& what, const std::filesystem::path& path, int err) {
  return make_error(errc::io_error, what + " " + path.string() + ": " + std::strerror(err));
}

void unique_fd::reset() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

result<bytes> read_up_to(int fd, std::size_t limit_bytes, const std::filesystem::path& path) {
  bytes data(limit_bytes);
  std::size_t used = 0;
  while (used < data.size()) {
    const ssize_t n = ::read(fd, data.data() + used, data.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error("read", path, errno);
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  data.resize(used);
  return data;
}

result<void> write_all(int fd, byte_view data, const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error("write", path, errno);
    done += static_cast<std::size_t>(n);
  }
  return ok;
}

result<void> write_synced(const std::filesystem::path& path, byte_view data, bool replace) {
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (replace ? O_TRUNC : O_EXCL);
  unique_fd fd{::open(path.c_str(), flags, 0600)};
  if (fd.get() < 0) return os_error("create", path, errno);
  DATDOT_CHECK(write_all(fd.get(), data, path));
  if (::fsync(fd.get()) != 0) return os_error("fsync", path, errno);
  if (::close(fd.release()) != 0) return os_error("close", path, errno);
  return ok;
}

result<void> fsync_dir(const std::filesystem::path& dir) {
  unique_fd fd{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (fd.get() < 0) return os_error("open directory", dir, errno);
  if (::fsync(fd.get()) != 0) return os_error("fsync directory", dir, errno);
  return ok;
}

std::filesystem::path directory_of(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : std::filesystem::path{"."};
}

}  // namespace datdot::storage

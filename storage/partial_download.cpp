#include "storage/partial_download.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace datdot::storage {
namespace {

std::filesystem::path with_suffix(const std::filesystem::path& p, const char* suffix) {
  auto out = p;
  out += suffix;
  return out;
}

// OUT.part as it is, or a new empty one; and whether it was there.
result<std::pair<unique_fd, bool>> open_part(const std::filesystem::path& part) {
  unique_fd fd{::open(part.c_str(), O_RDWR | O_CLOEXEC)};
  if (fd.get() >= 0) return std::pair{std::move(fd), true};
  if (errno != ENOENT) return os_error("open", part, errno);
  fd = unique_fd{::open(part.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)};
  if (fd.get() < 0) return os_error("create", part, errno);
  return std::pair{std::move(fd), false};
}

}  // namespace

std::filesystem::path part_path_of(const std::filesystem::path& out) { return with_suffix(out, ".part"); }
std::filesystem::path progress_path_of(const std::filesystem::path& out) { return with_suffix(out, ".part.progress"); }

partial_download::partial_download(std::filesystem::path out, feed_head head, unique_fd fd, resume_point start)
    : out_(std::move(out)),
      head_(head),
      fd_(std::move(fd)),
      start_(std::move(start)),
      blocks_(start_.blocks),
      bytes_(start_.bytes),
      checkpoint_bytes_(start_.bytes) {}

result<partial_download> partial_download::open(const std::filesystem::path& out, const feed_head& head) {
  const auto part = part_path_of(out);
  DATDOT_TRY(opened, open_part(part));
  auto& [fd, existed] = opened;
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0)
    return errno == EWOULDBLOCK ? make_error(errc::already_exists, "another fetch is writing " + part.string())
                                : os_error("lock", part, errno);
  // Downloaded data is kept like the node's other files: owner only.
  if (::fchmod(fd.get(), 0600) != 0) return os_error("chmod", part, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return os_error("stat", part, errno);
  if (!S_ISREG(st.st_mode)) return make_error(errc::invalid_argument, part.string() + " is not a regular file");

  auto start = choose_resume_point(head, read_fetch_progress(progress_path_of(out)),
                                   existed ? std::optional{static_cast<std::uint64_t>(st.st_size)} : std::nullopt);
  if (start.blocks == 0) {
    DATDOT_CHECK(write_fetch_progress(progress_path_of(out), fetch_progress{head, 0, 0}));
    DATDOT_CHECK(fsync_dir(directory_of(part)));
  }
  if (::ftruncate(fd.get(), static_cast<off_t>(start.bytes)) != 0) return os_error("truncate", part, errno);
  if (::lseek(fd.get(), static_cast<off_t>(start.bytes), SEEK_SET) < 0) return os_error("seek", part, errno);
  return partial_download{out, head, std::move(fd), std::move(start)};
}

result<void> partial_download::append(byte_view block) {
  if (blocks_ >= head_.length)
    return make_error(errc::out_of_range, "the feed has " + std::to_string(head_.length) + " blocks");
  DATDOT_CHECK(write_all(fd_.get(), block, part_path_of(out_)));
  ++blocks_;
  bytes_ += block.size();
  return ok;
}

result<void> partial_download::checkpoint() {
  const auto part = part_path_of(out_);
  if (::fsync(fd_.get()) != 0) return os_error("fsync", part, errno);
  DATDOT_CHECK(write_fetch_progress(progress_path_of(out_), fetch_progress{head_, blocks_, bytes_}));
  checkpoint_bytes_ = bytes_;
  return ok;
}

result<void> partial_download::finish() {
  if (blocks_ != head_.length)
    return make_error(errc::out_of_range, "only " + std::to_string(blocks_) + " of " + std::to_string(head_.length) +
                                              " blocks are in " + part_path_of(out_).string());
  const auto part = part_path_of(out_);
  if (::fsync(fd_.get()) != 0) return os_error("fsync", part, errno);
  if (::rename(part.c_str(), out_.c_str()) != 0) return os_error("rename " + part.string() + " to", out_, errno);
  DATDOT_CHECK(fsync_dir(directory_of(out_)));
  const auto progress = progress_path_of(out_);
  if (::unlink(progress.c_str()) != 0 && errno != ENOENT) return os_error("remove", progress, errno);
  if (::close(fd_.release()) != 0) return os_error("close", out_, errno);
  return ok;
}

}  // namespace datdot::storage

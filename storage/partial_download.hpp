// Where `datdot fetch` writes: OUT.part, with its progress record
// OUT.part.progress beside it (storage/fetch_progress.hpp), renamed to OUT
// once every block is in. A download that was interrupted continues from its
// last checkpoint when the feed's head is the same; otherwise it starts over.
#pragma once

#include <filesystem>

#include "storage/fetch_progress.hpp"
#include "storage/posix_file.hpp"

namespace datdot::storage {

std::filesystem::path part_path_of(const std::filesystem::path& out);      // OUT.part
std::filesystem::path progress_path_of(const std::filesystem::path& out);  // OUT.part.progress

class partial_download {
 public:
  // Opens or creates OUT.part (0600), locked against a second fetch into the
  // same OUT, and cuts it to where the download continues. A fresh start
  // first makes a record of no blocks durable. errc::already_exists when
  // another fetch holds the lock.
  static result<partial_download> open(const std::filesystem::path& out, const feed_head& head);

  // Where this download began: what it kept of an earlier one and, on a
  // fresh start, why it kept nothing.
  const resume_point& start() const noexcept { return start_; }
  std::uint64_t blocks() const noexcept { return blocks_; }
  std::uint64_t bytes() const noexcept { return bytes_; }
  std::uint64_t bytes_since_checkpoint() const noexcept { return bytes_ - checkpoint_bytes_; }

  // Appends the next block (block index blocks()).
  result<void> append(byte_view block);

  // Makes the blocks appended so far survive a crash: fsync the .part, then
  // replace the progress record.
  result<void> checkpoint();

  // Once all head.length blocks are in: fsync, rename OUT.part to OUT, fsync
  // the directory, remove the record. errc::out_of_range before that.
  result<void> finish();

 private:
  partial_download(std::filesystem::path out, feed_head head, unique_fd fd, resume_point start);

  std::filesystem::path out_;
  feed_head head_;
  unique_fd fd_;
  resume_point start_;
  std::uint64_t blocks_ = 0, bytes_ = 0, checkpoint_bytes_ = 0;
};

}  // namespace datdot::storage

// The progress record an interrupted `datdot fetch` leaves beside OUT.part:
// the feed head the blocks were checked against and how much of OUT.part is
// durable. A fetch continues only from a record for the same head whose bytes
// the .part still holds; anything else starts over and says why.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "crypto/result.hpp"
#include "protocol/chain/chain_ids.hpp"

namespace datdot::storage {

// The feed as the chain recorded it when the fetch began: blocks from another
// head would not continue the same tree.
struct feed_head {
  feed_key feed;
  std::uint64_t length = 0;
  std::uint64_t byte_size = 0;
  hash32 tree_hash{};
  bool operator==(const feed_head&) const = default;
};

struct fetch_progress {
  feed_head head;
  std::uint64_t blocks = 0;  // blocks [0, blocks) are at the start of the .part, in order
  std::uint64_t bytes = 0;   // their total size
  bool operator==(const fetch_progress&) const = default;
};

// Fixed binary: magic 8 | feed 32 | length 8 | byte_size 8 | tree hash 32 |
// blocks 8 | bytes 8 (numbers little-endian) | BLAKE2b-256 of all before 32.
inline constexpr std::size_t fetch_progress_size_bytes = 8 + 32 + 8 + 8 + 32 + 8 + 8 + 32;

bytes encode_fetch_progress(const fetch_progress& p);

// errc::corrupt_data naming the fault: size, magic, checksum, or counts past the head.
result<fetch_progress> decode_fetch_progress(byte_view data);

// Where a fetch continues: blocks and bytes already in the .part. A fresh
// start is (0, 0) with why an earlier download could not be used (empty when
// there was none).
struct resume_point {
  std::uint64_t blocks = 0;
  std::uint64_t bytes = 0;
  std::string restart_reason;
};

// record: what reading the record gave (errc::not_found: there is none);
// part_size_bytes: the .part's size, nullopt when there is no .part.
resume_point choose_resume_point(const feed_head& head, const result<fetch_progress>& record,
                                 std::optional<std::uint64_t> part_size_bytes);

// errc::not_found when path does not exist.
result<fetch_progress> read_fetch_progress(const std::filesystem::path& path);

// Replaces path atomically: a 0600 temporary beside it, fsynced, renamed over
// path. The directory is not fsynced: after a crash the previous record may
// come back, which is safe while records only move forward over a .part
// that holds their bytes (partial_download makes a fresh start's record
// durable before it cuts the .part).
result<void> write_fetch_progress(const std::filesystem::path& path, const fetch_progress& p);

}  // namespace datdot::storage

// What a publisher can publish, made into a new feed directory: a file (its
// bytes), a directory (its ustar archive, storage/directory_archive.hpp) or a
// feed export (`datdot feed export`: the feed itself, imported and verified,
// keeping its key and signature). Blocks are 64 KiB, the most a storage
// proof can carry; an export with larger blocks is refused.
#pragma once

#include <filesystem>
#include <optional>

#include "storage/feed_export.hpp"

namespace datdot::storage {

enum class feed_source_kind { file, directory, feed_export };

const char* to_string(feed_source_kind kind) noexcept;

struct made_feed {
  std::filesystem::path dir;  // feeds_dir/KEY
  feed_source_kind kind = feed_source_kind::file;
};

// Makes the feed in a scratch directory under `feeds_dir`, then moves it to
// feeds_dir/KEY; nothing is left behind on failure. A feed already there
// (the same export published twice) is kept and its directory returned.
// A file or directory becomes a feed with a new key, from `seed` when given
// (a simulation that must replay), else random; an export keeps its own.
result<made_feed> make_feed_from(const std::filesystem::path& source, const std::filesystem::path& feeds_dir,
                                 std::optional<key_seed> seed = std::nullopt);

class feed_directory;
// Appends `file`'s bytes to a feed this directory may sign for, as new 64 KiB
// blocks (`datdot append`): the feed's last block stays as it is.
result<void> append_file(feed_directory& dir, const std::filesystem::path& file);

}  // namespace datdot::storage

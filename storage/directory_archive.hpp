// A directory as one byte stream: a POSIX ustar archive of its regular files
// and subdirectories, so a published directory is one feed that `tar -x`
// unpacks after `datdot fetch`. The archive is reproducible: entries in path
// order, owner 0, mtime 0, modes 0755/0644 by the owner's execute bit. Other
// file types (symlinks, devices, sockets) and paths ustar cannot name are
// refused with the path, not skipped.
#pragma once

#include <filesystem>
#include <functional>

#include "crypto/bytes.hpp"

namespace datdot::storage {

using archive_sink = std::function<result<void>(byte_view)>;

// Writes `dir`'s archive to `sink` in pieces; returns the bytes written.
result<std::uint64_t> write_directory_archive(const std::filesystem::path& dir, const archive_sink& sink);

}  // namespace datdot::storage

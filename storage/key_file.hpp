// The node's ed25519 identity on disk. The file is two lines of text:
//
//   public <64 hex digits: the 32-byte public key>
//   secret <128 hex digits: the 64-byte libsodium secret key, seed || public key>
//
// It must be readable by its owner only (mode 0600, like ssh private keys),
// is written atomically and never overwritten.
#pragma once

#include <filesystem>
#include <optional>

#include "crypto/keys.hpp"
#include "crypto/result.hpp"

namespace datdot::storage {

// Largest file accepted by load_key_file; a real one is 208 bytes.
inline constexpr std::size_t key_file_size_max_bytes = 4096;

// errc::not_found if the file is missing; errc::invalid_argument if group or
// others have any permission on it; errc::corrupt_data if the text is not the
// format above or the public key is not the secret key's.
result<key_pair> load_key_file(const std::filesystem::path& path);

// Writes a 0600 temporary file, fsyncs it, links it to path and fsyncs the
// directory. errc::already_exists if path exists (checked atomically).
result<void> write_key_file(const std::filesystem::path& path, const key_pair& keys);

// Loads path, or creates it from seed (random keys when there is none). If
// the file exists but holds another key than seed's, errc::already_exists.
result<key_pair> load_or_create_key_file(const std::filesystem::path& path,
                                         std::optional<key_seed> seed);

}  // namespace datdot::storage

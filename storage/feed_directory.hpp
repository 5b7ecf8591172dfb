// A data directory holding one feed: its LMDB files and, for feeds created
// here, the signer's key file (`feed.key`, 0600). This is what the
// `datdot feed` commands operate on.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "storage/feed_store.hpp"

namespace datdot::storage {

class feed_directory {
 public:
  static constexpr const char* key_file_name = "feed.key";

  // Creates the directory and a new empty feed in it; refuses a directory that holds a feed.
  static result<feed_directory> create(const std::filesystem::path& dir,
                                       std::optional<key_seed> seed, signing_mode mode);
  // Opens the one feed of a directory (created here, or imported).
  static result<feed_directory> open(const std::filesystem::path& dir);
  // Opens or creates the store only, for importing a feed into an empty directory.
  static result<feed_directory> open_empty(const std::filesystem::path& dir);

  feed& the_feed() { return *feed_; }
  const feed_store& store() const { return *store_; }
  // The signer's key, if this directory may append.
  const std::optional<key_pair>& keys() const noexcept { return keys_; }
  void adopt(feed f) { feed_ = std::move(f); }

 private:
  feed_directory() = default;
  static result<feed_directory> open_store(const std::filesystem::path& dir);
  std::unique_ptr<environment> env_;
  std::unique_ptr<feed_store> store_;
  std::optional<feed> feed_;
  std::optional<key_pair> keys_;
};

}  // namespace datdot::storage

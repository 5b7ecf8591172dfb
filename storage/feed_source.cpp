#include "storage/feed_source.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>

#include "protocol/feed_limits.hpp"
#include "storage/directory_archive.hpp"
#include "storage/feed_directory.hpp"

namespace datdot::storage {
namespace {

namespace fs = std::filesystem;

// Cuts a byte stream into blocks and appends them in batches (one LMDB commit each).
class block_writer {
 public:
  explicit block_writer(feed_directory& dir) : dir_(dir) {}

  result<void> write(byte_view b) {
    while (!b.empty()) {
      const auto n = std::min(b.size(), feed_limits::block_bytes_default - block_.size());
      block_.insert(block_.end(), b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n));
      b = b.subspan(n);
      if (block_.size() == feed_limits::block_bytes_default) DATDOT_CHECK(end_block());
    }
    return {};
  }

  result<void> finish() {
    if (!block_.empty()) DATDOT_CHECK(end_block());
    return flush();
  }

 private:
  result<void> end_block() {
    batch_bytes_ += block_.size();
    batch_.push_back(std::move(block_));
    block_.clear();
    return batch_bytes_ >= feed_limits::batch_bytes_max ? flush() : result<void>{};
  }
  result<void> flush() {
    if (batch_.empty()) return {};
    DATDOT_CHECK(dir_.the_feed().append(batch_, dir_.keys()->sk));
    batch_.clear();
    batch_bytes_ = 0;
    return {};
  }

  feed_directory& dir_;
  bytes block_;
  std::vector<bytes> batch_;
  std::size_t batch_bytes_ = 0;
};

result<feed_source_kind> kind_of(const fs::path& source) {
  std::error_code ec;
  const auto status = fs::status(source, ec);
  if (ec || !fs::exists(status)) return make_error(errc::not_found, "no such file or directory: " + source.string());
  if (fs::is_directory(status)) return feed_source_kind::directory;
  if (!fs::is_regular_file(status)) return make_error(errc::invalid_argument, source.string() + " is not a file");
  std::ifstream in(source, std::ios::binary);
  if (!in) return make_error(errc::io_error, "cannot open " + source.string());
  std::array<char, export_magic.size()> magic{};
  in.read(magic.data(), magic.size());
  return in.gcount() == static_cast<std::streamsize>(magic.size()) && magic == export_magic ? feed_source_kind::feed_export
                                                                                              : feed_source_kind::file;
}

result<void> copy_file(const fs::path& source, block_writer& w) {
  std::ifstream in(source, std::ios::binary);
  if (!in) return make_error(errc::io_error, "cannot open " + source.string());
  bytes chunk(feed_limits::block_bytes_default);
  while (in) {
    in.read(reinterpret_cast<char*>(chunk.data()), static_cast<std::streamsize>(chunk.size()));
    DATDOT_CHECK(w.write(byte_view{chunk}.first(static_cast<std::size_t>(in.gcount()))));
  }
  if (in.bad()) return make_error(errc::io_error, "cannot read " + source.string());
  return {};
}

result<void> check_hostable(feed& f) {
  for (std::uint64_t i = 0; i < f.head().length; ++i) {
    DATDOT_TRY(block, f.get(i));
    if (block.size() > feed_limits::hosted_block_bytes_max)
      return make_error(errc::invalid_argument, "block " + std::to_string(i) + " has " + std::to_string(block.size()) +
                                                    " bytes; hosted feeds have blocks of at most " +
                                                    std::to_string(feed_limits::hosted_block_bytes_max));
  }
  return {};
}

// Builds the feed in `scratch` (closed again on return); gives its key.
result<hash32> build(const fs::path& source, feed_source_kind kind, const fs::path& scratch,
                     std::optional<key_seed> seed) {
  if (kind == feed_source_kind::feed_export) {
    DATDOT_TRY(dir, feed_directory::open_empty(scratch));
    std::ifstream in(source, std::ios::binary);
    if (!in) return make_error(errc::io_error, "cannot open " + source.string());
    DATDOT_TRY(f, import_feed(dir.store(), in));
    DATDOT_CHECK(check_hostable(f));
    return f.identity().core_key();
  }
  DATDOT_TRY(dir, feed_directory::create(scratch, seed, signing_mode::manifest_v1));
  block_writer w{dir};
  if (kind == feed_source_kind::directory) {
    DATDOT_CHECK(write_directory_archive(source, [&](byte_view b) { return w.write(b); }));
  } else {
    DATDOT_CHECK(copy_file(source, w));
  }
  DATDOT_CHECK(w.finish());
  if (dir.the_feed().head().length == 0) return make_error(errc::invalid_argument, source.string() + " is empty");
  return dir.the_feed().identity().core_key();
}

}  // namespace

const char* to_string(feed_source_kind kind) noexcept {
  switch (kind) {
    case feed_source_kind::file: return "file";
    case feed_source_kind::directory: return "directory";
    case feed_source_kind::feed_export: return "feed export";
  }
  return "?";
}

result<void> append_file(feed_directory& dir, const fs::path& file) {
  if (!dir.keys()) return make_error(errc::invalid_argument, "this feed was imported: only its owner can append to it");
  block_writer w{dir};
  DATDOT_CHECK(copy_file(file, w));
  return w.finish();
}

result<made_feed> make_feed_from(const fs::path& source, const fs::path& feeds_dir, std::optional<key_seed> seed) {
  DATDOT_TRY(kind, kind_of(source));
  static std::atomic<std::uint64_t> made{0};
  std::error_code ec;
  fs::create_directories(feeds_dir, ec);
  if (ec) return make_error(errc::io_error, "cannot create " + feeds_dir.string() + ": " + ec.message());
  const auto scratch = feeds_dir / (".new-" + std::to_string(::getpid()) + "-" + std::to_string(made++));
  auto key = build(source, kind, scratch, seed);
  if (!key) {
    fs::remove_all(scratch, ec);
    return key.err();
  }
  const auto target = feeds_dir / to_hex(byte_view{*key});
  if (fs::exists(target, ec)) {  // published before: keep the feed it has
    fs::remove_all(scratch, ec);
    return made_feed{target, kind};
  }
  fs::rename(scratch, target, ec);
  if (ec) {
    fs::remove_all(scratch, ec);
    return make_error(errc::io_error, "cannot move the new feed to " + target.string() + ": " + ec.message());
  }
  return made_feed{target, kind};
}

}  // namespace datdot::storage

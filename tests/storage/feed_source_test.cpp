// What `datdot publish` accepts, made into feeds: a file's bytes in 64 KiB
// blocks; a directory as a reproducible ustar archive that the system's tar
// unpacks to the same tree; a feed export imported with its own key; and
// clear refusals (missing, empty, special files, blocks too large to prove).
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fstream>

#include "protocol/feed_limits.hpp"
#include "storage/directory_archive.hpp"
#include "storage/feed_directory.hpp"
#include "storage/feed_source.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

using namespace datdot;
using namespace datdot::storage;
using datdot::storage::testing::temp_dir;
using datdot::storage::testing::why;
using datdot::testing::run_command;
using datdot::testing::slurp;
namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& p, const std::string& content) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

std::string pattern(std::size_t n, unsigned salt) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + salt) >> 2);
  return s;
}

// The feed's blocks, concatenated.
std::string content_of(const fs::path& dir) {
  auto d = feed_directory::open(dir);
  REQUIRE_MESSAGE(d.has_value(), why(d));
  std::string out;
  for (std::uint64_t i = 0; i < d->the_feed().head().length; ++i) {
    auto b = d->the_feed().get(i);
    REQUIRE(b.has_value());
    CHECK(b->size() <= feed_limits::hosted_block_bytes_max);
    out.append(reinterpret_cast<const char*>(b->data()), b->size());
  }
  return out;
}

bool no_scratch_left(const fs::path& feeds) {
  for (const auto& e : fs::directory_iterator(feeds))
    if (e.path().filename().string().starts_with(".new-")) return false;
  return true;
}

}  // namespace

TEST_CASE("a file becomes a feed of its bytes in 64 KiB blocks") {
  temp_dir tmp;
  const auto content = pattern(3 * 65536 + 100, 7);
  write_file(tmp / "data.bin", content);
  auto made = make_feed_from(tmp / "data.bin", tmp / "feeds");
  REQUIRE_MESSAGE(made.has_value(), why(made));
  CHECK(made->kind == feed_source_kind::file);
  CHECK(made->dir.parent_path() == tmp / "feeds");
  CHECK(content_of(made->dir) == content);
  CHECK(feed_directory::open(made->dir)->the_feed().head().length == 4);
  CHECK(no_scratch_left(tmp / "feeds"));
}

TEST_CASE("a directory becomes a ustar archive that tar unpacks to the same files") {
  temp_dir tmp;
  const auto src = tmp / "site";
  write_file(src / "index.html", "<h1>hello</h1>\n");
  write_file(src / "img" / "big.bin", pattern(200'000, 3));
  write_file(src / "empty.txt", "");
  write_file(src / "run.sh", "#!/bin/sh\necho hi\n");
  fs::permissions(src / "run.sh", fs::perms::owner_exec, fs::perm_options::add);
  fs::create_directories(src / "no-files-here");
  const std::string deep = "a-rather-long-directory-name-that-goes-on-and-on-and-on/"
                           "another-long-directory-name-that-also-goes-on-and-on/";
  write_file(src / deep / "a-file-with-a-long-name-too-so-that-the-path-needs-the-ustar-prefix-field.txt", "deep\n");

  auto made = make_feed_from(src, tmp / "feeds");
  REQUIRE_MESSAGE(made.has_value(), why(made));
  CHECK(made->kind == feed_source_kind::directory);
  const auto archive = content_of(made->dir);
  CHECK(archive.size() % 512 == 0);
  write_file(tmp / "fetched.tar", archive);
  fs::create_directories(tmp / "out");
  auto untar = run_command({"/usr/bin/tar", "-xf", (tmp / "fetched.tar").string(), "-C", (tmp / "out").string()});
  REQUIRE_MESSAGE(untar.exit_code == 0, untar.err);
  for (const auto& e : fs::recursive_directory_iterator(src)) {
    const auto rel = fs::relative(e.path(), src);
    INFO(rel.string());
    REQUIRE(fs::exists(tmp / "out" / rel));
    if (e.is_regular_file()) CHECK(slurp(tmp / "out" / rel) == slurp(e.path()));
  }
  CHECK((fs::status(tmp / "out" / "run.sh").permissions() & fs::perms::owner_exec) != fs::perms::none);
  CHECK(fs::is_directory(tmp / "out" / "no-files-here"));

  // Reproducible: the same tree gives the same archive (and so the same content).
  std::string again;
  REQUIRE(write_directory_archive(src, [&](byte_view b) -> result<void> {
    again.append(reinterpret_cast<const char*>(b.data()), b.size());
    return {};
  }));
  CHECK(again == archive);
}

TEST_CASE("a feed export is published as that feed, with its own key") {
  temp_dir tmp;
  write_file(tmp / "data.bin", pattern(100'000, 9));
  auto original = make_feed_from(tmp / "data.bin", tmp / "mine");
  REQUIRE(original.has_value());
  {
    auto d = feed_directory::open(original->dir);
    REQUIRE(d.has_value());
    std::ofstream out(tmp / "feed.export", std::ios::binary);
    REQUIRE(export_feed(d->the_feed(), out));
  }
  auto made = make_feed_from(tmp / "feed.export", tmp / "feeds");
  REQUIRE_MESSAGE(made.has_value(), why(made));
  CHECK(made->kind == feed_source_kind::feed_export);
  CHECK(made->dir.filename() == original->dir.filename());  // the key
  CHECK(content_of(made->dir) == pattern(100'000, 9));
  CHECK_FALSE(feed_directory::open(made->dir)->keys().has_value());  // not ours to append to

  // The same export again: the feed already there is kept.
  auto again = make_feed_from(tmp / "feed.export", tmp / "feeds");
  REQUIRE_MESSAGE(again.has_value(), why(again));
  CHECK(again->dir == made->dir);
  CHECK(no_scratch_left(tmp / "feeds"));
}

TEST_CASE("an export whose blocks are too large to prove is refused, and nothing is left behind") {
  temp_dir tmp;
  auto d = feed_directory::create(tmp / "big", std::nullopt, signing_mode::manifest_v1);
  REQUIRE(d.has_value());
  const auto raw = pattern(feed_limits::hosted_block_bytes_max + 1, 1);
  const std::vector<bytes> blocks{bytes(raw.begin(), raw.end())};
  REQUIRE(d->the_feed().append(blocks, d->keys()->sk));
  {
    std::ofstream out(tmp / "big.export", std::ios::binary);
    REQUIRE(export_feed(d->the_feed(), out));
  }
  auto made = make_feed_from(tmp / "big.export", tmp / "feeds");
  REQUIRE_FALSE(made.has_value());
  CHECK(made.err().code == errc::invalid_argument);
  CHECK(made.err().message.find("block 0 has 65537 bytes") != std::string::npos);
  CHECK(no_scratch_left(tmp / "feeds"));
}

TEST_CASE("missing, empty and special sources are refused with the path") {
  temp_dir tmp;
  auto missing = make_feed_from(tmp / "nope", tmp / "feeds");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.err().code == errc::not_found);
  CHECK(missing.err().message.find("nope") != std::string::npos);

  write_file(tmp / "empty", "");
  auto empty = make_feed_from(tmp / "empty", tmp / "feeds");
  REQUIRE_FALSE(empty.has_value());
  CHECK(empty.err().message.find("is empty") != std::string::npos);

  fs::create_directories(tmp / "with-link");
  write_file(tmp / "with-link" / "real", "x");
  fs::create_symlink("real", tmp / "with-link" / "alias");
  auto linked = make_feed_from(tmp / "with-link", tmp / "feeds");
  REQUIRE_FALSE(linked.has_value());
  CHECK(linked.err().message.find("alias is neither a regular file nor a directory") != std::string::npos);

  REQUIRE(::mkfifo((tmp / "fifo").c_str(), 0600) == 0);
  auto fifo = make_feed_from(tmp / "fifo", tmp / "feeds");
  REQUIRE_FALSE(fifo.has_value());
  CHECK(fifo.err().message.find("is not a file") != std::string::npos);
  CHECK(no_scratch_left(tmp / "feeds"));
}

// The fetch progress record: its fixed encoding round trips, any damage is
// refused, and a fetch resumes only from a record for the same feed head
// whose bytes the partial file still holds.
#include "storage/fetch_progress.hpp"

#include <doctest/doctest.h>

#include <fstream>

#include "support/temp_dir.hpp"

using namespace datdot;
using namespace datdot::storage;
using namespace datdot::storage::testing;

namespace {

feed_head head_of(byte key) {
  feed_head h;
  h.feed.bytes.fill(key);
  h.length = 5;
  h.byte_size = 4 * 65536 + 1234;
  h.tree_hash.fill(0x7e);
  return h;
}

fetch_progress progress_of(std::uint64_t blocks) { return {head_of(1), blocks, blocks * 65536}; }

result<fetch_progress> none() { return make_error(errc::not_found, "no record"); }

}  // namespace

TEST_CASE("a progress record encodes to its fixed size and decodes back") {
  const auto p = progress_of(2);
  const auto encoded = encode_fetch_progress(p);
  CHECK(encoded.size() == fetch_progress_size_bytes);
  const auto decoded = decode_fetch_progress(encoded);
  REQUIRE_MESSAGE(decoded, why(decoded));
  CHECK(*decoded == p);
}

TEST_CASE("a damaged progress record is refused as corrupt data") {
  const auto good = encode_fetch_progress(progress_of(2));
  for (std::size_t i = 0; i < good.size(); ++i) {
    auto bad = good;
    bad[i] ^= 0x01;
    const auto r = decode_fetch_progress(bad);
    CAPTURE(i);
    REQUIRE(!r);
    CHECK(r.err().code == errc::corrupt_data);
  }
  auto shorter = good;
  shorter.pop_back();
  CHECK(!decode_fetch_progress(shorter));
  auto longer = good;
  longer.push_back(0);
  CHECK(!decode_fetch_progress(longer));
  CHECK(!decode_fetch_progress({}));
}

TEST_CASE("a record counting past its feed's head is refused") {
  auto p = progress_of(2);
  p.blocks = p.head.length + 1;
  CHECK(!decode_fetch_progress(encode_fetch_progress(p)));
  p = progress_of(2);
  p.bytes = p.head.byte_size + 1;
  const auto r = decode_fetch_progress(encode_fetch_progress(p));
  REQUIRE(!r);
  CHECK(r.err().message.find("counts") != std::string::npos);
}

TEST_CASE("a fetch resumes from a record for the same head whose bytes the partial file holds") {
  const auto p = progress_of(2);
  const auto head = head_of(1);
  auto point = choose_resume_point(head, p, p.bytes);
  CHECK(point.blocks == 2);
  CHECK(point.bytes == p.bytes);
  CHECK(point.restart_reason.empty());
  point = choose_resume_point(head, p, p.bytes + 1000);  // written after the last checkpoint: cut off
  CHECK(point.blocks == 2);
  CHECK(point.bytes == p.bytes);
}

TEST_CASE("a fetch starts over, saying why, when the record cannot be used") {
  const auto head = head_of(1);
  const auto p = progress_of(2);
  auto fresh = [](const resume_point& r, const std::string& says) {
    CHECK(r.blocks == 0);
    CHECK(r.bytes == 0);
    CHECK_MESSAGE(r.restart_reason.find(says) != std::string::npos, r.restart_reason);
  };
  // Nothing there at all: a plain fresh start.
  const auto nothing = choose_resume_point(head, none(), std::nullopt);
  CHECK(nothing.blocks == 0);
  CHECK(nothing.restart_reason.empty());
  fresh(choose_resume_point(head, none(), 100), "no progress record");
  fresh(choose_resume_point(head, make_error(errc::corrupt_data, "checksum"), 100), "unreadable: checksum");
  fresh(choose_resume_point(head_of(2), p, p.bytes), "another feed");
  for (int field = 0; field < 3; ++field) {
    auto changed = head;
    if (field == 0) changed.length += 1;
    if (field == 1) changed.byte_size += 1;
    if (field == 2) changed.tree_hash[0] ^= 1;
    fresh(choose_resume_point(changed, p, p.bytes), "head changed");
  }
  fresh(choose_resume_point(head, p, std::nullopt), "missing");
  fresh(choose_resume_point(head, p, p.bytes - 1), "fewer than");
}

TEST_CASE("a progress record file is written 0600 atomically and read back") {
  temp_dir dir;
  umask_scope open_umask{0};
  const auto path = dir / "out.bin.part.progress";
  const auto missing = read_fetch_progress(path);
  REQUIRE(!missing);
  CHECK(missing.err().code == errc::not_found);

  const auto first = write_fetch_progress(path, progress_of(1));
  REQUIRE_MESSAGE(first, why(first));
  const auto second = write_fetch_progress(path, progress_of(3));
  REQUIRE_MESSAGE(second, why(second));
  const auto read = read_fetch_progress(path);
  REQUIRE_MESSAGE(read, why(read));
  CHECK(*read == progress_of(3));
  CHECK(permissions_of(path) == 0600);
  CHECK(!std::filesystem::exists(dir / "out.bin.part.progress.tmp"));

  std::ofstream{path, std::ios::trunc} << "not a record";
  const auto garbage = read_fetch_progress(path);
  REQUIRE(!garbage);
  CHECK(garbage.err().code == errc::corrupt_data);
}

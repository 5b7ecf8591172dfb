// The download file behind `datdot fetch`: OUT.part grows block by block,
// a checkpoint makes it resumable, an interrupted download continues from
// its last checkpoint for the same head and starts over otherwise, and
// finishing renames it to OUT and removes the record.
#include "storage/partial_download.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>

#include "support/temp_dir.hpp"

using namespace datdot;
using namespace datdot::storage;
using namespace datdot::storage::testing;

namespace {

const std::vector<bytes> blocks{bytes(100, 1), bytes(100, 2), bytes(100, 3), bytes(42, 4)};

feed_head head_of(byte key) {
  feed_head h;
  h.feed.bytes.fill(key);
  h.length = blocks.size();
  for (const auto& b : blocks) h.byte_size += b.size();
  h.tree_hash.fill(0x5a);
  return h;
}

bytes whole_file() {
  bytes all;
  for (const auto& b : blocks) all.insert(all.end(), b.begin(), b.end());
  return all;
}

bytes contents(const std::filesystem::path& p) {
  std::ifstream in{p, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

// Opens and appends blocks [from, to), checkpointing after the first `kept` of them.
void download(partial_download& d, std::size_t to, std::size_t kept) {
  for (auto i = d.blocks(); i < to; ++i) {
    const auto put = d.append(blocks[i]);
    REQUIRE_MESSAGE(put, why(put));
    if (i + 1 == kept) REQUIRE(d.checkpoint());
  }
}

}  // namespace

TEST_CASE("a fresh download writes OUT.part 0600 with a record of no blocks, and finishing renames it to OUT") {
  temp_dir dir;
  umask_scope open_umask{0};
  const auto out = dir / "out.bin";
  auto d = partial_download::open(out, head_of(1));
  REQUIRE_MESSAGE(d, why(d));
  CHECK(d->start().blocks == 0);
  CHECK(d->start().restart_reason.empty());
  CHECK(permissions_of(part_path_of(out)) == 0600);
  const auto record = read_fetch_progress(progress_path_of(out));
  REQUIRE_MESSAGE(record, why(record));
  CHECK(record->blocks == 0);

  const auto early = d->finish();
  REQUIRE(!early);
  CHECK(early.err().code == errc::out_of_range);
  download(*d, blocks.size(), 0);
  CHECK(!d->append(blocks[0]));  // past the feed's length
  const auto done = d->finish();
  REQUIRE_MESSAGE(done, why(done));
  CHECK(contents(out) == whole_file());
  CHECK(permissions_of(out) == 0600);
  CHECK(!std::filesystem::exists(part_path_of(out)));
  CHECK(!std::filesystem::exists(progress_path_of(out)));
}

TEST_CASE("an interrupted download resumes at its last checkpoint and ends byte for byte the file") {
  temp_dir dir;
  const auto out = dir / "out.bin";
  {
    auto d = partial_download::open(out, head_of(1));
    REQUIRE_MESSAGE(d, why(d));
    download(*d, 3, 2);  // block 2 is written after the checkpoint, then the fetch stops
    CHECK(d->bytes_since_checkpoint() == blocks[2].size());
  }
  auto d = partial_download::open(out, head_of(1));
  REQUIRE_MESSAGE(d, why(d));
  CHECK(d->start().blocks == 2);
  CHECK(d->start().bytes == 200);
  CHECK(d->start().restart_reason.empty());
  CHECK(std::filesystem::file_size(part_path_of(out)) == 200);
  download(*d, blocks.size(), 0);
  REQUIRE(d->finish());
  CHECK(contents(out) == whole_file());
}

TEST_CASE("a download for another feed or head, or over a cut .part, starts over and says why") {
  temp_dir dir;
  const auto out = dir / "out.bin";
  auto interrupted = [&] {
    auto d = partial_download::open(out, head_of(1));
    REQUIRE_MESSAGE(d, why(d));
    download(*d, 3, 3);
  };
  auto restarted = [&](const feed_head& head, const std::string& says) {
    auto d = partial_download::open(out, head);
    REQUIRE_MESSAGE(d, why(d));
    CHECK(d->start().blocks == 0);
    CHECK_MESSAGE(d->start().restart_reason.find(says) != std::string::npos, d->start().restart_reason);
    CHECK(std::filesystem::file_size(part_path_of(out)) == 0);
    const auto record = read_fetch_progress(progress_path_of(out));
    REQUIRE(record);
    CHECK(*record == fetch_progress{head, 0, 0});  // the stale record is gone before anything is written
  };
  interrupted();
  restarted(head_of(2), "another feed");
  interrupted();
  auto grown = head_of(1);
  grown.length += 1;
  restarted(grown, "head changed");
  interrupted();
  std::filesystem::resize_file(part_path_of(out), 150);
  restarted(head_of(1), "fewer than");
  interrupted();
  std::filesystem::remove(progress_path_of(out));
  restarted(head_of(1), "no progress record");
}

TEST_CASE("a second download into the same OUT is refused while the first is open") {
  temp_dir dir;
  const auto out = dir / "out.bin";
  auto first = partial_download::open(out, head_of(1));
  REQUIRE_MESSAGE(first, why(first));
  const auto second = partial_download::open(out, head_of(1));
  REQUIRE(!second);
  CHECK(second.err().code == errc::already_exists);
}

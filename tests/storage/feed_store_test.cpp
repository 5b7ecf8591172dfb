// The feed store: appends are atomic and survive reopening and kill -9,
// corruption is found and named, and bad export files are refused cleanly.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "storage/feed_directory.hpp"
#include "storage/feed_export.hpp"
#include "support/temp_dir.hpp"

using namespace datdot;
using namespace datdot::storage;
using datdot::storage::testing::temp_dir;
using datdot::storage::testing::why;

namespace {

std::vector<bytes> make_blocks(std::size_t count, std::size_t size, byte salt) {
  std::vector<bytes> out;
  for (std::size_t i = 0; i < count; ++i) {
    bytes b(size + i % 7);
    for (std::size_t k = 0; k < b.size(); ++k) b[k] = static_cast<byte>(k * 31 + i + salt);
    out.push_back(std::move(b));
  }
  return out;
}

std::string exported(feed& f) {
  std::ostringstream out;
  REQUIRE(export_feed(f, out));
  return out.str();
}

}  // namespace

TEST_CASE("a feed reopens exactly as it was appended") {
  temp_dir tmp;
  hash32 tree_before{};
  feed_head head_before;
  {
    auto dir = feed_directory::create(tmp.path(), key_seed{1}, signing_mode::manifest_v1);
    REQUIRE_MESSAGE(dir.has_value(), why(dir));
    auto& f = dir->the_feed();
    REQUIRE(f.append(make_blocks(10, 100, 0), dir->keys()->sk));
    REQUIRE(f.append(make_blocks(3, 5000, 1), dir->keys()->sk));
    tree_before = f.tree().hash();
    head_before = f.head();
    CHECK(head_before.length == 13);
  }
  auto dir = feed_directory::open(tmp.path());
  REQUIRE_MESSAGE(dir.has_value(), why(dir));
  auto& f = dir->the_feed();
  CHECK(f.head() == head_before);
  CHECK(f.tree().hash() == tree_before);
  CHECK(f.verify_all());
  CHECK(f.get(12).value() == make_blocks(3, 5000, 1)[2]);
  const auto proof = f.proof(7);
  REQUIRE(proof.has_value());
  CHECK(verify_proof(*proof, f.identity()));
  CHECK(f.get(13).err().code == errc::out_of_range);
  CHECK(f.proof(13).err().code == errc::out_of_range);
}

TEST_CASE("a feed cannot be created twice, nor appended with a foreign key") {
  temp_dir tmp;
  auto dir = feed_directory::create(tmp.path(), key_seed{2}, signing_mode::compat);
  REQUIRE(dir.has_value());
  CHECK(feed_directory::create(tmp.path(), key_seed{2}, signing_mode::compat).err().code ==
        errc::already_exists);
  const auto stranger = generate_key_pair();
  CHECK(dir->the_feed().append(make_blocks(1, 10, 0), stranger.sk).err().code == errc::invalid_argument);
}

TEST_CASE("feed verify names the first corrupted block") {
  temp_dir tmp;
  {
    auto dir = feed_directory::create(tmp.path(), key_seed{3}, signing_mode::manifest_v1);
    REQUIRE(dir.has_value());
    REQUIRE(dir->the_feed().append(make_blocks(20, 64, 0), dir->keys()->sk));
  }
  {
    // Overwrite block 11 behind the feed's back, as a bad disk or a meddler would.
    auto env = environment::open({.dir = tmp.path()});
    REQUIRE(env.has_value());
    auto db = env->open_db("feed_blocks").value();
    const feed_identity id{key_pair_from_seed(key_seed{3}).pk, signing_mode::manifest_v1};
    const auto dk = id.discovery_key();
    bytes key(dk.begin(), dk.end());
    for (int i = 0; i < 7; ++i) key.push_back(0);
    key.push_back(11);
    REQUIRE(env->update([&](write_txn& txn) { return txn.put(db, key, as_bytes("tampered")); }));
  }
  auto dir = feed_directory::open(tmp.path());
  REQUIRE(dir.has_value());
  const auto r = dir->the_feed().verify_all();
  REQUIRE_FALSE(r);
  CHECK(r.err().code == errc::verification_failed);
  CHECK(r.err().message.find("block 11 ") != std::string::npos);
}

TEST_CASE("a corrupt or truncated LMDB file gives a clear error when the feed is opened") {
  for (const bool truncate : {false, true}) {
    CAPTURE(truncate);
    temp_dir tmp;
    {
      auto dir = feed_directory::create(tmp.path(), key_seed{4}, signing_mode::manifest_v1);
      REQUIRE(dir.has_value());
      REQUIRE(dir->the_feed().append(make_blocks(200, 1000, 0), dir->keys()->sk));
    }
    const auto file = tmp / "data.mdb";
    if (truncate) {
      std::filesystem::resize_file(file, std::filesystem::file_size(file) / 3);
    } else {
      std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
      const std::string garbage(8192, '\x5a');
      f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
    }
    const auto dir = feed_directory::open(tmp.path());
    REQUIRE_FALSE(dir);
    CHECK_FALSE(dir.err().message.empty());
    MESSAGE(dir.err().describe());
  }
}

TEST_CASE("kill -9 in the middle of appends loses nothing that was committed") {
  for (int round = 0; round < 4; ++round) {
    temp_dir tmp;
    { REQUIRE(feed_directory::create(tmp.path(), key_seed{5}, signing_mode::manifest_v1)); }
    const int ready_pipe_size = 2;
    int fds[ready_pipe_size];
    REQUIRE(::pipe(fds) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      // Append batches of 50 blocks of 4 KiB until killed; tell the parent once one landed.
      auto dir = feed_directory::open(tmp.path());
      if (!dir) ::_exit(2);
      const auto blocks = make_blocks(50, 4096, 9);
      for (int i = 0; i < 100000; ++i) {
        if (!dir->the_feed().append(blocks, dir->keys()->sk)) ::_exit(3);
        if (i == 0) (void)!::write(fds[1], "x", 1);
      }
      ::_exit(0);
    }
    ::close(fds[1]);
    char c;
    REQUIRE(::read(fds[0], &c, 1) == 1);
    ::close(fds[0]);
    ::usleep(static_cast<useconds_t>(20000 + 37000 * round));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    CHECK(WIFSIGNALED(status));

    auto dir = feed_directory::open(tmp.path());
    REQUIRE_MESSAGE(dir.has_value(), why(dir));
    const auto length = dir->the_feed().head().length;
    CAPTURE(length);
    CHECK(length >= 50);
    CHECK(length % 50 == 0);  // whole appends only
    CHECK(dir->the_feed().verify_all());
    // And it keeps working after the crash.
    REQUIRE(dir->the_feed().append(make_blocks(1, 10, 0), dir->keys()->sk));
    CHECK(dir->the_feed().head().length == length + 1);
  }
}

TEST_CASE("export and import round trip, and damaged exports are refused and leave nothing") {
  temp_dir tmp;
  auto origin = feed_directory::create(tmp / "origin", key_seed{6}, signing_mode::manifest_v1);
  REQUIRE(origin.has_value());
  REQUIRE(origin->the_feed().append(make_blocks(40, 300, 0), origin->keys()->sk));
  const std::string file = exported(origin->the_feed());

  SUBCASE("round trip") {
    auto target = feed_directory::open_empty(tmp / "copy");
    REQUIRE(target.has_value());
    std::istringstream in(file);
    auto f = import_feed(target->store(), in);
    REQUIRE_MESSAGE(f.has_value(), why(f));
    CHECK(f->head() == origin->the_feed().head());
    CHECK(f->verify_all());
  }

  auto refused = [&](const std::string& damaged, errc expected) {
    temp_dir scratch;
    auto target = feed_directory::open_empty(scratch.path());
    REQUIRE(target.has_value());
    std::istringstream in(damaged);
    const auto f = import_feed(target->store(), in);
    REQUIRE_FALSE(f);
    CHECK(f.err().code == expected);
    MESSAGE(f.err().describe());
    CHECK(target->store().discovery_keys().value().empty());
  };
  SUBCASE("truncated in the middle of the blocks") { refused(file.substr(0, file.size() / 2), errc::corrupt_data); }
  SUBCASE("truncated in the header") { refused(file.substr(0, 20), errc::corrupt_data); }
  SUBCASE("trailing garbage") { refused(file + "x", errc::corrupt_data); }
  SUBCASE("not an export") { refused("hello world, this is not a feed", errc::corrupt_data); }
  SUBCASE("one flipped bit in a block") {
    auto damaged = file;
    damaged[damaged.size() - 100] ^= 0x10;
    refused(damaged, errc::verification_failed);
  }
  SUBCASE("a block length past the limit") {
    auto damaged = file;
    // The first block's length prefix sits right after magic, header length and header.
    const std::size_t header_size = static_cast<unsigned char>(file[8]) | static_cast<unsigned char>(file[9]) << 8;
    const std::size_t at = 12 + header_size;
    damaged[at + 3] = '\x7f';
    refused(damaged, errc::corrupt_data);
  }
}

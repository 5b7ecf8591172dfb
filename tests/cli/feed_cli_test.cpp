// `datdot feed` as a user runs it: feeds built from the vectors' blocks through
// the command line have exactly hypercore's keys, tree hash and signature, and
// every failure is a non-zero exit with a message.
#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "crypto/vectors.hpp"
#include "support/run_command.hpp"

using namespace datdot;
using datdot::storage::testing::temp_dir;
using datdot::testing::run_command;

namespace {

const std::string datdot_bin = DATDOT_BINARY;

void write_file(const std::filesystem::path& p, const bytes& data) {
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

nlohmann::json info(const std::filesystem::path& dir) {
  const auto r = run_command({datdot_bin, "feed", "info", dir.string(), "--json"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("feeds made with `feed create` and `feed append --whole` match every vector") {
  for (const auto& file : test::feed_vector_files()) {
    CAPTURE(file);
    const auto v = test::load_vector(file);
    const auto blocks = test::blocks_of(v);
    temp_dir tmp;
    std::vector<std::string> args{datdot_bin, "feed", "create", (tmp / "feed").string(), "--key-seed",
                                  v.at("key_seed").get<std::string>()};
    if (v.at("compat").get<bool>()) args.push_back("--compat");
    // The first block goes through `create` (one file, one block); the rest through `append --whole`.
    write_file(tmp / "b0", blocks[0]);
    args.push_back((tmp / "b0").string());
    args.push_back("--block-size=1048576");
    auto r = run_command(args);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    if (blocks.size() > 1) {
      std::vector<std::string> append{datdot_bin, "feed", "append", (tmp / "feed").string(), "--whole"};
      for (std::size_t i = 1; i < blocks.size(); ++i) {
        const auto p = tmp / ("b" + std::to_string(i));
        write_file(p, blocks[i]);
        append.push_back(p.string());
      }
      r = run_command(append);
      REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    }
    const auto j = info(tmp / "feed");
    // An empty file adds no block when split, so d_empty (one empty block) is built by
    // `append --whole` of the empty file below instead.
    if (v.at("case") == "d_empty") {
      CHECK(j.at("length") == 0);
      continue;
    }
    CHECK(j.at("key") == v.at("core_key"));
    CHECK(j.at("discovery_key") == v.at("discovery_key"));
    CHECK(j.at("length") == v.at("length"));
    CHECK(j.at("byte_length") == v.at("byte_length"));
    CHECK(j.at("fork") == v.at("fork"));
    CHECK(j.at("tree_hash") == v.at("tree_hash"));
    CHECK(j.at("signature") == v.at("signature_ed25519"));
    CHECK(j.at("signature_stored") == v.at("signature_stored"));
    CHECK(j.at("roots") == v.at("roots"));
  }
}

TEST_CASE("an empty block appended with --whole matches the d_empty vector") {
  for (const auto* file : {"d_empty.json", "d_empty.compat.json"}) {
    const auto v = test::load_vector(file);
    temp_dir tmp;
    write_file(tmp / "empty", {});
    write_file(tmp / "seed", {});
    std::vector<std::string> create{datdot_bin, "feed", "create", (tmp / "feed").string(), (tmp / "seed").string(),
                                    "--key-seed", v.at("key_seed").get<std::string>()};
    if (v.at("compat").get<bool>()) create.push_back("--compat");
    REQUIRE(run_command(create).exit_code == 0);
    REQUIRE(run_command({datdot_bin, "feed", "append", (tmp / "feed").string(), "--whole", (tmp / "empty").string()})
                .exit_code == 0);
    const auto j = info(tmp / "feed");
    CHECK(j.at("tree_hash") == v.at("tree_hash"));
    CHECK(j.at("signature_stored") == v.at("signature_stored"));
  }
}

TEST_CASE("create splits files, proof and get agree, export/import round trips") {
  temp_dir tmp;
  bytes data(300 * 1000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<byte>(i * 7 + i / 1000);
  write_file(tmp / "data", data);
  const auto feed = (tmp / "feed").string();
  auto r = run_command({datdot_bin, "feed", "create", feed, (tmp / "data").string(), "--block-size", "4096", "--json"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const auto created = nlohmann::json::parse(r.out);
  CHECK(created.at("length") == (300000 + 4095) / 4096);
  CHECK(created.at("byte_length") == 300000);

  r = run_command({datdot_bin, "feed", "get", feed, "10"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == std::string(data.begin() + 40960, data.begin() + 45056));

  r = run_command({datdot_bin, "feed", "proof", feed, "10", "--json"});
  REQUIRE(r.exit_code == 0);
  const auto proof = nlohmann::json::parse(r.out);
  CHECK(proof.at("block").at("index") == 10);
  CHECK(proof.at("upgrade").at("length") == created.at("length"));

  r = run_command({datdot_bin, "feed", "verify", feed, "--json"});
  CHECK(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out).at("ok") == true);

  REQUIRE(run_command({datdot_bin, "feed", "export", feed, (tmp / "x.datdot").string()}).exit_code == 0);
  r = run_command({datdot_bin, "feed", "import", (tmp / "copy").string(), (tmp / "x.datdot").string(), "--json"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(nlohmann::json::parse(r.out).at("tree_hash") == created.at("tree_hash"));
  // An imported feed has no secret key and cannot be appended to.
  r = run_command({datdot_bin, "feed", "append", (tmp / "copy").string(), (tmp / "data").string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("feed.key") != std::string::npos);
}

TEST_CASE("command-line failures are clear non-zero exits") {
  temp_dir tmp;
  write_file(tmp / "f", bytes(10, 1));
  const auto feed = (tmp / "feed").string();
  REQUIRE(run_command({datdot_bin, "feed", "create", feed, (tmp / "f").string()}).exit_code == 0);

  auto r = run_command({datdot_bin, "feed", "proof", feed, "1"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("past the end") != std::string::npos);
  r = run_command({datdot_bin, "feed", "get", feed, "99"});
  CHECK(r.exit_code == 1);
  r = run_command({datdot_bin, "feed", "create", feed, (tmp / "f").string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("exists") != std::string::npos);
  r = run_command({datdot_bin, "feed", "create", (tmp / "other").string(), (tmp / "missing").string()});
  CHECK(r.exit_code == 1);
  r = run_command({datdot_bin, "feed", "create", (tmp / "other").string(), (tmp / "f").string(), "--key-seed", "abcd"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("hex") != std::string::npos);
  r = run_command({datdot_bin, "feed", "info", (tmp / "nowhere").string()});
  CHECK(r.exit_code == 1);
  r = run_command({datdot_bin, "feed", "import", (tmp / "bad").string(), (tmp / "f").string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("not a datdot feed export") != std::string::npos);
  r = run_command({datdot_bin, "feed", "--help"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("verify") != std::string::npos);
}

TEST_CASE("`feed verify` exits non-zero and names the first bad block") {
  temp_dir tmp;
  bytes data(64 * 1024);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<byte>(i / 1024 + 1);  // block i is all i+1
  write_file(tmp / "data", data);
  const auto feed = tmp / "feed";
  REQUIRE(run_command({datdot_bin, "feed", "create", feed.string(), (tmp / "data").string(), "--block-size", "1024"})
              .exit_code == 0);
  {
    // Flip one byte of block 37 inside data.mdb: blocks are stored verbatim, written once.
    std::fstream f(feed / "data.mdb", std::ios::in | std::ios::out | std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(f)), {});
    const auto at = all.find(std::string(1024, static_cast<char>(38)));
    REQUIRE(at != std::string::npos);
    f.seekp(static_cast<std::streamoff>(at + 5));
    f.put('\x04');
  }
  const auto r = run_command({datdot_bin, "feed", "verify", feed.string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("block 37 ") != std::string::npos);
  MESSAGE(r.err);
}

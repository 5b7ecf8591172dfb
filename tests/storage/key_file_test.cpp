// The key file: round trip, permissions, no overwriting, and every kind of
// damaged file rejected with a reason.
#include "storage/key_file.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "support/temp_dir.hpp"

using namespace datdot;
using namespace datdot::storage;
using datdot::storage::testing::permissions_of;
using datdot::storage::testing::temp_dir;
using datdot::storage::testing::umask_scope;
using datdot::storage::testing::why;

namespace {

bool same_keys(const key_pair& a, const key_pair& b) { return a.pk == b.pk && a.sk == b.sk; }

void write_raw(const std::filesystem::path& path, const std::string& text) {
  std::ofstream{path, std::ios::trunc} << text;
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

std::string key_text(const public_key& pk, const secret_key& sk) {
  return "public " + to_hex(pk) + "\nsecret " + to_hex(sk) + "\n";
}

key_seed seed_of(byte b) {
  key_seed seed{};
  seed.fill(b);
  return seed;
}

}  // namespace

TEST_CASE("a written key file loads back, is 0600 even with umask 0, and leaves no temporary file") {
  const umask_scope no_mask{0};
  temp_dir tmp;
  const auto path = tmp / "identity.key";
  const key_pair keys = generate_key_pair();
  const auto written = write_key_file(path, keys);
  REQUIRE_MESSAGE(written.has_value(), why(written));
  CHECK(permissions_of(path) == 0600);
  const auto loaded = load_key_file(path);
  REQUIRE_MESSAGE(loaded.has_value(), why(loaded));
  CHECK(same_keys(*loaded, keys));
  CHECK(std::distance(std::filesystem::directory_iterator{tmp.path()}, std::filesystem::directory_iterator{}) == 1);
}

TEST_CASE("write_key_file refuses to overwrite an existing file") {
  temp_dir tmp;
  const auto path = tmp / "identity.key";
  const key_pair first = key_pair_from_seed(seed_of(1));
  REQUIRE(write_key_file(path, first).has_value());
  const auto second = write_key_file(path, key_pair_from_seed(seed_of(2)));
  REQUIRE_FALSE(second.has_value());
  CHECK(second.err().code == errc::already_exists);
  const auto loaded = load_key_file(path);
  REQUIRE_MESSAGE(loaded.has_value(), why(loaded));
  CHECK(same_keys(*loaded, first));
}

TEST_CASE("a key file that group or others can read is refused") {
  temp_dir tmp;
  const auto path = tmp / "identity.key";
  REQUIRE(write_key_file(path, generate_key_pair()).has_value());
  std::filesystem::permissions(path, std::filesystem::perms::group_read | std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  const auto loaded = load_key_file(path);
  REQUIRE_FALSE(loaded.has_value());
  CHECK(loaded.err().code == errc::invalid_argument);
  CHECK(loaded.err().message.find("0644") != std::string::npos);
  MESSAGE(loaded.err().describe());
}

TEST_CASE("a public key that does not belong to the secret key is rejected") {
  temp_dir tmp;
  const auto path = tmp / "identity.key";
  const key_pair a = key_pair_from_seed(seed_of(1));
  const key_pair b = key_pair_from_seed(seed_of(2));
  write_raw(path, key_text(b.pk, a.sk));
  const auto loaded = load_key_file(path);
  REQUIRE_FALSE(loaded.has_value());
  CHECK(loaded.err().code == errc::corrupt_data);
  MESSAGE(loaded.err().describe());
}

TEST_CASE("damaged key file text is rejected as corrupt_data") {
  temp_dir tmp;
  const auto path = tmp / "identity.key";
  const key_pair keys = key_pair_from_seed(seed_of(3));
  const std::string good = key_text(keys.pk, keys.sk);
  std::string bad_digit = good;
  bad_digit[std::string{"public "}.size()] = 'z';
  const std::string cases[] = {
      bad_digit,
      "public " + to_hex(keys.pk).substr(2) + "\nsecret " + to_hex(keys.sk) + "\n",  // short hex
      "secret " + to_hex(keys.sk) + "\npublic " + to_hex(keys.pk) + "\n",            // wrong order
      good + "extra\n",
      "",
  };
  for (const std::string& text : cases) {
    CAPTURE(text);
    write_raw(path, text);
    const auto loaded = load_key_file(path);
    REQUIRE_FALSE(loaded.has_value());
    CHECK(loaded.err().code == errc::corrupt_data);
  }
}

TEST_CASE("a missing key file is not_found") {
  temp_dir tmp;
  const auto loaded = load_key_file(tmp / "nothing.key");
  REQUIRE_FALSE(loaded.has_value());
  CHECK(loaded.err().code == errc::not_found);
}

TEST_CASE("load_or_create_key_file creates once, then loads the same key") {
  temp_dir tmp;
  const auto path = tmp / "identity.key";
  const auto created = load_or_create_key_file(path, seed_of(4));
  REQUIRE_MESSAGE(created.has_value(), why(created));
  CHECK(same_keys(*created, key_pair_from_seed(seed_of(4))));
  CHECK(permissions_of(path) == 0600);

  const auto loaded = load_or_create_key_file(path, std::nullopt);
  REQUIRE_MESSAGE(loaded.has_value(), why(loaded));
  CHECK(same_keys(*loaded, *created));

  const auto other_seed = load_or_create_key_file(path, seed_of(5));
  REQUIRE_FALSE(other_seed.has_value());
  CHECK(other_seed.err().code == errc::already_exists);

  const auto random = load_or_create_key_file(tmp / "random.key", std::nullopt);
  REQUIRE_MESSAGE(random.has_value(), why(random));
  CHECK_FALSE(same_keys(*random, *created));
}

// The LMDB layer: round trips, durability across reopen and process death,
// rollback of failed updates, map growth, file modes, and damaged files
// reported as error values.
#include "storage/lmdb_env.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.hpp"

using namespace datdot;
using namespace datdot::storage;
using datdot::storage::testing::permissions_of;
using datdot::storage::testing::temp_dir;
using datdot::storage::testing::umask_scope;
using datdot::storage::testing::why;

namespace {

constexpr std::size_t mib = 1 << 20;
constexpr std::size_t value_size_bytes = 1024;
constexpr std::uint32_t values_in_20_mib = 20 * mib / value_size_bytes;

env_options fast_options(const std::filesystem::path& dir, std::size_t map_size_bytes = mib) {
  return env_options{dir, map_size_bytes, 16, false};
}

environment open_env(const env_options& options) {
  auto env = environment::open(options);
  REQUIRE_MESSAGE(env.has_value(), why(env));
  return std::move(env).value();
}

dbi open_db(environment& env, std::string_view name) {
  auto db = env.open_db(name);
  REQUIRE_MESSAGE(db.has_value(), why(db));
  return *db;
}

std::string text(byte_view v) { return std::string(v.begin(), v.end()); }

// Big-endian, so LMDB's byte order is numeric order.
bytes index_key(std::uint32_t i) {
  return {static_cast<byte>(i >> 24), static_cast<byte>(i >> 16), static_cast<byte>(i >> 8), static_cast<byte>(i)};
}

bytes index_value(std::uint32_t i) { return bytes(value_size_bytes, static_cast<byte>(i * 7)); }

std::optional<std::string> read_value(const environment& env, dbi db, std::string_view key) {
  std::optional<std::string> out;
  const auto r = env.view([&](read_txn& txn) -> result<void> {
    DATDOT_TRY(value, txn.get(db, as_bytes(key)));
    if (value) out = text(*value);
    return ok;
  });
  REQUIRE_MESSAGE(r.has_value(), why(r));
  return out;
}

std::uint64_t count_of(const environment& env, dbi db) {
  std::uint64_t n = 0;
  const auto r = env.view([&](read_txn& txn) -> result<void> {
    DATDOT_TRY(c, txn.count(db));
    n = c;
    return ok;
  });
  REQUIRE_MESSAGE(r.has_value(), why(r));
  return n;
}

std::vector<std::string> keys_from(const environment& env, dbi db, std::string_view from, std::size_t limit) {
  std::vector<std::string> keys;
  const auto r = env.view([&](read_txn& txn) {
    return txn.for_each(db, as_bytes(from), [&](byte_view key, byte_view) {
      keys.push_back(text(key));
      return keys.size() < limit;
    });
  });
  REQUIRE_MESSAGE(r.has_value(), why(r));
  return keys;
}

result<void> put_indexed(write_txn& txn, dbi db, std::uint32_t first, std::uint32_t end) {
  for (std::uint32_t i = first; i < end; ++i) DATDOT_CHECK(txn.put(db, index_key(i), index_value(i)));
  return ok;
}

void check_all_indexed(const environment& env, dbi db, std::uint32_t end) {
  std::uint32_t seen = 0;
  bool all_match = true;
  const auto r = env.view([&](read_txn& txn) {
    return txn.for_each(db, {}, [&](byte_view key, byte_view value) {
      const bytes expected_key = index_key(seen);
      const bytes expected_value = index_value(seen);
      all_match = all_match && std::equal(key.begin(), key.end(), expected_key.begin(), expected_key.end()) &&
                  std::equal(value.begin(), value.end(), expected_value.begin(), expected_value.end());
      ++seen;
      return true;
    });
  });
  REQUIRE_MESSAGE(r.has_value(), why(r));
  CHECK(seen == end);
  CHECK(all_match);
}

// Leaves a closed environment with 200 KiB of data in dir.
void write_sample(const std::filesystem::path& dir) {
  environment env = open_env(fast_options(dir));
  const dbi db = open_db(env, "sample");
  const auto r = env.update([&](write_txn& txn) { return put_indexed(txn, db, 0, 200); });
  REQUIRE_MESSAGE(r.has_value(), why(r));
}

void check_reported_corrupt(const std::filesystem::path& dir) {
  const auto env = environment::open(fast_options(dir));
  REQUIRE_FALSE(env.has_value());
  CHECK(env.err().code == errc::corrupt_data);
  CHECK(env.err().message.find(dir.string()) != std::string::npos);
  MESSAGE(env.err().describe());
}

}  // namespace

TEST_CASE("put, get, del, clear and for_each round trip") {
  temp_dir tmp;
  environment env = open_env(fast_options(tmp.path()));
  const dbi things = open_db(env, "things");
  const dbi other = open_db(env, "other");

  auto r = env.update([&](write_txn& txn) -> result<void> {
    for (const char* key : {"a", "b", "c", "d"}) DATDOT_CHECK(txn.put(things, as_bytes(key), as_bytes(key)));
    return txn.put(other, as_bytes("a"), as_bytes("other a"));
  });
  REQUIRE_MESSAGE(r.has_value(), why(r));
  CHECK(read_value(env, things, "b") == "b");
  CHECK(read_value(env, other, "a") == "other a");
  CHECK(read_value(env, things, "zz") == std::nullopt);
  CHECK(count_of(env, things) == 4);
  CHECK(keys_from(env, things, "", 10) == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(keys_from(env, things, "bb", 10) == std::vector<std::string>{"c", "d"});
  CHECK(keys_from(env, things, "b", 2) == std::vector<std::string>{"b", "c"});
  CHECK(keys_from(env, things, "e", 10).empty());

  r = env.update([&](write_txn& txn) -> result<void> {
    DATDOT_CHECK(txn.del(things, as_bytes("b")));
    return txn.del(things, as_bytes("missing"));
  });
  REQUIRE_MESSAGE(r.has_value(), why(r));
  CHECK(read_value(env, things, "b") == std::nullopt);
  CHECK(count_of(env, things) == 3);

  r = env.update([&](write_txn& txn) { return txn.clear(things); });
  REQUIRE_MESSAGE(r.has_value(), why(r));
  CHECK(count_of(env, things) == 0);
  CHECK(count_of(env, other) == 1);
}

TEST_CASE("a write transaction reads its own writes") {
  temp_dir tmp;
  environment env = open_env(fast_options(tmp.path()));
  const dbi db = open_db(env, "db");
  std::optional<std::string> seen;
  const auto r = env.update([&](write_txn& txn) -> result<void> {
    DATDOT_CHECK(txn.put(db, as_bytes("k"), as_bytes("v")));
    DATDOT_TRY(value, txn.get(db, as_bytes("k")));
    if (value) seen = text(*value);
    return ok;
  });
  REQUIRE_MESSAGE(r.has_value(), why(r));
  CHECK(seen == "v");
}

TEST_CASE("data survives closing and reopening the environment") {
  temp_dir tmp;
  const env_options options{tmp / "env"};
  {
    environment env = open_env(options);
    const dbi db = open_db(env, "kept");
    const auto r = env.update([&](write_txn& txn) { return txn.put(db, as_bytes("key"), as_bytes("value")); });
    REQUIRE_MESSAGE(r.has_value(), why(r));
  }
  environment env = open_env(options);
  CHECK(read_value(env, open_db(env, "kept"), "key") == "value");
}

TEST_CASE("one process keeps more environments open than it has pthread keys") {
  // A simulation opens one store per node; LMDB without MDB_NOTLS takes a
  // pthread key per environment, and Linux gives a process 1024.
  temp_dir tmp;
  std::vector<environment> envs;
  for (int i = 0; i < 1100; ++i) {
    env_options options{tmp / ("env-" + std::to_string(i)), 64 * 1024};
    options.durable = false;
    auto env = environment::open(options);
    REQUIRE_MESSAGE(env.has_value(), "environment " << i << ": " << why(env));
    envs.push_back(std::move(*env));
  }
  const dbi db = open_db(envs.back(), "last");
  const auto r = envs.back().update([&](write_txn& txn) { return txn.put(db, as_bytes("key"), as_bytes("value")); });
  REQUIRE_MESSAGE(r.has_value(), why(r));
  CHECK(read_value(envs.back(), db, "key") == "value");
}

TEST_CASE("an environment opened for one descriptor holds one and no lock file") {
  // The simulation's thousands of stores: three descriptors each ran out at
  // 10,000 nodes under a limit of 20,000.
  const auto open_descriptors = [] {
    return std::distance(std::filesystem::directory_iterator{"/proc/self/fd"}, std::filesystem::directory_iterator{});
  };
  temp_dir tmp;
  env_options options = fast_options(tmp / "env");
  options.one_descriptor = true;
  {
    const auto before = open_descriptors();
    environment env = open_env(options);
    CHECK(open_descriptors() == before + 1);
    const dbi db = open_db(env, "kept");
    const auto r = env.update([&](write_txn& txn) { return txn.put(db, as_bytes("key"), as_bytes("value")); });
    REQUIRE_MESSAGE(r.has_value(), why(r));
    CHECK(read_value(env, db, "key") == "value");
  }
  CHECK_FALSE(std::filesystem::exists(tmp / "env" / "lock.mdb"));
  options.one_descriptor = false;
  const auto before = open_descriptors();
  environment env = open_env(options);
  CHECK(open_descriptors() > before + 1);
  CHECK(read_value(env, open_db(env, "kept"), "key") == "value");
}

TEST_CASE("a committed update survives kill -9 of the writing process") {
  temp_dir tmp;
  const env_options options{tmp / "env"};
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // No doctest assertions here: the child reports through its exit status.
    auto env = environment::open(options);
    if (!env) ::_exit(2);
    auto db = env->open_db("kept");
    if (!db) ::_exit(3);
    if (!env->update([&](write_txn& txn) { return txn.put(*db, as_bytes("key"), as_bytes("value")); })) ::_exit(4);
    ::kill(::getpid(), SIGKILL);
    ::_exit(5);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE_MESSAGE(WIFSIGNALED(status), "child exited with status " << WEXITSTATUS(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  environment env = open_env(options);
  CHECK(read_value(env, open_db(env, "kept"), "key") == "value");
}

TEST_CASE("an update whose callback fails leaves nothing behind") {
  temp_dir tmp;
  environment env = open_env(fast_options(tmp.path()));
  const dbi db = open_db(env, "db");
  const auto r = env.update([&](write_txn& txn) -> result<void> {
    DATDOT_CHECK(put_indexed(txn, db, 0, 100));
    return make_error(errc::not_found, "changed my mind");
  });
  REQUIRE_FALSE(r.has_value());
  CHECK(r.err().code == errc::not_found);
  CHECK(r.err().message == "changed my mind");
  CHECK(count_of(env, db) == 0);
}

TEST_CASE("the map doubles until one 20 MiB update fits in a 1 MiB map") {
  temp_dir tmp;
  environment env = open_env(fast_options(tmp.path(), mib));
  const dbi db = open_db(env, "big");
  unsigned attempts = 0;
  const auto r = env.update([&](write_txn& txn) {
    ++attempts;
    return put_indexed(txn, db, 0, values_in_20_mib);
  });
  REQUIRE_MESSAGE(r.has_value(), why(r));
  CHECK(attempts > 1);
  CHECK(env.map_size_bytes() >= 20 * mib);
  check_all_indexed(env, db, values_in_20_mib);
}

TEST_CASE("the map grows across many small updates, and the data outlives a reopen") {
  temp_dir tmp;
  constexpr std::uint32_t per_update = 100;
  {
    environment env = open_env(fast_options(tmp.path(), mib));
    const dbi db = open_db(env, "many");
    for (std::uint32_t first = 0; first < values_in_20_mib; first += per_update) {
      const std::uint32_t end = std::min(first + per_update, values_in_20_mib);
      const auto r = env.update([&](write_txn& txn) { return put_indexed(txn, db, first, end); });
      REQUIRE_MESSAGE(r.has_value(), why(r));
    }
    check_all_indexed(env, db, values_in_20_mib);
  }
  // LMDB keeps the grown size in the meta page, so a small configured map still opens.
  environment env = open_env(fast_options(tmp.path(), mib));
  check_all_indexed(env, open_db(env, "many"), values_in_20_mib);
}

TEST_CASE("a callback that ignores a full map still gets a larger map") {
  temp_dir tmp;
  environment env = open_env(fast_options(tmp.path(), mib));
  const dbi db = open_db(env, "db");
  constexpr std::uint32_t values_in_2_mib = 2 * mib / value_size_bytes;
  const auto r = env.update([&](write_txn& txn) -> result<void> {
    for (std::uint32_t i = 0; i < values_in_2_mib; ++i) (void)txn.put(db, index_key(i), index_value(i));
    return ok;
  });
  REQUIRE_MESSAGE(r.has_value(), why(r));
  check_all_indexed(env, db, values_in_2_mib);
}

TEST_CASE("threads write and read concurrently while the map grows") {
  temp_dir tmp;
  environment env = open_env(fast_options(tmp.path(), mib));
  const dbi db = open_db(env, "shared");
  constexpr std::uint32_t per_writer = 4096;
  constexpr std::uint32_t per_update = 64;
  std::atomic<bool> failed{false};
  std::atomic<unsigned> writers_done{0};
  const auto writer = [&](std::uint32_t first) {
    for (std::uint32_t i = first; i < first + per_writer; i += per_update)
      if (!env.update([&](write_txn& txn) { return put_indexed(txn, db, i, i + per_update); })) failed = true;
    ++writers_done;
  };
  // Commits are atomic, so a reader only ever sees whole updates.
  const auto reader = [&] {
    while (writers_done < 2) {
      const auto r = env.view([&](read_txn& txn) -> result<void> {
        DATDOT_TRY(n, txn.count(db));
        if (n % per_update != 0) failed = true;
        return ok;
      });
      if (!r) failed = true;
    }
  };
  std::thread a{writer, 0};
  std::thread b{writer, per_writer};
  std::thread r{reader};
  a.join();
  b.join();
  r.join();
  CHECK_FALSE(failed.load());
  CHECK(env.map_size_bytes() > mib);
  check_all_indexed(env, db, 2 * per_writer);
}

TEST_CASE("files are created 0600 in a 0700 directory even with umask 0") {
  const umask_scope no_mask{0};
  temp_dir tmp;
  const std::filesystem::path dir = tmp / "nested" / "env";
  environment env = open_env(fast_options(dir));
  CHECK(permissions_of(dir) == 0700);
  CHECK(permissions_of(dir / "data.mdb") == 0600);
  CHECK(permissions_of(dir / "lock.mdb") == 0600);
}

TEST_CASE("a data.mdb overwritten with garbage is reported, not a crash") {
  temp_dir tmp;
  write_sample(tmp.path());
  const std::filesystem::path data = tmp / "data.mdb";
  bytes garbage(std::filesystem::file_size(data));
  random_bytes(garbage);
  std::ofstream{data, std::ios::binary | std::ios::trunc}.write(reinterpret_cast<const char*>(garbage.data()),
                                                                static_cast<std::streamsize>(garbage.size()));
  check_reported_corrupt(tmp.path());
}

TEST_CASE("a data.mdb truncated to half its size is reported, not a crash") {
  temp_dir tmp;
  write_sample(tmp.path());
  const std::filesystem::path data = tmp / "data.mdb";
  std::filesystem::resize_file(data, std::filesystem::file_size(data) / 2);
  check_reported_corrupt(tmp.path());
}

TEST_CASE("a transaction opened inside a callback is refused, not a deadlock") {
  temp_dir tmp;
  environment env = open_env(fast_options(tmp.path()));
  const dbi db = open_db(env, "db");
  const auto in_view = env.view([&](read_txn&) {
    return env.update([&](write_txn& txn) { return txn.put(db, as_bytes("k"), as_bytes("v")); });
  });
  CHECK_FALSE(in_view.has_value());
  const auto in_update = env.update([&](write_txn&) { return env.view([](read_txn&) -> result<void> { return ok; }); });
  CHECK_FALSE(in_update.has_value());
  CHECK(count_of(env, db) == 0);
}

TEST_CASE("what LMDB refuses comes back as an error value") {
  temp_dir tmp;
  env_options options = fast_options(tmp.path());
  options.max_dbs = 1;
  environment env = open_env(options);
  CHECK(env.open_db("").err().code == errc::invalid_argument);
  const dbi db = open_db(env, "only");
  const auto second = env.open_db("second");
  REQUIRE_FALSE(second.has_value());
  CHECK(second.err().code == errc::storage_error);
  CHECK(second.err().message.find("second") != std::string::npos);

  const auto empty_key = env.update([&](write_txn& txn) { return txn.put(db, {}, as_bytes("v")); });
  REQUIRE_FALSE(empty_key.has_value());
  CHECK(empty_key.err().code == errc::storage_error);
  MESSAGE(empty_key.err().describe());
}

// The thin LMDB layer every store builds on: one environment per data
// directory, named databases, and transactions scoped by a callback so that
// no transaction outlives a call (CAF actors move between threads; LMDB
// transactions must not) and the map can grow between attempts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/bytes.hpp"
#include "crypto/result.hpp"

struct MDB_env;
struct MDB_txn;

namespace datdot::storage {

// How many times one update may double the map before giving up: 1 MiB grows
// to 64 GiB within this bound, far past any map this machine should need.
inline constexpr unsigned map_doublings_max = 16;
// How many times a transaction may be restarted because another process grew
// the map (MDB_MAP_RESIZED); each restart adopts the new size, so one suffices
// unless the other process keeps growing it.
inline constexpr unsigned map_resized_retries_max = 8;

struct env_options {
  std::filesystem::path dir;
  std::size_t map_size_bytes = 64 << 20;
  unsigned max_dbs = 32;
  bool durable = true;  // false = MDB_NOSYNC: only for tests and benchmarks
  // true = MDB_NOLOCK | MDB_WRITEMAP: one file descriptor instead of three
  // (no lock file, no second descriptor for meta pages), for one thread that
  // never overlaps its transactions: the simulation, whose 10,000 stores
  // would otherwise need more descriptors than the process may open. Also
  // MDB_NORDAHEAD, as the writable map makes the file sparse (lmdb_env.cpp).
  bool one_descriptor = false;
};

// A named database inside an environment; valid for the environment's lifetime.
struct dbi {
  unsigned int value = 0;
};

// Reads inside view() or update(). Every byte_view returned points into the
// map: valid only until the callback returns (and, in a write_txn, until the
// next put, del or clear).
class read_txn {
 public:
  read_txn(const read_txn&) = delete;
  read_txn& operator=(const read_txn&) = delete;

  result<std::optional<byte_view>> get(dbi db, byte_view key) const;
  // Visits keys in ascending byte order from the first key >= from_key (an
  // empty from_key starts at the first key) until fn returns false.
  result<void> for_each(dbi db, byte_view from_key,
                        const std::function<bool(byte_view key, byte_view value)>& fn) const;
  result<std::uint64_t> count(dbi db) const;

 protected:
  explicit read_txn(MDB_txn* txn) noexcept : txn_(txn) {}
  MDB_txn* txn_;

  friend class environment;
};

class write_txn : public read_txn {
 public:
  result<void> put(dbi db, byte_view key, byte_view value);
  result<void> del(dbi db, byte_view key);  // a missing key is not an error
  result<bool> erase(dbi db, byte_view key);  // del, telling whether the key was there
  result<void> clear(dbi db);               // empties the database, keeps it
  result<void> remove(dbi db);              // deletes the database; its handle is closed

 private:
  explicit write_txn(MDB_txn* txn) noexcept : read_txn(txn) {}
  // Set when LMDB ran out of map, even if fn swallows the error: the
  // transaction is then unusable and update() must grow the map and retry.
  result<void> note(int rc, const std::string& what);
  bool map_full_ = false;

  friend class environment;
};

// Owns one LMDB environment (data.mdb + lock.mdb in a directory). Thread-safe:
// view() and update() may be called from any thread. A process must open a
// directory at most once (an LMDB rule). A moved-from environment may only be
// destroyed or assigned to.
class environment {
 public:
  // Creates the directory (0700) if missing; the files are created 0600.
  // A data.mdb that is not an LMDB file or is shorter than its own meta page
  // claims gives errc::corrupt_data. LMDB has no page checksums, so damage
  // inside a structurally valid file is not detected here.
  static result<environment> open(const env_options& options);

  environment(environment&&) noexcept;
  environment& operator=(environment&&) noexcept;
  ~environment();

  // Opens the named database, creating it if missing.
  result<dbi> open_db(std::string_view name);
  // Opens the named database if it exists.
  result<std::optional<dbi>> existing_db(std::string_view name);

  // Runs fn in a write transaction: commits if fn returns ok, aborts and
  // returns fn's error otherwise. If the map fills up, the transaction is
  // aborted, the map doubled and fn run again from the start, so fn must have
  // no effects outside the transaction. fn must not open another transaction
  // on this environment (that is reported as an error).
  result<void> update(const std::function<result<void>(write_txn&)>& fn);
  // Runs fn in a read-only snapshot; the same nesting rule applies.
  result<void> view(const std::function<result<void>(read_txn&)>& fn) const;

  std::size_t map_size_bytes() const;

 private:
  // Opens (and with `create` makes) the named database; none when missing and not made.
  result<std::optional<dbi>> open_named(std::string_view name, bool create);
  struct state;
  explicit environment(std::unique_ptr<state> s) noexcept;
  std::unique_ptr<state> state_;
};

}  // namespace datdot::storage

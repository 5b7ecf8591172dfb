#include "storage/lmdb_env.hpp"

#include <fcntl.h>
#include <lmdb.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>

namespace datdot::storage {

static_assert(std::is_same_v<MDB_dbi, unsigned int>, "dbi must hold an MDB_dbi");

namespace {

bool is_corruption(int rc) {
  return rc == MDB_INVALID || rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND ||
         rc == MDB_VERSION_MISMATCH;
}

error lmdb_error(int rc, const std::string& what) {
  return make_error(is_corruption(rc) ? errc::corrupt_data : errc::storage_error,
                    "lmdb: " + what + ": " + mdb_strerror(rc));
}

error os_error(const std::string& what, int err) {
  return make_error(errc::io_error, what + ": " + std::strerror(err));
}

MDB_val to_val(byte_view v) { return MDB_val{v.size(), const_cast<byte*>(v.data())}; }
byte_view from_val(const MDB_val& v) { return {static_cast<const byte*>(v.mv_data), v.mv_size}; }

struct txn_aborter {
  void operator()(MDB_txn* txn) const noexcept { mdb_txn_abort(txn); }
};
using txn_handle = std::unique_ptr<MDB_txn, txn_aborter>;

struct cursor_closer {
  void operator()(MDB_cursor* cursor) const noexcept { mdb_cursor_close(cursor); }
};

// The environment whose transaction callback is running on this thread: LMDB
// allows one transaction per thread, and a nested one would deadlock on the
// map lock, so it is refused instead.
thread_local const void* active_env = nullptr;

class callback_scope {
 public:
  explicit callback_scope(const void* env) noexcept : previous_(active_env) { active_env = env; }
  ~callback_scope() { active_env = previous_; }
  callback_scope(const callback_scope&) = delete;
  callback_scope& operator=(const callback_scope&) = delete;

 private:
  const void* previous_;
};

result<void> refuse_nesting(const void* env) {
  if (active_env != env) return ok;
  return make_error(errc::storage_error,
                    "a transaction callback tried to open another transaction on the same environment");
}

// Creates dir 0700 if it is missing; an existing directory is left as it is.
result<void> make_private_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return ok;
  if (dir.has_parent_path()) {
    std::filesystem::create_directories(dir.parent_path(), ec);
    if (ec) return make_error(errc::io_error, "create " + dir.parent_path().string() + ": " + ec.message());
  }
  if (::mkdir(dir.c_str(), 0700) != 0) {
    if (errno == EEXIST) return ok;
    return os_error("create " + dir.string(), errno);
  }
  // The umask may have narrowed 0700, and LMDB needs all three owner bits.
  if (::chmod(dir.c_str(), 0700) != 0) return os_error("chmod " + dir.string(), errno);
  return ok;
}

// Makes a newly created entry in dir survive power loss: LMDB fsyncs its
// files but never the directories that name them.
result<void> fsync_dir(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return os_error("open directory " + dir.string(), errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return os_error("fsync directory " + dir.string(), err);
  return ok;
}

}  // namespace

struct environment::state {
  MDB_env* env = nullptr;
  std::filesystem::path dir;
  // Every transaction holds it shared; changing the map size holds it
  // exclusively, because LMDB allows that only with no transaction active.
  mutable std::shared_mutex map_mutex;

  state() = default;
  state(const state&) = delete;
  state& operator=(const state&) = delete;
  ~state() {
    if (env != nullptr) mdb_env_close(env);
  }

  // A begun transaction and the lock that keeps the map still under it;
  // members are destroyed in reverse, so the transaction ends first.
  struct live_txn {
    std::shared_lock<std::shared_mutex> lock;
    txn_handle txn;
    std::size_t map_size_bytes;
  };

  std::size_t map_size() const {
    MDB_envinfo info{};
    mdb_env_info(env, &info);
    return info.me_mapsize;
  }

  // Begins a transaction, adopting a map grown by another process if needed.
  result<live_txn> begin(unsigned flags) const {
    for (unsigned retries = 0;; ++retries) {
      std::shared_lock lock(map_mutex);
      MDB_txn* txn = nullptr;
      const int rc = mdb_txn_begin(env, nullptr, flags, &txn);
      if (rc == 0) return live_txn{std::move(lock), txn_handle{txn}, map_size()};
      if (rc != MDB_MAP_RESIZED || retries == map_resized_retries_max)
        return lmdb_error(rc, "begin transaction in " + dir.string());
      lock.unlock();
      std::unique_lock resize(map_mutex);
      const int set_rc = mdb_env_set_mapsize(env, 0);
      if (set_rc != 0) return lmdb_error(set_rc, "adopt the grown map size of " + dir.string());
    }
  }

  // Doubles the map unless another thread already grew it past seen_bytes.
  result<void> grow_map(std::size_t seen_bytes) {
    std::unique_lock resize(map_mutex);
    const std::size_t current = map_size();
    if (current != seen_bytes) return ok;
    if (current > std::numeric_limits<std::size_t>::max() / 2)
      return make_error(errc::storage_error, "lmdb map of " + dir.string() + " cannot grow further");
    const int rc = mdb_env_set_mapsize(env, current * 2);
    if (rc != 0) return lmdb_error(rc, "grow the map of " + dir.string() + " to " + std::to_string(current * 2) + " bytes");
    return ok;
  }

  // The meta page names the last page in use; a shorter file would make LMDB
  // read past its end through the map and die of SIGBUS.
  result<void> check_not_truncated() const {
    MDB_envinfo info{};
    MDB_stat st{};
    mdb_filehandle_t fd{};
    mdb_env_info(env, &info);
    mdb_env_stat(env, &st);
    mdb_env_get_fd(env, &fd);
    struct stat file {};
    const std::string path = (dir / "data.mdb").string();
    if (::fstat(fd, &file) != 0) return os_error("stat " + path, errno);
    const auto needed_bytes = (static_cast<std::uint64_t>(info.me_last_pgno) + 1) * st.ms_psize;
    if (static_cast<std::uint64_t>(file.st_size) < needed_bytes)
      return make_error(errc::corrupt_data, path + " is truncated: " + std::to_string(file.st_size) +
                                                " bytes, its meta page needs " + std::to_string(needed_bytes));
    return ok;
  }
};

result<environment> environment::open(const env_options& options) {
  std::filesystem::path dir = options.dir.lexically_normal();
  if (!dir.has_filename()) dir = dir.parent_path();  // "a/b/" names "a/b"
  DATDOT_CHECK(make_private_dir(dir));

  auto s = std::make_unique<state>();
  s->dir = dir;
  int rc = mdb_env_create(&s->env);
  if (rc != 0) return lmdb_error(rc, "create environment");
  rc = mdb_env_set_mapsize(s->env, options.map_size_bytes);
  if (rc != 0) return lmdb_error(rc, "set map size");
  rc = mdb_env_set_maxdbs(s->env, options.max_dbs);
  if (rc != 0) return lmdb_error(rc, "set max dbs");
  // With flags 0 LMDB fsyncs data and meta page on every commit. MDB_NOTLS
  // ties a reader slot to its transaction, not to the thread: CAF moves
  // actors between threads, and without it every environment takes a
  // pthread key, of which a process has 1024 (a simulation of more nodes
  // could not open its 1025th store). MDB_WRITEMAP grows the file to the
  // whole map as a sparse file; with readahead on, each page fault in it
  // zeroes a window of neighbouring holes (at 10,000 stores, a sixth of the
  // simulation's time was the kernel's memset), so it is turned off there.
  const unsigned flags = MDB_NOTLS | (options.durable ? 0u : unsigned{MDB_NOSYNC}) |
                         (options.one_descriptor ? unsigned{MDB_NOLOCK | MDB_WRITEMAP | MDB_NORDAHEAD} : 0u);
  // 0600 is passed to open(2); a umask can only remove bits from it.
  rc = mdb_env_open(s->env, dir.c_str(), flags, 0600);
  if (rc != 0) return lmdb_error(rc, "open " + dir.string());
  DATDOT_CHECK(s->check_not_truncated());
  if (options.durable) {
    DATDOT_CHECK(fsync_dir(dir));
    if (dir.has_parent_path()) DATDOT_CHECK(fsync_dir(dir.parent_path()));
  }
  return environment{std::move(s)};
}

environment::environment(std::unique_ptr<state> s) noexcept : state_(std::move(s)) {}
environment::environment(environment&&) noexcept = default;
environment& environment::operator=(environment&&) noexcept = default;
environment::~environment() = default;

std::size_t environment::map_size_bytes() const {
  std::shared_lock lock(state_->map_mutex);
  return state_->map_size();
}

result<dbi> environment::open_db(std::string_view name) {
  DATDOT_TRY(db, open_named(name, true));
  return *db;  // set: with MDB_CREATE a missing database is made, never reported missing
}

result<std::optional<dbi>> environment::existing_db(std::string_view name) { return open_named(name, false); }

result<std::optional<dbi>> environment::open_named(std::string_view name, bool create) {
  if (name.empty()) return make_error(errc::invalid_argument, "a database needs a name");
  const std::string owned{name};
  std::optional<dbi> out;
  DATDOT_CHECK(update([&](write_txn& txn) -> result<void> {
    dbi found;
    const int rc = mdb_dbi_open(txn.txn_, owned.c_str(), create ? MDB_CREATE : 0, &found.value);
    if (rc == MDB_NOTFOUND && !create) return ok;
    DATDOT_CHECK(txn.note(rc, "open database '" + owned + "'"));
    out = found;
    return ok;
  }));
  return out;
}

result<void> environment::update(const std::function<result<void>(write_txn&)>& fn) {
  DATDOT_CHECK(refuse_nesting(state_.get()));
  for (unsigned doublings = 0;; ++doublings) {
    std::size_t map_seen_bytes = 0;
    {
      DATDOT_TRY(live, state_->begin(0));
      write_txn txn{live.txn.get()};
      const result<void> outcome = [&] {
        callback_scope scope{state_.get()};
        return fn(txn);
      }();
      if (!txn.map_full_) {
        if (!outcome) return outcome;
        const int rc = mdb_txn_commit(live.txn.release());
        if (rc == 0) return ok;
        if (rc != MDB_MAP_FULL) return lmdb_error(rc, "commit to " + state_->dir.string());
      }
      map_seen_bytes = live.map_size_bytes;
    }  // aborts the transaction if it is still live, then releases the lock
    if (doublings == map_doublings_max)
      return make_error(errc::storage_error, "lmdb map of " + state_->dir.string() + " still full after " +
                                                 std::to_string(map_doublings_max) + " doublings");
    DATDOT_CHECK(state_->grow_map(map_seen_bytes));
  }
}

result<void> environment::view(const std::function<result<void>(read_txn&)>& fn) const {
  DATDOT_CHECK(refuse_nesting(state_.get()));
  DATDOT_TRY(live, state_->begin(MDB_RDONLY));
  read_txn txn{live.txn.get()};
  callback_scope scope{state_.get()};
  return fn(txn);
}

result<std::optional<byte_view>> read_txn::get(dbi db, byte_view key) const {
  MDB_val k = to_val(key);
  MDB_val v{};
  const int rc = mdb_get(txn_, db.value, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<byte_view>{};
  if (rc != 0) return lmdb_error(rc, "get");
  return std::optional<byte_view>{from_val(v)};
}

result<void> read_txn::for_each(dbi db, byte_view from_key,
                                const std::function<bool(byte_view key, byte_view value)>& fn) const {
  MDB_cursor* raw = nullptr;
  int rc = mdb_cursor_open(txn_, db.value, &raw);
  if (rc != 0) return lmdb_error(rc, "open cursor");
  const std::unique_ptr<MDB_cursor, cursor_closer> cursor{raw};
  MDB_val k = to_val(from_key);
  MDB_val v{};
  // LMDB rejects an empty key, so "from the start" is its own operation.
  rc = mdb_cursor_get(raw, &k, &v, from_key.empty() ? MDB_FIRST : MDB_SET_RANGE);
  while (rc == 0) {
    if (!fn(from_val(k), from_val(v))) return ok;
    rc = mdb_cursor_get(raw, &k, &v, MDB_NEXT);
  }
  if (rc != MDB_NOTFOUND) return lmdb_error(rc, "iterate");
  return ok;
}

result<std::uint64_t> read_txn::count(dbi db) const {
  MDB_stat st{};
  const int rc = mdb_stat(txn_, db.value, &st);
  if (rc != 0) return lmdb_error(rc, "count");
  return std::uint64_t{st.ms_entries};
}

result<void> write_txn::note(int rc, const std::string& what) {
  if (rc == 0) return ok;
  if (rc == MDB_MAP_FULL) map_full_ = true;
  return lmdb_error(rc, what);
}

result<void> write_txn::put(dbi db, byte_view key, byte_view value) {
  MDB_val k = to_val(key);
  MDB_val v = to_val(value);
  return note(mdb_put(txn_, db.value, &k, &v, 0), "put");
}

result<void> write_txn::del(dbi db, byte_view key) {
  DATDOT_CHECK(erase(db, key));
  return ok;
}

result<bool> write_txn::erase(dbi db, byte_view key) {
  MDB_val k = to_val(key);
  const int rc = mdb_del(txn_, db.value, &k, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  DATDOT_CHECK(note(rc, "del"));
  return true;
}

result<void> write_txn::clear(dbi db) { return note(mdb_drop(txn_, db.value, 0), "clear"); }

result<void> write_txn::remove(dbi db) { return note(mdb_drop(txn_, db.value, 1), "remove database"); }

}  // namespace datdot::storage

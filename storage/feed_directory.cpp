#include "storage/feed_directory.hpp"

#include "storage/key_file.hpp"

namespace datdot::storage {

namespace fs = std::filesystem;

result<feed_directory> feed_directory::open_store(const fs::path& dir) {
  feed_directory d;
  DATDOT_TRY(env, environment::open({.dir = dir}));
  d.env_ = std::make_unique<environment>(std::move(env));
  DATDOT_TRY(store, feed_store::open(*d.env_));
  d.store_ = std::make_unique<feed_store>(store);
  return d;
}

result<feed_directory> feed_directory::open_empty(const fs::path& dir) {
  DATDOT_TRY(d, open_store(dir));
  DATDOT_TRY(keys, d.store_->discovery_keys());
  if (!keys.empty()) return make_error(errc::already_exists, dir.string() + " already holds a feed");
  return d;
}

result<feed_directory> feed_directory::create(const fs::path& dir, std::optional<key_seed> seed,
                                              signing_mode mode) {
  if (fs::exists(dir / key_file_name))
    return make_error(errc::already_exists, (dir / key_file_name).string() + " exists already");
  DATDOT_TRY(d, open_empty(dir));
  DATDOT_TRY(kp, load_or_create_key_file(dir / key_file_name, seed));
  DATDOT_TRY(f, feed::create(*d.store_, kp.pk, mode));
  d.feed_ = std::move(f);
  d.keys_ = kp;
  return d;
}

result<feed_directory> feed_directory::open(const fs::path& dir) {
  if (!fs::is_directory(dir)) return make_error(errc::not_found, dir.string() + " is not a directory");
  if (!fs::exists(dir / "data.mdb"))
    return make_error(errc::not_found, dir.string() + " holds no feed (no data.mdb)");
  DATDOT_TRY(d, open_store(dir));
  DATDOT_TRY(dks, d.store_->discovery_keys());
  if (dks.size() != 1)
    return make_error(errc::not_found, dir.string() + " holds " + std::to_string(dks.size()) +
                                           " feeds; expected exactly one");
  DATDOT_TRY(f, feed::open(*d.store_, dks.front()));
  d.feed_ = std::move(f);
  if (fs::exists(dir / key_file_name)) {
    DATDOT_TRY(kp, load_key_file(dir / key_file_name));
    if (kp.pk != d.feed_->head().signer)
      return make_error(errc::corrupt_data, "feed.key does not belong to the feed in " + dir.string());
    d.keys_ = kp;
  }
  return d;
}

}  // namespace datdot::storage

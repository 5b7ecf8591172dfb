// Values that many stores of one process hold alike, kept once. A
// simulation's nodes all store the same blocks, block events and state
// snapshots (and mostly the same justifications): at 10,000 nodes each
// block would otherwise be 10,000 copies on disk and, since a simulation maps
// its stores writable, in resident memory. A chain store opened with these
// keeps a key in its LMDB database and the bytes here, so the bytes live only
// as long as the process: for stores that do not outlive it (a simulation's
// scratch stores), never for a real node's. Values are never dropped; the few
// blocks of forks that lost stay until the process ends.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "crypto/bytes.hpp"

namespace datdot::storage {

class shared_values {
 public:
  enum class kind : std::uint8_t { block, block_events, state_snapshot, justification };

  // Keeps `value` under (k, key) unless a value is there already: the same
  // key always names the same bytes (a block hash, or a hash of the bytes).
  void put(kind k, const hash32& key, byte_view value);
  // Keeps `value` under the BLAKE2b-256 of its bytes, and returns that key.
  // The stores of a simulation put one value after another (a block's
  // justification at each node): the last one's key is kept and a value
  // equal to it is not hashed again.
  hash32 put_named(kind k, byte_view value);
  std::shared_ptr<const bytes> find(kind k, const hash32& key) const;
  // The bytes kept, for a report of where memory went.
  std::uint64_t bytes_held() const;

 private:
  // The value under (k, key), kept if new; mutex_ held.
  const std::shared_ptr<const bytes>& keep(kind k, const hash32& key, byte_view value);

  mutable std::mutex mutex_;
  std::map<std::pair<kind, hash32>, std::shared_ptr<const bytes>> values_;
  std::uint64_t bytes_held_ = 0;
  struct named {
    kind k;
    hash32 key;
    std::shared_ptr<const bytes> value;
  };
  std::optional<named> last_named_;
};

}  // namespace datdot::storage

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
#include <utility>

#include "crypto/bytes.hpp"

namespace datdot::storage {

class shared_values {
 public:
  enum class kind : std::uint8_t { block, block_events, state_snapshot, justification };

  // Keeps `value` under (k, key) unless a value is there already: the same
  // key always names the same bytes (a block hash, or a hash of the bytes).
  void put(kind k, const hash32& key, byte_view value);
  std::shared_ptr<const bytes> find(kind k, const hash32& key) const;
  // The bytes kept, for a report of where memory went.
  std::uint64_t bytes_held() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<kind, hash32>, std::shared_ptr<const bytes>> values_;
  std::uint64_t bytes_held_ = 0;
};

}  // namespace datdot::storage

// The block-import memo of a simulation (crypto/sim_memo.hpp): while a
// sim_memo_scope lives, applying a block that some node of the process
// already applied returns that node's result (the same shared state and
// events) instead of running the block again. Every simulated node imports
// every block of one common chain, and the state root hashes every account,
// so without the memo the work per block grew with the square of the nodes;
// with it the process applies each block once and its nodes share one copy
// of each state.
//
// The key is the BLAKE2b-256 of the whole encoded block: header (and so its
// parent) and body. A block's parent state is the same at every node that has
// that parent (it matched the parent's state root), and apply_block is a pure
// function, so the memo changes no outcome. Only accepted blocks are kept; a
// rejected one is rejected again the long way.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "crypto/sim_memo.hpp"
#include "protocol/chain/block.hpp"
#include "protocol/chain/block_execution.hpp"
#include "protocol/chain/chain_event.hpp"
#include "protocol/chain/chain_state.hpp"

namespace datdot {

inline constexpr std::size_t import_memo_entries_max = 4096;

// Hits and misses of imports, and blocks their leaders built (applied once
// for real too, with no import to apply them again), while a scope was open.
struct import_memo_counters {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t built = 0;
};
import_memo_counters import_memo_counts() noexcept;

struct shared_applied_block {
  std::shared_ptr<const chain_state> state;
  std::vector<chain_event> events;
  std::vector<hash32> tx_hashes;
};

// A block's memo key known to whoever decoded it from bytes it has hashed:
// while one lives on this thread, apply_block_shared takes that digest for
// the block with this header hash instead of encoding and hashing the block
// again (canonical decoding is strict, so those bytes are its encoding).
class known_block_digest {
 public:
  known_block_digest(const block_hash& header, const hash32& digest) noexcept;
  ~known_block_digest();
  known_block_digest(const known_block_digest&) = delete;
  known_block_digest& operator=(const known_block_digest&) = delete;

  // The digest of this block's encoding: the known one, or computed.
  static hash32 of(const block& b);

 private:
  block_hash header_;
  hash32 digest_;
  const known_block_digest* outer_;
};

// apply_block, answered from the memo while a scope is open.
chain_result<shared_applied_block> apply_block_shared(const chain_state& parent, const block_hash& parent_hash,
                                                      const block& b);
// A block applied already (its leader's build_block), made shared, and
// remembered while a scope is open so that the other nodes find it.
shared_applied_block share_applied(const block& b, applied_block done);

}  // namespace datdot

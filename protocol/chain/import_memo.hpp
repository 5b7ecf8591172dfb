// The block-import memo of a simulation (crypto/sim_memo.hpp): while a
// sim_memo_scope lives, applying a block that some node of the process
// already applied returns that node's result (the same shared state and
// events) instead of running the block again. Every simulated node imports
// every block of one common chain, and the state root hashes every account,
// so without the memo the work per block grew with the square of the nodes;
// with it the process applies each block once and its nodes share one copy
// of each state.
//
// The key is the block's header hash (and so its parent's), and an entry
// keeps the block's encoding: the memo answers only for the same bytes, header
// and body. (It was the BLAKE2b of those bytes, which each node then hashed
// for every block: with storage proofs, blocks of tens of kilobytes, BLAKE2b
// was 15% of a late profile of a 10,000-node run, about half of it this
// hash; a compare of the bytes is far cheaper.) A block's parent state is the same at every node that has
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

// A block's encoding known to whoever decoded it from those bytes: while one
// lives on this thread, apply_block_shared takes these bytes for the block
// with this header hash instead of encoding the block again (canonical
// decoding is strict, so those bytes are its encoding). The bytes must
// outlive it.
class known_block_bytes {
 public:
  known_block_bytes(const block_hash& header, byte_view encoded) noexcept;
  ~known_block_bytes();
  known_block_bytes(const known_block_bytes&) = delete;
  known_block_bytes& operator=(const known_block_bytes&) = delete;

  // The known encoding of the block with this header hash, if one is known here.
  static std::optional<byte_view> of(const block_hash& header);

 private:
  block_hash header_;
  byte_view encoded_;
  const known_block_bytes* outer_;
};

// apply_block, answered from the memo while a scope is open.
chain_result<shared_applied_block> apply_block_shared(const chain_state& parent, const block_hash& parent_hash,
                                                      const block& b);
// A block applied already (its leader's build_block), made shared, and
// remembered while a scope is open so that the other nodes find it.
shared_applied_block share_applied(const block& b, applied_block done);

}  // namespace datdot

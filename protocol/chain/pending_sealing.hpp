// The sealing a replica waits on, if any: its first (while it is encoding) or
// an extension (while it is active and its feed grew). Roots, sealing disputes
// and the hoster's answer window all act on it.
#pragma once

#include <optional>

#include "protocol/chain/chain_state.hpp"

namespace datdot {

struct pending_sealing {
  feed_head head;           // the feed head the sealing is for
  std::uint64_t first = 0;  // its first block: 0, or where an extension starts
  std::optional<replica_commitment>& encoder_root;
  std::optional<replica_commitment>& hoster_root;
};

std::optional<pending_sealing> pending_of(replica_record& r);

}  // namespace datdot

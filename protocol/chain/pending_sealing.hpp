// The sealing a replica waits on, if any: its first (while it is encoding) or
// an extension (while it is active and its feed grew). Roots, sealing disputes
// and the hoster's answer window all act on it.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "protocol/chain/chain_event.hpp"

#include "protocol/chain/chain_state.hpp"

namespace datdot {

struct pending_sealing {
  feed_head head;           // the feed head the sealing is for
  std::uint64_t first = 0;  // its first block: 0, or where an extension starts
  std::optional<replica_commitment>& encoder_root;
  std::optional<replica_commitment>& hoster_root;
};

std::optional<pending_sealing> pending_of(replica_record& r);

// The deadlines of a sealing (the encoder's root, the hoster's answer): each
// replica whose pending sealing is `due` is ended by `end`, which names whom
// and fails it; then the feeds touched get their hosting state anew.
using sealing_due = std::function<bool(const replica_record&, const pending_sealing&)>;
using end_sealing = std::function<void(const feed_key&, std::uint32_t, const replica_record&, const pending_sealing&)>;
void end_due_sealings(chain_state& s, std::vector<chain_event>& events, const sealing_due& due,
                      const end_sealing& end);

}  // namespace datdot

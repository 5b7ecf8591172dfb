// An encoder that never submits its replica root (it died, or is lazy) must
// not hold a replica in sealing for good. Each sealing (a replica's first, or
// an extension) gets a deadline when it starts: a base plus the time sealing
// its bytes takes (chain_limits::sealing_deadline_base_blocks and
// sealing_ms_per_mib), so a big feed honestly sealed is not cut off. An
// encoder whose root is not in by then is named (encoder_timed_out), is not
// paid, and the replica ends as sealing_timed_out: the next blocks re-create
// it through another encoder, never the late one (hosting_assignment.hpp),
// and, as after any ended replica, another hoster, which is not charged.
//
// Time, not the hoster's reports, sets the deadline, so a hoster that stops
// taking pushes gets its encoder timed out too; it costs that encoder only
// this slot's next draw, and the hoster loses the replica as well.
#pragma once

#include <vector>

#include "protocol/chain/chain_event.hpp"
#include "protocol/chain/chain_state.hpp"

namespace datdot {

// The block by which the encoder of a sealing of `bytes` bytes starting in
// the state's current block must have its root in.
block_number root_due_for(const chain_state& s, std::uint64_t bytes);

// Times out every sealing whose encoder root is missing at its due block.
void run_sealing_deadlines(chain_state& s, std::vector<chain_event>& events);

}  // namespace datdot

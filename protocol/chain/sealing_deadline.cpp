#include "protocol/chain/sealing_deadline.hpp"

#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/hosting_assignment.hpp"
#include "protocol/chain/pending_sealing.hpp"

namespace datdot {

block_number root_due_for(const chain_state& s, std::uint64_t bytes) {
  constexpr std::uint64_t mib = std::uint64_t{1} << 20;
  const auto sealing_ms = (bytes / mib + (bytes % mib != 0 ? 1 : 0)) * chain_limits::sealing_ms_per_mib;
  const auto slot_ms = s.params.slot_duration_ms;
  const auto sealing_blocks = sealing_ms / slot_ms + (sealing_ms % slot_ms != 0 ? 1 : 0);
  return block_number{s.number.value + chain_limits::sealing_deadline_base_blocks + sealing_blocks};
}

void run_sealing_deadlines(chain_state& s, std::vector<chain_event>& events) {
  end_due_sealings(
      s, events,
      [&](const replica_record& r, const pending_sealing& p) {
        return !p.encoder_root && r.root_due.value != 0 && s.number >= r.root_due;
      },
      [&](const feed_key& key, std::uint32_t replica, const replica_record& r, const pending_sealing&) {
        events.push_back(encoder_timed_out{key, replica, r.encoder});
        fail_replica(s, key, replica, events, replica_state::sealing_timed_out);
      });
}

}  // namespace datdot

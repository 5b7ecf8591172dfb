#include "protocol/chain/pending_sealing.hpp"

#include "protocol/chain/hosting_assignment.hpp"

namespace datdot {

std::optional<pending_sealing> pending_of(replica_record& r) {
  if (r.state == replica_state::encoding) return pending_sealing{r.covers, 0, r.encoder_root, r.hoster_root};
  if (r.state == replica_state::active && r.extension)
    return pending_sealing{r.extension->target, r.covers.length, r.extension->encoder_root, r.extension->hoster_root};
  return std::nullopt;
}

void end_due_sealings(chain_state& s, std::vector<chain_event>& events, const sealing_due& due,
                      const end_sealing& end) {
  for (auto& [key, f] : s.feeds) {
    bool ended = false;
    for (std::size_t i = 0; i < f.replicas.size(); ++i) {
      auto& r = f.replicas[i];
      const auto pending = pending_of(r);
      if (!pending || !due(r, *pending)) continue;
      end(key, static_cast<std::uint32_t>(i), r, *pending);
      ended = true;
    }
    if (ended) update_hosting_state(f, key, events);
  }
}

}  // namespace datdot

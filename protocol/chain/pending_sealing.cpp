#include "protocol/chain/pending_sealing.hpp"

namespace datdot {

std::optional<pending_sealing> pending_of(replica_record& r) {
  if (r.state == replica_state::encoding) return pending_sealing{r.covers, 0, r.encoder_root, r.hoster_root};
  if (r.state == replica_state::active && r.extension)
    return pending_sealing{r.extension->target, r.covers.length, r.extension->encoder_root, r.extension->hoster_root};
  return std::nullopt;
}

}  // namespace datdot

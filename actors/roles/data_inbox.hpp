// The node's receiver of data-plane requests (bus family `data`): decodes
// each with the data plane's strict decoder and hands it to the role that
// serves it. Blocks are asked of the publisher first and then the hoster (a
// node may be both); replica pushes go to the hoster. What no role here
// serves is refused with a reason.
#pragma once

#include <optional>

#include "actors/roles/role_context.hpp"

namespace datdot {

struct data_roles {
  std::optional<data_handler> publisher;
  std::optional<data_handler> hoster;
};

inbox_actor spawn_data_inbox(caf::actor_system& sys, bus_actor bus, data_roles roles, log_fn log,
                             const actor_probe* probe = nullptr);

}  // namespace datdot

#include "actors/roles/registrar_actor.hpp"

namespace datdot {
namespace {

// Finalized blocks to wait for a submitted registration before trying again.
constexpr int pending_blocks_max = 20;

bool registered_as(const chain_state& s, const account_id& me, const register_node& wanted) {
  const auto node = s.nodes.find(me);
  return node != s.nodes.end() && node->second.roles == wanted.roles &&
         node->second.capacity_bytes == wanted.capacity_bytes && node->second.bus_address == wanted.bus_address &&
         node->second.seal_key == wanted.seal_key;
}

}  // namespace

chain_watcher spawn_registrar(caf::actor_system& sys, role_context ctx, register_node wanted) {
  auto registrar = sys.spawn([ctx, wanted](caf::event_based_actor* self) -> caf::behavior {
    auto waiting = std::make_shared<int>(0);
    return instrument(self, ctx.probe, caf::behavior{
        [=](chain_final_atom, const finalized_view& view) {
          if (registered_as(*view.state, ctx.me(), wanted)) return;
          if (*waiting > 0) {
            --*waiting;
            return;
          }
          *waiting = pending_blocks_max;
          self->request(ctx.chain, std::chrono::seconds{5}, chain_submit_atom_v, call{wanted})
              .then([=](const submitted_call& s) { ctx.say(s.accepted ? "roles: registration submitted"
                                                                      : "roles: registration not accepted: " + s.detail); },
                    [=](caf::error& e) { ctx.say("roles: registration: " + caf::to_string(e)); });
        },
    });
  });
  auto watcher = caf::actor_cast<chain_watcher>(registrar);
  caf::anon_send(ctx.chain, chain_watch_atom_v, watcher);
  return watcher;
}

}  // namespace datdot

#include "actors/roles/registrar_actor.hpp"

#include "actors/roles/submit_call.hpp"

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
          submit_logged(self, ctx, wanted, "roles: registration", [log = ctx.log](bool accepted) {
            if (accepted && log) log("roles: registration submitted");
          });
        },
    });
  });
  auto watcher = caf::actor_cast<chain_watcher>(registrar);
  caf::anon_send(ctx.chain, chain_watch_atom_v, watcher);
  return watcher;
}

}  // namespace datdot

// What every role actor is given and shares: the node's identity, its bus
// and chain actors, and the data plane's request vocabulary. A role actor
// follows finality (chain_watcher), acts on what the chain asks of it
// (protocol/duties/) and answers other nodes' data requests (data_handler).
#pragma once

#include <chrono>
#include <functional>
#include <set>

#include <sodium.h>

#include "actors/bus_actor.hpp"
#include "actors/chain/validator_actor.hpp"
#include "actors/metrics/actor_metrics.hpp"
#include "protocol/data_plane/data_message.hpp"

CAF_ADD_ATOM(datdot, datdot, data_ask_atom, "dask")
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(datdot::data_message)

namespace datdot {

// A role that answers data requests from other nodes (the data inbox routes to it).
using data_handler = caf::typed_actor<caf::replies_to<data_ask_atom, node_id, data_message>::with<data_message>>;

inline constexpr auto data_request_timeout = std::chrono::seconds{10};

struct role_context {
  key_pair keys;
  bus_actor bus;
  validator_actor chain;
  log_fn log;
  const actor_probe* probe = nullptr;  // this role's datdot_actor_* series; null: not measured
  // The clock a role measures service with and the randomness it draws in
  // private: the machine's when empty; `datdot sim` gives the virtual clock
  // and the run's seed, so that a run replays exactly.
  std::function<std::chrono::nanoseconds()> clock;
  std::function<std::uint32_t(std::uint32_t)> uniform;  // below its bound
  // Sealing and making feeds take long, so those roles get a thread of their
  // own; the simulation runs every actor on its one deterministic scheduler.
  bool own_thread = true;

  account_id me() const { return account_id{keys.pk}; }
  std::chrono::nanoseconds now() const {
    return clock ? clock() : std::chrono::steady_clock::now().time_since_epoch();
  }
  std::uint32_t random_below(std::uint32_t bound) const { return uniform ? uniform(bound) : randombytes_uniform(bound); }
  void say(const std::string& line) const {
    if (log) log(line);
  }
};

// Makes sure the bus can reach `peer` at the address it registered on chain,
// for a duty about to talk to it. Named again for each duty, not once: the
// bus keeps the duties' routes least recently named first, and an old one may
// have given way since.
template <class Self>
void know_peer(Self* self, const role_context& ctx, const chain_state& s, const account_id& peer) {
  const auto node = s.nodes.find(peer);
  if (node == s.nodes.end()) return;
  self->send(ctx.bus, bus_route_atom_v, peer_info{peer, node->second.roles, bus_protocol_version, node->second.bus_address});
}

// Sends a data request to `to` and calls `done` with its decoded answer, or an error.
template <class Self, class Done>
void ask_data(Self* self, const role_context& ctx, const node_id& to, const data_message& m, Done done) {
  self->request(ctx.bus, data_request_timeout + std::chrono::seconds{1}, bus_request_atom_v, to,
                message_body{data_request{encode_data_message(m)}}, caf::timespan{data_request_timeout})
      .then(
          [=](inbound_message& in) mutable {
            const auto* answer = std::get_if<data_response>(&in.body);
            if (!answer) return done(result<data_message>{make_error(errc::verification_failed, "not a data response")});
            auto decoded = decode_data_message(answer->payload);
            if (!decoded) return done(result<data_message>{decoded.err().to_error()});
            if (const auto* refused = std::get_if<data_refusal>(&*decoded))
              return done(result<data_message>{make_error(errc::verification_failed, "refused: " + refused->reason)});
            done(result<data_message>{std::move(*decoded)});
          },
          [=](caf::error& e) mutable {
            done(result<data_message>{make_error(errc::io_error, "data request failed: " + caf::to_string(e))});
          });
}

}  // namespace datdot

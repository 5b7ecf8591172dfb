#include "actors/roles/data_inbox.hpp"

namespace datdot {
namespace {

message_body wrap(const data_message& m) { return message_body{data_response{encode_data_message(m)}}; }

// Asks each handler in turn until one does not refuse; the last refusal stands.
void ask_in_turn(caf::event_based_actor* self, std::vector<data_handler> handlers, std::size_t at, node_id from,
                 data_message m, caf::typed_response_promise<message_body> promise) {
  if (at == handlers.size()) {
    promise.deliver(wrap(data_refusal{"no role on this node serves that"}));
    return;
  }
  self->request(handlers[at], data_request_timeout, data_ask_atom_v, from, m)
      .then(
          [=](data_message& answer) mutable {
            if (std::holds_alternative<data_refusal>(answer) && at + 1 < handlers.size())
              return ask_in_turn(self, handlers, at + 1, from, m, promise);
            promise.deliver(wrap(answer));
          },
          [=](caf::error& e) mutable { promise.deliver(wrap(data_refusal{"internal: " + caf::to_string(e)})); });
}

}  // namespace

inbox_actor spawn_data_inbox(caf::actor_system& sys, bus_actor bus, data_roles roles, log_fn log,
                             const actor_probe* probe) {
  auto inbox = sys.spawn([roles, log, probe](caf::event_based_actor* self) -> caf::behavior {
    return instrument(self, probe, caf::behavior{
        [=](bus_ask_atom, inbound_message& msg) -> caf::result<message_body> {
          const auto* req = std::get_if<data_request>(&msg.body);
          if (!req) return caf::make_error(caf::sec::unexpected_message);
          auto decoded = decode_data_message(req->payload);
          if (!decoded) {
            if (log) log("data: refused a request from " + to_hex(msg.sender) + ": " + decoded.err().describe());
            return wrap(data_refusal{decoded.err().describe()});
          }
          std::vector<data_handler> handlers;
          if (std::holds_alternative<feed_blocks_request>(*decoded)) {
            if (roles.publisher) handlers.push_back(*roles.publisher);
            if (roles.hoster) handlers.push_back(*roles.hoster);
          } else if ((std::holds_alternative<replica_push>(*decoded) ||
                      std::holds_alternative<replica_roots_request>(*decoded)) &&
                     roles.hoster) {
            handlers.push_back(*roles.hoster);
          }
          auto promise = self->make_response_promise<message_body>();
          ask_in_turn(self, std::move(handlers), 0, msg.sender, std::move(*decoded), promise);
          return promise;
        },
        [=](bus_deliver_atom, inbound_message&) {},  // the data plane has no one-way messages
    });
  });
  auto typed = caf::actor_cast<inbox_actor>(inbox);
  caf::anon_send(bus, bus_subscribe_atom_v, message_family::data, typed);
  return typed;
}

}  // namespace datdot

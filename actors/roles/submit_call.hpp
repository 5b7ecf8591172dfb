// How a role submits one of its node's own calls (a replica root, a storage
// proof, an attestation, a registration, a publish) to the chain actor and
// learns whether the transaction pool took it: one request, one timeout, and
// one way of logging a call that did not get in.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>

#include "actors/roles/role_context.hpp"

namespace datdot {

inline constexpr auto submit_timeout = std::chrono::seconds{5};

// Submits `c` and calls `answered` with the pool's answer, or with the error
// when none came (timeout, chain actor gone).
template <class Self, class Answered>
void submit_call(Self* self, const role_context& ctx, call c, Answered answered) {
  self->request(ctx.chain, submit_timeout, chain_submit_atom_v, std::move(c))
      .then([=](const submitted_call& s) mutable { answered(caf::expected<submitted_call>{s}); },
            [=](caf::error& e) mutable { answered(caf::expected<submitted_call>{std::move(e)}); });
}

// Submits `c` and logs a call that did not get in as "<what> not accepted:
// <detail>" (refused by the pool) or "<what>: <error>" (no answer). `settled`
// learns whether the call reached the pool: false means it may be tried again.
template <class Self>
void submit_logged(Self* self, const role_context& ctx, call c, std::string what,
                   std::function<void(bool accepted)> settled = {}) {
  submit_call(self, ctx, std::move(c),
              [log = ctx.log, what = std::move(what), settled = std::move(settled)](caf::expected<submitted_call> s) {
                const auto say = [&](const std::string& line) {
                  if (log) log(line);
                };
                if (!s)
                  say(what + ": " + caf::to_string(s.error()));
                else if (!s->accepted)
                  say(what + " not accepted: " + s->detail);
                if (settled) settled(s && s->accepted);
              });
}

}  // namespace datdot

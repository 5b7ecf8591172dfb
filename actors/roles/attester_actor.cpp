#include "actors/roles/attester_actor.hpp"

#include "protocol/duties/duties.hpp"
#include "protocol/duties/replica_transfer.hpp"

namespace datdot {
namespace {

struct attester_state {
  std::optional<role_context> ctx;
  std::set<std::uint64_t> attested;  // challenges reported (or being fetched)
  std::set<node_id> known;
};

using attester_pointer = attester_actor::stateful_pointer<attester_state>;

void report(attester_pointer self, std::uint64_t challenge, submit_attestation a) {
  self->request(self->state.ctx->chain, std::chrono::seconds{5}, chain_submit_atom_v, call{a})
      .then([=](const submitted_call& s) {
        if (!s.accepted) self->state.ctx->say("attester: report not accepted: " + s.detail);
      },
            [=](caf::error& e) { self->state.ctx->say("attester: report: " + caf::to_string(e)); });
  self->state.ctx->say("attester: challenge " + std::to_string(challenge) + (a.served ? " served" : " NOT served") +
                       " in " + std::to_string(a.latency_ms) + " ms");
}

void attest(attester_pointer self, const challenge_duty& d) {
  const auto started = std::chrono::steady_clock::now();
  const auto feed = d.feed;
  const auto index = d.challenge.index;
  ask_data(self, *self->state.ctx, d.replica.hoster, data_message{feed_blocks_request{d.challenge.feed, index, 1}},
           [=](result<data_message> answer) {
             const auto elapsed = std::chrono::steady_clock::now() - started;
             const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
             const auto* blocks = answer ? std::get_if<feed_blocks>(&*answer) : nullptr;
             const bool served = blocks && !blocks->blocks.empty() && check_feed_blocks(feed, *blocks, index);
             std::uint64_t bytes = 0;
             if (blocks)
               for (const auto& b : blocks->blocks) bytes += b.value.size();
             const auto us = std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
             report(self, d.id,
                    submit_attestation{d.id, served, static_cast<std::uint32_t>(ms),
                                       served ? bytes * 1'000'000 / static_cast<std::uint64_t>(us) : 0});
           });
}

void on_final(attester_pointer self, const finalized_view& view) {
  auto& st = self->state;
  for (const auto& d : attestation_duties(*view.state, st.ctx->me())) {
    if (!st.attested.insert(d.id).second) continue;
    know_peer(self, *st.ctx, st.known, *view.state, d.replica.hoster);
    attest(self, d);
  }
  std::erase_if(st.attested, [&](std::uint64_t id) { return !view.state->challenges.contains(id); });
}

attester_actor::behavior_type attester_impl(attester_pointer self, role_context ctx) {
  self->state.ctx.emplace(std::move(ctx));
  self->send(self->state.ctx->chain, chain_watch_atom_v, caf::actor_cast<chain_watcher>(self));
  return instrument(self, self->state.ctx->probe, attester_actor::behavior_type{
      [=](chain_final_atom, const finalized_view& view) { on_final(self, view); },
  });
}

}  // namespace

attester_actor spawn_attester(caf::actor_system& sys, role_context ctx) { return sys.spawn(attester_impl, std::move(ctx)); }

}  // namespace datdot

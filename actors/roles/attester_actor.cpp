#include "actors/roles/attester_actor.hpp"

#include <map>

#include "actors/roles/submit_call.hpp"
#include "protocol/duties/duties.hpp"
#include "protocol/duties/replica_transfer.hpp"

namespace datdot {
namespace {

struct attester_state {
  std::optional<role_context> ctx;
  std::set<std::uint64_t> attested;  // challenges reported (or being fetched)
  node_id reader;  // the throwaway identity the hoster sees
  std::shared_ptr<attester_conduct> conduct;
  std::map<std::uint64_t, challenge_duty> held;  // by challenge: duties the conduct holds back
};

using attester_pointer = attester_actor::stateful_pointer<attester_state>;

void report(attester_pointer self, std::uint64_t challenge, submit_attestation a) {
  submit_logged(self, *self->state.ctx, a, "attester: report");
  self->state.ctx->say("attester: challenge " + std::to_string(challenge) + (a.served ? " served" : " NOT served") +
                       " in " + std::to_string(a.latency_ms) + " ms, asked as " +
                       to_hex(byte_view{self->state.reader.key}));
}

// Blocks asked per attestation.
constexpr std::uint32_t blocks_per_attestation = 2;

struct attestation_run {
  std::chrono::nanoseconds started{0};
  std::uint32_t waiting = 0;
  bool served = true;
  std::uint64_t bytes = 0;
};

void attest(attester_pointer self, const challenge_duty& d) {
  auto run = std::make_shared<attestation_run>();
  run->started = self->state.ctx->now();
  const auto feed = d.feed;
  const auto id = d.id;
  const auto asked = static_cast<std::uint32_t>(std::min<std::uint64_t>(blocks_per_attestation, feed.length));
  run->waiting = asked;
  for (std::uint32_t n = 0; n < asked; ++n) {
    const std::uint64_t index = self->state.ctx->random_below(static_cast<std::uint32_t>(std::min<std::uint64_t>(feed.length, UINT32_MAX)));
    // At the head the challenge is about: the hoster's finalized view may
    // already have the replica extended, and would answer at its new length.
    ask_data(self, *self->state.ctx, d.replica.hoster,
             data_message{feed_blocks_request{d.challenge.feed, index, 1, feed.length}},
             [=](result<data_message> answer) {
               const auto* blocks = answer ? std::get_if<feed_blocks>(&*answer) : nullptr;
               const bool ok = blocks && !blocks->blocks.empty() && check_feed_blocks(feed, *blocks, index);
               run->served = run->served && ok;
               if (ok)
                 for (const auto& b : blocks->blocks) run->bytes += b.value.size();
               if (--run->waiting > 0) return;
               const auto elapsed = self->state.ctx->now() - run->started;
               const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
               const auto us = std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
               report(self, id,
                      submit_attestation{id, run->served, static_cast<std::uint32_t>(ms),
                                         run->served ? run->bytes * 1'000'000 / static_cast<std::uint64_t>(us) : 0});
             });
  }
}

void on_final(attester_pointer self, const finalized_view& view) {
  auto& st = self->state;
  for (const auto& d : attestation_duties(*view.state, st.ctx->me())) {
    if (!st.attested.insert(d.id).second) continue;
    know_peer(self, *st.ctx, *view.state, d.replica.hoster);
    const auto wait = st.conduct ? st.conduct->hold(d, *view.state) : std::chrono::nanoseconds{};
    if (wait <= std::chrono::nanoseconds{}) {
      attest(self, d);
      continue;
    }
    st.held.emplace(d.id, d);
    self->delayed_send(self, wait, attest_atom_v, d.id);
  }
  std::erase_if(st.attested, [&](std::uint64_t id) { return !view.state->challenges.contains(id); });
}

attester_actor::behavior_type attester_impl(attester_pointer self, role_context ctx, node_id reader,
                                            std::shared_ptr<attester_conduct> conduct) {
  self->state.ctx.emplace(std::move(ctx));
  self->state.reader = reader;
  self->state.conduct = std::move(conduct);
  self->send(self->state.ctx->chain, chain_watch_atom_v, caf::actor_cast<chain_watcher>(self));
  return instrument(self, self->state.ctx->probe, attester_actor::behavior_type{
      [=](chain_final_atom, const finalized_view& view) { on_final(self, view); },
      [=](attest_atom, std::uint64_t challenge) {
        auto held = self->state.held.extract(challenge);
        if (held) attest(self, held.mapped());
      },
  });
}

}  // namespace

attester_actor spawn_attester(caf::actor_system& sys, role_context ctx, node_id reader,
                              std::shared_ptr<attester_conduct> conduct) {
  return sys.spawn(attester_impl, std::move(ctx), reader, std::move(conduct));
}

}  // namespace datdot

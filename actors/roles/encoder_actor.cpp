#include "actors/roles/encoder_actor.hpp"

#include <map>

#include "actors/roles/submit_call.hpp"
#include "protocol/chain/invariant.hpp"
#include "protocol/duties/duties.hpp"
#include "protocol/duties/replica_transfer.hpp"

namespace datdot {
namespace {

struct job {
  replica_duty duty;
  std::vector<account_id> sources;  // who to fetch from, in order
  std::size_t source = 0;
  std::uint64_t next = 0;           // first block not yet acknowledged by the hoster
  merkle_tree sealed_tree;          // over the sealed blocks sent so far (an extension: from the agreed roots)
};

// A sealed run its hoster did not take (most often: its finalized chain did
// not show the assignment yet), kept for the retry at the next finalized
// block. Sealing is the slow part by design (crypto/seal_codec.hpp), and it is
// deterministic, so the retry sends these bytes instead of sealing again.
struct parked_run {
  account_id hoster;
  hash32 replica;  // the replica key the blocks were sealed for
  bytes seal_key;
  std::uint64_t feed_length = 0;
  std::vector<tree_node> tree_roots;  // the sealed tree the run extends
  replica_push run;
};

struct encoder_state {
  std::optional<role_context> ctx;
  std::shared_ptr<const sealer> sealing;
  std::shared_ptr<const chain_state> chain;
  std::map<std::pair<feed_key, std::uint32_t>, job> jobs;  // in progress
  std::map<std::pair<feed_key, std::uint32_t>, parked_run> parked;
  std::shared_ptr<encoder_conduct> conduct;
};

using encoder_pointer = encoder_actor::stateful_pointer<encoder_state>;
using job_key = std::pair<feed_key, std::uint32_t>;

void step(encoder_pointer self, job_key key);

void give_up(encoder_pointer self, const job_key& key, const std::string& why) {
  self->state.ctx->say("encoder: " + to_hex(key.first.bytes) + "/" + std::to_string(key.second) + ": " + why +
                       " (retried at the next finalized block)");
  self->state.jobs.erase(key);
}

void finish(encoder_pointer self, const job_key& key) {
  auto& st = self->state;
  auto& j = st.jobs.at(key);
  const auto c = st.conduct->root(j.duty, commit_replica(j.sealed_tree.roots()), *st.chain);
  submit_logged(self, *self->state.ctx, submit_replica_root{key.first, key.second, c.tree_hash, c.length},
                "encoder: replica root");
  self->state.ctx->say("encoder: sealed " + to_hex(key.first.bytes) + "/" + std::to_string(key.second) + ", " +
                       std::to_string(c.length) + " blocks");
  // Kept (not erased) until the chain shows the root, so the job is not started again.
}

// The run's blocks count as sealed: the tree grows by them and the next run follows.
void advance(encoder_pointer self, const job_key& key, const std::vector<sealed_block>& sealed) {
  auto& j = self->state.jobs.at(key);
  std::vector<tree_node> ignored;
  for (const auto& b : sealed) j.sealed_tree.append(b.sealed, ignored);
  j.next += sealed.size();
  step(self, key);
}

void push(encoder_pointer self, const job_key& key, replica_push run) {
  auto& st = self->state;
  auto& j = st.jobs.at(key);
  const auto hoster = j.duty.record.hoster;
  if (!st.conduct->pushes(j.duty, run, *st.chain)) return advance(self, key, run.blocks);
  parked_run kept{hoster, j.duty.record.replica_key, j.duty.record.seal_key, j.duty.feed.length, j.sealed_tree.roots(), run};
  ask_data(self, *st.ctx, hoster, data_message{std::move(run)}, [=](result<data_message> answer) mutable {
    auto& st = self->state;
    if (!st.jobs.contains(key)) return;
    if (!answer) {
      give_up(self, key, "hoster: " + answer.err().describe());
      st.parked.insert_or_assign(key, std::move(kept));
      return;
    }
    const auto& sealed = kept.run.blocks;
    const auto* ack = std::get_if<replica_ack>(&*answer);
    if (!ack || ack->next != st.jobs.at(key).next + sealed.size())
      return give_up(self, key, "hoster acknowledged something else");
    advance(self, key, sealed);
  });
}

void step(encoder_pointer self, job_key key) {
  auto& st = self->state;
  auto& j = st.jobs.at(key);
  if (j.next == j.duty.feed.length) return finish(self, key);
  if (const auto p = st.parked.find(key); p != st.parked.end()) {
    auto parked = std::move(p->second);
    st.parked.erase(p);
    if (parked.hoster == j.duty.record.hoster && parked.replica == j.duty.record.replica_key &&
        parked.seal_key == j.duty.record.seal_key && parked.feed_length == j.duty.feed.length &&
        parked.run.first == j.next && parked.tree_roots == j.sealed_tree.roots())
      return push(self, key, std::move(parked.run));
  }
  if (j.source == j.sources.size()) return give_up(self, key, "no source served the blocks");
  const auto from = j.sources[j.source];
  // Proved against the head this work is for, which the feed may have grown past.
  const feed_blocks_request wanted{key.first, j.next, data_limits::blocks_per_message_max, j.duty.feed.length};
  ask_data(self, *st.ctx, from, data_message{wanted},
           [=](result<data_message> answer) {
             auto& st = self->state;
             if (!st.jobs.contains(key)) return;
             auto& j = st.jobs.at(key);
             const auto* blocks = answer ? std::get_if<feed_blocks>(&*answer) : nullptr;
             chain_status checked = blocks ? check_feed_blocks(j.duty.feed, *blocks, j.next)
                                           : chain_fail(chain_errc::invalid_call, answer ? "not blocks" : answer.err().describe());
             if (checked && blocks->blocks.empty()) checked = chain_fail(chain_errc::invalid_call, "no blocks");
             if (!checked) {
               st.ctx->say("encoder: source " + to_hex(from) + ": " + checked.err().describe());
               ++j.source;  // the next source
               return step(self, key);
             }
             auto run = seal_blocks(*st.sealing, st.ctx->keys.sk, st.chain->chain, j.duty, *blocks, j.sealed_tree);
             if (!run) return give_up(self, key, "sealing: " + run.err().describe());
             push(self, key, std::move(*run));
           });
}

// An extension grows the replica tree the chain agreed on: its roots come
// from the hoster and must hash to the chain's commitment.
void extend(encoder_pointer self, job_key key) {
  auto& j = self->state.jobs.at(key);
  const auto agreed = j.duty.record.encoder_root;
  if (!agreed || agreed->length != j.duty.first) return give_up(self, key, "no agreed replica tree to extend");
  const replica_roots_request wanted{key.first, key.second, j.duty.first};
  ask_data(self, *self->state.ctx, j.duty.record.hoster, data_message{wanted}, [=](result<data_message> answer) {
    auto& st = self->state;
    if (!st.jobs.contains(key)) return;
    const auto* roots = answer ? std::get_if<replica_roots>(&*answer) : nullptr;
    if (!roots) return give_up(self, key, "hoster: " + (answer ? std::string{"no replica roots"} : answer.err().describe()));
    if (commit_replica(roots->roots) != *agreed) return give_up(self, key, "hoster's replica roots are not the agreed tree");
    auto tree = merkle_tree::from_roots(roots->roots);
    if (!tree) return give_up(self, key, "hoster's replica roots: " + tree.err().describe());
    st.jobs.at(key).sealed_tree = std::move(*tree);
    step(self, key);
  });
}

void on_final(encoder_pointer self, const finalized_view& view) {
  auto& st = self->state;
  st.chain = view.state;
  const auto duties = sealing_duties(*st.chain, st.ctx->me());
  // Jobs the chain no longer asks for (root recorded, replica re-assigned, sealing done and extension begun) end.
  std::erase_if(st.jobs, [&](const auto& e) {
    return std::none_of(duties.begin(), duties.end(), [&](const replica_duty& d) {
      return d.key == e.first.first && d.replica == e.first.second && d.record.hoster == e.second.duty.record.hoster &&
             d.first == e.second.duty.first && d.feed.length == e.second.duty.feed.length;
    });
  });
  std::erase_if(st.parked, [&](const auto& e) {
    return std::none_of(duties.begin(), duties.end(),
                        [&](const replica_duty& d) { return d.key == e.first.first && d.replica == e.first.second; });
  });
  for (const auto& d : duties) {
    const job_key key{d.key, d.replica};
    if (st.jobs.contains(key)) continue;
    job j{d, {d.feed.publisher}, 0, d.first, {}};
    // Hosters whose agreed replicas reach the head this work is for serve its blocks too.
    for (const auto& r : d.feed.replicas)
      if (r.state == replica_state::active && r.covers.length >= d.feed.length) j.sources.push_back(r.hoster);
    for (const auto& peer : j.sources) know_peer(self, *st.ctx, *st.chain, peer);
    know_peer(self, *st.ctx, *st.chain, d.record.hoster);
    st.jobs.emplace(key, std::move(j));
    if (d.first == 0)
      step(self, key);
    else
      extend(self, key);
  }
}

encoder_actor::behavior_type encoder_impl(encoder_pointer self, role_context ctx, std::shared_ptr<const sealer> sealing,
                                          std::shared_ptr<encoder_conduct> conduct) {
  self->state.sealing = std::move(sealing);
  self->state.conduct = conduct ? std::move(conduct) : std::make_shared<encoder_conduct>();
  self->state.ctx.emplace(std::move(ctx));
  self->send(self->state.ctx->chain, chain_watch_atom_v, caf::actor_cast<chain_watcher>(self));
  return instrument(self, self->state.ctx->probe, encoder_actor::behavior_type{
      [=](chain_final_atom, const finalized_view& view) { on_final(self, view); },
  });
}

}  // namespace

encoder_actor spawn_encoder(caf::actor_system& sys, role_context ctx, std::shared_ptr<const sealer> sealing,
                            std::shared_ptr<encoder_conduct> conduct) {
  DATDOT_INVARIANT(sealing != nullptr);
  if (!ctx.own_thread) return sys.spawn(encoder_impl, std::move(ctx), std::move(sealing), std::move(conduct));
  return sys.spawn<caf::detached>(encoder_impl, std::move(ctx), std::move(sealing), std::move(conduct));
}

}  // namespace datdot

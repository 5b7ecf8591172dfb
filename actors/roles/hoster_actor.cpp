#include "actors/roles/hoster_actor.hpp"

#include "actors/roles/submit_call.hpp"
#include "protocol/duties/duties.hpp"
#include "protocol/duties/replica_transfer.hpp"
#include "storage/replica_store.hpp"

namespace datdot {
namespace {

struct hoster_state {
  std::optional<role_context> ctx;
  std::optional<storage::replica_store> store;
  std::shared_ptr<const chain_state> chain;
  proofs_answered answered;
  std::map<std::pair<feed_key, std::uint32_t>, std::uint64_t> rooted;  // replicas whose root is submitted: its length
  std::set<std::pair<feed_key, std::uint32_t>> disputing;     // replicas whose dispute or withheld report is under way
  prometheus::Gauge* stored_bytes = nullptr;
  std::shared_ptr<hoster_conduct> conduct;
};

using hoster_pointer = hoster_actor::stateful_pointer<hoster_state>;

storage::replica_id id_of(const feed_key& key, std::uint32_t replica) { return {key.bytes, replica}; }

data_message refuse(std::string why) { return data_refusal{std::move(why)}; }

// A whole replica's root (or, extended, its grown root) goes to the chain
// once; the encoder submits its own.
void commit_if_whole(hoster_pointer self, const replica_duty& duty, const storage::replica& r) {
  auto& st = self->state;
  const std::pair replica{duty.key, duty.replica};
  if (r.tree().length() != duty.feed.length || duty.hoster_root) return;
  if (const auto at = st.rooted.find(replica); at != st.rooted.end() && at->second == duty.feed.length) return;
  st.rooted[replica] = duty.feed.length;
  const auto c = r.commitment();
  // Once in the pool the chain actor keeps it going (re-gossip, renumbering); only a refused call is tried again.
  submit_logged(self, *st.ctx, submit_replica_root{duty.key, duty.replica, c.tree_hash, c.length}, "hoster: replica root",
                [self, replica, length = c.length](bool accepted) {
                  auto& rooted = self->state.rooted;
                  if (const auto at = rooted.find(replica); !accepted && at != rooted.end() && at->second == length)
                    rooted.erase(at);
                });
}

// Asks `sources` in turn for the original of the evidence's block, and
// submits the dispute the first good answer makes.
void fetch_original(hoster_pointer self, const replica_duty& duty, const sealing_evidence& evidence,
                    const std::vector<account_id>& sources, std::size_t next) {
  auto& st = self->state;
  const auto about = to_hex(duty.key.bytes) + "/" + std::to_string(duty.replica) + " block " +
                     std::to_string(evidence.index);
  // Given up: the encoder's next push of the bad block starts the dispute again.
  const auto again = [self, replica = std::make_pair(duty.key, duty.replica)] { self->state.disputing.erase(replica); };
  if (next == sources.size()) {
    st.ctx->say("hoster: no source gave the original to dispute " + about);
    return again();
  }
  know_peer(self, *st.ctx, *st.chain, sources[next]);
  const feed_blocks_request wanted{duty.key, evidence.index, 1, duty.feed.length};
  ask_data(self, *st.ctx, sources[next], data_message{wanted}, [=](result<data_message> answer) {
    auto& st = self->state;
    const auto* blocks = answer ? std::get_if<feed_blocks>(&*answer) : nullptr;
    auto dispute = blocks ? make_dispute(st.chain->chain, duty, evidence, *blocks)
                          : chain_fail(chain_errc::invalid_call, answer ? "not blocks" : answer.err().describe());
    if (!dispute) {
      st.ctx->say("hoster: dispute of " + about + ": " + dispute.err().describe());
      return fetch_original(self, duty, evidence, sources, next + 1);
    }
    submit_logged(self, *st.ctx, call{std::move(*dispute)}, "hoster: sealing dispute of " + about,
                  [again](bool accepted) {
                    if (!accepted) again();
                  });
  });
}

// A bad block the encoder signed: the hoster proves it on chain at once (the
// encoder's root opens a window the dispute must land in). The dispute needs
// the original block, from the publisher or a hoster whose replica covers it.
void dispute(hoster_pointer self, const replica_duty& duty, const sealing_evidence& evidence) {
  auto& st = self->state;
  if (!st.disputing.insert({duty.key, duty.replica}).second) return;
  std::vector<account_id> sources{duty.feed.publisher};
  for (const auto& r : duty.feed.replicas)
    if (r.state == replica_state::active && r.covers.length >= duty.feed.length && r.hoster != st.ctx->me())
      sources.push_back(r.hoster);
  fetch_original(self, duty, evidence, sources, 0);
}

data_message intake(hoster_pointer self, const node_id& sender, const replica_push& push) {
  auto& st = self->state;
  if (!st.chain) return refuse("no finalized chain yet");
  const auto duties = intake_duties(st.chain, st.ctx->me());
  const auto duty = std::find_if(duties.begin(), duties.end(), [&](const replica_duty& d) {
    return d.key == push.feed && d.replica == push.replica;
  });
  if (duty == duties.end()) return refuse("replica not assigned to this hoster (yet)");
  if (sender != duty->record.encoder) return refuse("only the replica's encoder may push it");
  auto unsealer = make_unsealer(duty->record.seal_codec, duty->record.seal_key);
  if (!unsealer) return refuse("replica has no usable sealing key");
  const auto id = id_of(push.feed, push.replica);
  auto opened = storage::replica::open(*st.store, id);
  // What this node holds of an earlier assignment of the slot (another
  // replica key or encoder) gives way to a sealing that starts afresh. An
  // encoder that starts over (it restarted) sends the runs the replica holds
  // again: append takes them as the same bytes (sealing is deterministic), so
  // a whole replica is not lost to a replay after its root went in.
  if (opened && duty->first == 0 && push.first == 0 &&
      (opened->head().key != duty->record.replica_key || opened->head().encoder_key != duty->record.seal_key)) {
    if (auto ok = st.store->erase(id); !ok) return refuse("cannot restart the replica: " + ok.err().describe());
    st.rooted.erase({push.feed, push.replica});
    opened = storage::replica::open(*st.store, id);
  }
  if (!opened) {
    auto created = storage::replica::create(*st.store, id, duty->record.replica_key, duty->record.seal_codec,
                                            duty->record.seal_key, push.feed_roots);
    if (!created) return refuse("cannot store the replica: " + created.err().describe());
    opened = std::move(created);
  }
  auto& r = *opened;
  auto before = r.tree(continued_length(*duty, r.tree().length(), push));
  if (!before) return refuse("cannot read the replica tree: " + before.err().describe());
  if (auto verdict = check_push(st.chain->chain, *duty, **unsealer, push, *before); !verdict.status) {
    st.ctx->say("hoster: refused blocks of " + to_hex(push.feed.bytes) + "/" + std::to_string(push.replica) + ": " +
                verdict.status.err().describe());
    if (verdict.evidence) dispute(self, *duty, *verdict.evidence);
    return refuse(verdict.status.err().describe());
  }
  // The first run of an extension: the replica is filled on towards the grown feed's roots (checked above).
  if (r.head().feed_roots != push.feed_roots)
    if (auto ok = r.grow(push.feed_roots); !ok) return refuse("cannot grow the replica: " + ok.err().describe());
  std::vector<bytes> sealed;
  std::vector<std::uint64_t> sizes;
  std::vector<std::vector<tree_node>> paths;
  for (const auto& b : push.blocks) {
    sealed.push_back(b.sealed);
    sizes.push_back(b.plain_bytes);
    paths.push_back(b.feed_path);
  }
  if (auto ok = r.append(push.first, sealed, sizes, paths, evidence_of(push)); !ok)
    return refuse("cannot store the blocks: " + ok.err().describe());
  commit_if_whole(self, *duty, r);
  return replica_ack{push.first + push.blocks.size()};
}

data_message serve(hoster_pointer self, const feed_blocks_request& req) {
  auto& st = self->state;
  if (!st.chain) return refuse("no finalized chain yet");
  const auto feed = st.chain->feeds.find(req.feed);
  if (feed == st.chain->feeds.end()) return refuse("unknown feed");
  for (std::uint32_t i = 0; i < feed->second.replicas.size(); ++i) {
    const auto& rec = feed->second.replicas[i];
    if (rec.hoster != st.ctx->me() || rec.state != replica_state::active) continue;
    auto r = st.conduct->replica_to_read(*st.store, *st.chain, st.ctx->me(), id_of(req.feed, i));
    if (!r) continue;
    // At the length the chain agreed unless asked for another this replica holds.
    const auto length = req.length != 0 ? req.length : rec.covers.length;
    auto roots = r->feed_roots(length);
    if (!roots) return refuse(roots.err().describe());
    feed_blocks out{std::move(*roots), {}};
    std::size_t budget = data_limits::message_bytes_max * 3 / 4;
    for (std::uint64_t n = req.first; n < req.first + req.count && n < length; ++n) {
      auto block = r->read(n, length);
      if (!block) return refuse("cannot read block " + std::to_string(n) + ": " + block.err().describe());
      const auto size = block->value.size() + block->nodes.size() * 48 + 32;
      if ((size > budget && !out.blocks.empty()) || out.blocks.size() == data_limits::blocks_per_message_max) break;
      budget -= std::min(budget, size);
      out.blocks.push_back(std::move(*block));
    }
    return out;
  }
  return refuse("this hoster keeps no active replica of that feed");
}

// An encoder extending a replica grows the replica tree the chain agreed on:
// it asks for its roots (and checks them against the chain's commitment).
data_message serve(hoster_pointer self, const replica_roots_request& req) {
  auto& st = self->state;
  if (!st.chain) return refuse("no finalized chain yet");
  const auto feed = st.chain->feeds.find(req.feed);
  if (feed == st.chain->feeds.end() || req.replica >= feed->second.replicas.size() ||
      feed->second.replicas[req.replica].hoster != st.ctx->me())
    return refuse("replica not hosted here");
  auto r = storage::replica::open(*st.store, id_of(req.feed, req.replica));
  if (!r) return refuse(r.err().describe());
  auto roots = r->roots(req.length);
  if (!roots) return refuse(roots.err().describe());
  return replica_roots{std::move(*roots)};
}

void answer_challenges(hoster_pointer self) {
  auto& st = self->state;
  for (const auto& d : st.answered.due(*st.chain, st.ctx->me())) {
    // Proved at the length the chain agreed, even while an extension fills the replica further.
    const auto length = d.replica.covers.length;
    auto r = st.conduct->replica_to_read(*st.store, *st.chain, st.ctx->me(), id_of(d.challenge.feed, d.challenge.replica));
    if (!r) {
      st.ctx->say("hoster: challenge " + std::to_string(d.id) + " for a replica not stored here: " + r.err().describe());
      continue;
    }
    auto proof = r->prove(d.challenge.index, length);
    auto feed_roots = r->feed_roots(length);
    if (!proof || !feed_roots) {
      st.ctx->say("hoster: cannot prove challenge " + std::to_string(d.id) + ": " +
                  (proof ? feed_roots.err() : proof.err()).describe());
      continue;
    }
    submit_logged(self, *st.ctx, submit_storage_proof{d.id, std::move(*proof), std::move(*feed_roots)},
                  "hoster: storage proof for challenge " + std::to_string(d.id));
  }
}

// Replicas the chain no longer gives this node (failed, retired by a reshuffle, re-assigned) are deleted.
void drop_released(hoster_pointer self) {
  auto& st = self->state;
  auto stored = st.store->list();
  if (!stored) return;
  for (const auto& id : *stored) {
    const auto feed = st.chain->feeds.find(feed_key{id.feed});
    const bool mine = feed != st.chain->feeds.end() && id.slot < feed->second.replicas.size() &&
                      feed->second.replicas[id.slot].hoster == st.ctx->me() &&
                      is_live(feed->second.replicas[id.slot]);
    if (mine) continue;
    if (auto ok = st.store->erase(id); !ok) st.ctx->say("hoster: cannot drop a released replica: " + ok.err().describe());
  }
}

// The encoder submitted a root other than the whole replica's commitment it
// signed: the hoster shows that on chain, once, within its answer window.
void dispute_root(hoster_pointer self, const replica_duty& duty) {
  auto& st = self->state;
  const std::pair replica{duty.key, duty.replica};
  if (!duty.encoder_root) return;
  // Kept with the replica's blocks, so it outlives a restart of this hoster.
  const auto kept = st.store->evidence(id_of(duty.key, duty.replica));
  if (!kept) st.ctx->say("hoster: cannot read the replica's evidence: " + kept.err().describe());
  if (!kept || !*kept || (*kept)->commitment.length != duty.feed.length || (*kept)->commitment == *duty.encoder_root ||
      !st.disputing.insert(replica).second)
    return;
  const auto about = to_hex(duty.key.bytes) + "/" + std::to_string(duty.replica);
  auto dispute = make_root_dispute(st.chain->chain, duty, **kept);
  if (!dispute) {
    st.ctx->say("hoster: root dispute of " + about + ": " + dispute.err().describe());
    return;
  }
  submit_logged(self, *st.ctx, call{std::move(*dispute)}, "hoster: root dispute of " + about,
                [self, replica](bool accepted) {
                  if (!accepted) self->state.disputing.erase(replica);
                });
}

// The encoder's root is on chain but this hoster never got the whole replica
// (an honest encoder submits its root only after the last run was taken):
// it reports the sealing withheld, once, within its answer window, rather
// than be named for a root it cannot make. A dispute under way goes first.
void report_withheld(hoster_pointer self, const replica_duty& duty, std::uint64_t held) {
  auto& st = self->state;
  const std::pair replica{duty.key, duty.replica};
  if (st.disputing.contains(replica)) return;
  const auto report = withheld_report(duty, held);
  if (!report) return;
  st.disputing.insert(replica);
  const auto about = to_hex(duty.key.bytes) + "/" + std::to_string(duty.replica);
  submit_logged(self, *st.ctx, call{*report},
                "hoster: sealing of " + about + " withheld after " + std::to_string(held) + " blocks",
                [self, replica](bool accepted) {
                  if (!accepted) self->state.disputing.erase(replica);
                });
}

void on_final(hoster_pointer self, const finalized_view& view) {
  auto& st = self->state;
  st.chain = view.state;
  answer_challenges(self);
  drop_released(self);
  st.conduct->after_final(*st.store, *st.chain, st.ctx->me());
  if (st.stored_bytes) {
    if (auto total = st.store->sealed_bytes()) st.stored_bytes->Set(static_cast<double>(*total));
  }
  const auto duties = intake_duties(st.chain, st.ctx->me());
  const auto released = [&](const std::pair<feed_key, std::uint32_t>& replica) {
    return std::none_of(duties.begin(), duties.end(),
                        [&](const replica_duty& d) { return d.key == replica.first && d.replica == replica.second; });
  };
  std::erase_if(st.disputing, released);
  std::erase_if(st.rooted, [&](const auto& entry) { return released(entry.first); });
  // A whole replica whose root is not on chain yet and not in this node's pool (after a restart, or a refusal) is
  // committed again. Submitting it again while it waits for finality would pool it twice: the copy that no longer
  // applies holds back this node's later calls, a storage proof among them, until the pool renumbers them.
  for (const auto& d : duties) {
    dispute_root(self, d);
    if (d.hoster_root) continue;
    const auto r = storage::replica::open(*st.store, id_of(d.key, d.replica));
    report_withheld(self, d, r ? r->tree().length() : 0);
    if (r) commit_if_whole(self, d, *r);
  }
}

hoster_actor::behavior_type hoster_impl(hoster_pointer self, role_context ctx, storage::replica_store store,
                                        prometheus::Gauge* stored_bytes, std::shared_ptr<hoster_conduct> conduct) {
  self->state.ctx.emplace(std::move(ctx));
  self->state.store.emplace(std::move(store));
  self->state.stored_bytes = stored_bytes;
  self->state.conduct = conduct ? std::move(conduct) : std::make_shared<hoster_conduct>();
  self->send(self->state.ctx->chain, chain_watch_atom_v, caf::actor_cast<chain_watcher>(self));
  return instrument(self, self->state.ctx->probe, hoster_actor::behavior_type{
      [=](data_ask_atom, const node_id& from, const data_message& m) -> data_message {
        if (const auto* push = std::get_if<replica_push>(&m)) return intake(self, from, *push);
        if (const auto* req = std::get_if<feed_blocks_request>(&m)) return serve(self, *req);
        if (const auto* req = std::get_if<replica_roots_request>(&m)) return serve(self, *req);
        return refuse("a hoster serves blocks and replica roots and takes replica pushes only");
      },
      [=](chain_final_atom, const finalized_view& view) { on_final(self, view); },
  });
}

}  // namespace

result<hoster_actor> spawn_hoster(caf::actor_system& sys, role_context ctx, storage::environment& env,
                                  prometheus::Gauge* stored_bytes, std::shared_ptr<hoster_conduct> conduct) {
  DATDOT_TRY(store, storage::replica_store::open(env));
  return sys.spawn(hoster_impl, std::move(ctx), std::move(store), stored_bytes, std::move(conduct));
}

}  // namespace datdot

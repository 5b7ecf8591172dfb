#include "protocol/chain/validator.hpp"

#include "protocol/chain/apply_extrinsic.hpp"
#include "protocol/chain/candidate_order.hpp"
#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/invariant.hpp"
#include "protocol/chain/epoch_transition.hpp"
#include "protocol/chain/leader.hpp"

namespace datdot {

validator::validator(const trusted_root& root, const key_pair& me, finality_timing timing, effects& out)
    : chain_(root.state->chain), me_(me), tree_(root), voter_(root.state->chain, me, timing, tree_, out),
      finalized_seen_(root.hash) {}

effects validator::on_slot(slot_number now) {
  effects out;
  if (now <= now_) return out;
  now_ = now;
  while (!future_.empty() && future_.begin()->first <= now_) {
    auto b = std::move(future_.begin()->second);
    future_.erase(future_.begin());
    accept_block(std::move(b), out);
  }
  tend_own_calls(out);
  produce(out);
  if (voter_.round() != watched_round_) {
    watched_round_ = voter_.round();
    watched_since_ = now_;
  } else if (now_.value - watched_since_.value >= chain_limits::rebroadcast_after_slots) {
    voter_.rebroadcast(out);
    watched_since_ = now_;
  }
  settle(out);
  return out;
}

effects validator::on_block(block b) {
  effects out;
  accept_block(std::move(b), out);
  settle(out);
  return out;
}

bool validator::knows(const block_header& h) const {
  return h.number <= tree_.finalized().number || tree_.contains(hash_of(h));
}

// Blocks of proofs are tens of kilobytes and every node takes each: moved, not copied.
void validator::accept_block(block b, effects& out) {
  const auto& h = b.header.header;
  if (knows(h)) return;
  if (h.slot > now_) {
    if (h.slot.value > now_.value + chain_limits::future_slots_window || future_.size() >= chain_limits::future_blocks_max)
      out.push_back(input_rejected{chain_errc::oversize, "block too far in the future"});
    else
      future_.emplace(h.slot, std::move(b));
    return;
  }
  if (!verify_seal(b.header, chain_)) {
    out.push_back(input_rejected{chain_errc::bad_signature, "header seal"});
    return;
  }
  // Two sealed headers from one author for one slot: report it once.
  const auto key = std::pair{h.author, h.slot};
  if (const auto seen = seen_headers_.find(key); seen != seen_headers_.end()) {
    if (seen->second != b.header) report(h.author, report_equivocation{seen->second, b.header}, out);
  } else if (seen_headers_.size() < chain_limits::unfinalized_blocks_max &&
             validators_for_slot(tree_.best().state(), h.slot).contains(h.author)) {
    // Only validators' headers are remembered: others cannot fill the table.
    seen_headers_.emplace(key, b.header);
  }
  if (const auto parent = h.parent; !tree_.contains(parent)) {
    if (orphans_.size() < chain_limits::orphan_blocks_max) orphans_.emplace(parent, std::move(b));
    out.push_back(request_blocks{parent});
    return;
  }
  import_with_orphans(std::move(b), out);
}

void validator::import_with_orphans(block first, effects& out, std::optional<applied_block> built) {
  std::vector<block> work;
  work.push_back(std::move(first));
  while (!work.empty()) {
    auto b = std::move(work.back());
    work.pop_back();
    // Only the first is the leader's own: the orphans waiting on it come from others.
    auto imported = built ? tree_.import_built(b, *std::move(built)) : tree_.import(b);
    built.reset();
    if (!imported) {
      out.push_back(input_rejected{imported.err().code, imported.err().detail});
      continue;
    }
    const auto hash = hash_of(b);
    const bool foreign = b.header.header.author != id();
    for (auto [it, end] = orphans_.equal_range(hash); it != end;) {
      work.push_back(std::move(it->second));
      it = orphans_.erase(it);
    }
    out.push_back(block_imported{std::move(b), hash, std::move(imported->events), std::move(imported->tx_hashes)});
    // Own blocks go out as gossip_block (see produce); others' are relayed once
    // imported, however they arrived (directly, from the future queue, as an
    // orphan's parent or by sync).
    if (foreign) out.push_back(relay_block{hash});
  }
  voter_.on_block_imported(tree_, out);
}

void validator::produce(effects& out) {
  const auto& parent = tree_.best();
  if (now_ <= parent.slot) return;
  const auto set = validators_for_slot(parent.state(), now_);
  if (leader_of(set, now_) != id()) return;
  std::vector<const extrinsic*> pooled;
  pooled.reserve(pool_.size());
  for (const auto& [key, entry] : pool_) pooled.push_back(&entry.x);
  std::vector<extrinsic> candidates;
  for (const auto* x : order_candidates(parent.state(), pooled)) {
    if (candidates.size() == chain_limits::block_extrinsics_max) break;
    candidates.push_back(*x);
  }
  auto built = build_block(parent.state(), parent.hash, now_, me_, candidates);
  DATDOT_INVARIANT(built.has_value());  // slot and leader were checked above
  for (const auto& [index, error] : built->rejected) {
    const auto& x = candidates[index];
    const auto account = built->applied.state.accounts.find(x.signer);
    const bool later = error.code == chain_errc::wrong_nonce && account != built->applied.state.accounts.end() &&
                       x.nonce > account->second.nonce;
    if (later) continue;
    pool_erase(pool_.find({x.signer, x.nonce}));
  }
  // Imported (and so stored) before it is gossiped: see restore_clock.
  const auto b = built->b;
  import_with_orphans(b, out, std::move(built->applied));
  out.push_back(gossip_block{b});
}

bool validator::pool_has_room(std::size_t bytes, const pooled_call* replaced) const {
  const std::size_t freed = replaced ? replaced->bytes : 0;
  return (replaced || pool_.size() < chain_limits::transaction_pool_max) &&
         pool_bytes_ - freed + bytes <= chain_limits::transaction_pool_bytes_max;
}

void validator::pool_add(extrinsic x, std::size_t bytes) {
  pool_bytes_ += bytes;
  const auto key = std::pair{x.signer, x.nonce};
  pool_.emplace(key, pooled_call{std::move(x), bytes, now_});
}

validator::pool_map::iterator validator::pool_erase(pool_map::iterator entry) {
  pool_bytes_ -= entry->second.bytes;
  return pool_.erase(entry);
}

// This node's own calls still waiting in the pool are tended every few
// slots. Gossip reaches only the peers connected at that moment (a node that
// just started may have none yet), so they go out again. And a call that can
// no longer apply (a root for a replica re-assigned meanwhile, a proof after
// its challenge closed) would hold every later own call back for good, since
// leaders drop it but its nonce stays taken here: the waiting calls are
// replayed on a copy of the best state, those that fail are dropped, and the
// rest are signed again from the next free nonce.
void validator::tend_own_calls(effects& out) {
  if (now_.value % chain_limits::own_calls_regossip_slots != 0) return;
  const auto& best = tree_.best().state();
  const auto account = best.accounts.find(id());
  const std::uint64_t next = account == best.accounts.end() ? 0 : account->second.nonce;
  const auto first = pool_.lower_bound({id(), next});
  if (first == pool_.end() || first->first.first != id()) return;
  auto replay = best;
  std::vector<chain_event> ignored;
  std::vector<call> still;
  bool renumber = first->first.second != next;
  for (auto it = first; it != pool_.end() && it->first.first == id(); ++it) {
    const auto at = replay.accounts.contains(id()) ? replay.accounts.at(id()).nonce : 0;
    if (apply_extrinsic(replay, make_extrinsic(chain_, me_, at, it->second.x.body), ignored))
      still.push_back(it->second.x.body);
    else
      renumber = true;
  }
  if (!renumber) {
    for (auto it = first; it != pool_.end() && it->first.first == id(); ++it)
      out.push_back(gossip_transaction{it->second.x});
    return;
  }
  for (auto it = first; it != pool_.end() && it->first.first == id();) it = pool_erase(it);
  for (auto& c : still) add_own(std::move(c), out);
}

bool validator::add_own(call c, effects& out) {
  const auto& state = tree_.best().state();
  const auto account = state.accounts.find(id());
  // A node without an account yet signs nonce 0: its first registration opens one.
  std::uint64_t nonce = account == state.accounts.end() ? 0 : account->second.nonce;
  for (auto it = pool_.lower_bound({id(), nonce}); it != pool_.end() && it->first.first == id(); ++it)
    nonce = it->first.second + 1;
  auto x = make_extrinsic(chain_, me_, nonce, std::move(c));
  const auto bytes = encode_extrinsic(x).size();
  if (!pool_has_room(bytes)) return false;
  pool_add(x, bytes);
  out.push_back(gossip_transaction{std::move(x)});
  return true;
}

effects validator::on_own_call(call c) {
  effects out;
  if (!add_own(std::move(c), out)) out.push_back(input_rejected{chain_errc::oversize, "transaction pool full"});
  return out;
}

template <class Input>
effects validator::to_voter(void (finality_voter::*handle)(const Input&, block_tree&, effects&), const Input& in) {
  effects out;
  (voter_.*handle)(in, tree_, out);
  settle(out);
  return out;
}

effects validator::on_vote(const signed_vote& v) { return to_voter(&finality_voter::on_vote, v); }
effects validator::on_commit(const justification& j) { return to_voter(&finality_voter::on_commit, j); }
effects validator::on_catch_up(const catch_up& c) { return to_voter(&finality_voter::on_catch_up, c); }
effects validator::on_timeout(const finality_timer& t) { return to_voter(&finality_voter::on_timeout, t); }

chain_status validator::dry_run(const extrinsic& x) const {
  auto s = tree_.best().state();
  std::vector<chain_event> ignored;
  auto applied = apply_extrinsic(s, x, ignored);
  if (!applied && applied.err().code == chain_errc::wrong_nonce) {
    const auto account = s.accounts.find(x.signer);
    if (account != s.accounts.end() && x.nonce > account->second.nonce) return chain_ok();
  }
  return applied;
}

effects validator::on_transaction(const extrinsic& x) {
  effects out;
  const auto& state = tree_.best().state();
  const auto account = state.accounts.find(x.signer);
  const std::uint64_t next = account == state.accounts.end() ? 0 : account->second.nonce;
  if (x.nonce < next) return out;
  // Another call under a pooled call's nonce replaces it once that one has
  // waited a whole re-gossip period: by then its signer, finding it no longer
  // applies, has signed its next call with that nonce (tend_own_calls), and
  // a node keeping the stale one would never pass the new one on. Younger
  // entries are kept, so a signer cannot make the network churn a nonce.
  const auto pooled = pool_.find({x.signer, x.nonce});
  const bool replaces = pooled != pool_.end() && !(pooled->second.x == x) &&
                        now_.value >= pooled->second.since.value + chain_limits::own_calls_regossip_slots;
  if (pooled != pool_.end() && !replaces) return out;
  const auto bytes = signed_payload(x).size() + x.sig.size();
  if (!pool_has_room(bytes, replaces ? &pooled->second : nullptr)) {
    out.push_back(input_rejected{chain_errc::oversize, "transaction pool full"});
    return out;
  }
  if (bytes > extrinsic_bytes_max_of(x.body)) {
    out.push_back(input_rejected{chain_errc::oversize, "extrinsic too large"});
    return out;
  }
  if (!verify_extrinsic_signature(x, chain_)) {
    out.push_back(input_rejected{chain_errc::bad_signature, "extrinsic signature"});
    return out;
  }
  if (replaces) pool_erase(pooled);
  pool_add(x, bytes);
  out.push_back(gossip_transaction{x});
  return out;
}

void validator::report(const account_id& offender, call evidence, effects& out) {
  // One offence is enough to remove the offender at the next epoch boundary:
  // report each offender once, unless the chain already has it on record.
  if (tree_.best().state().offences.contains(offender) || offenders_reported_.size() >= chain_limits::validators_max ||
      !offenders_reported_.insert(offender).second)
    return;
  add_own(std::move(evidence), out);
}

void validator::settle(effects& out) {
  for (auto& [first, second] : voter_.take_double_votes())
    report(first.body.voter, report_double_vote{first, second}, out);
  if (tree_.finalized().hash == finalized_seen_) return;
  finalized_seen_ = tree_.finalized().hash;
  const auto& final_state = tree_.finalized().state();
  std::erase_if(seen_headers_, [&](const auto& e) { return e.first.second <= final_state.slot; });
  std::erase_if(offenders_reported_, [&](const auto& a) { return final_state.offences.contains(a); });
  std::erase_if(orphans_, [&](const auto& e) { return e.second.header.header.number <= final_state.number; });
  for (auto it = pool_.begin(); it != pool_.end();) {
    const auto account = final_state.accounts.find(it->first.first);
    const bool done = account != final_state.accounts.end() && it->first.second < account->second.nonce;
    it = done ? pool_erase(it) : std::next(it);
  }
}

}  // namespace datdot

#include "protocol/chain/finality_voter.hpp"

#include <algorithm>

#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/invariant.hpp"

namespace datdot {

struct finality_voter::tally {
  struct support {
    block_number number;
    std::size_t votes = 0;  // non-equivocating votes at or above the block
  };
  std::map<block_hash, support> weight;
  std::size_t seen = 0;                      // voters counted (equivocators included)
  std::size_t equivocators = 0;
};

finality_voter::finality_voter(const chain_id& chain, const key_pair& me, finality_timing timing,
                               const block_tree& tree, effects& out)
    : chain_(chain), me_(me), timing_(timing) {
  reset_set(tree, out);
}

void finality_voter::reset_set(const block_tree& tree, effects& out) {
  voters_ = tree.finalized().state().validators;
  base_ = tree.finalized().hash;
  rounds_.clear();
  catch_up_sent_.clear();
  start_round(round_number{1}, out);
}

void finality_voter::start_round(round_number r, effects& out) {
  round_ = r;
  rounds_[r];
  while (!rounds_.empty() && rounds_.begin()->first.value + 1 < r.value) rounds_.erase(rounds_.begin());
  std::erase_if(pledged_, [&](const auto& e) {
    const auto& [set, round, kind] = e.first;
    return set < voters_.id || (set == voters_.id && round.value + 1 < r.value);
  });
  out.push_back(start_timer{finality_timer{voters_.id, r, vote_kind::prevote}, timing_.prevote_delay_ms});
  out.push_back(start_timer{finality_timer{voters_.id, r, vote_kind::precommit}, timing_.precommit_delay_ms});
}

finality_voter::tally finality_voter::count(const round_state& r, vote_kind kind, const block_tree& tree) const {
  const auto& votes = kind == vote_kind::prevote ? r.prevotes : r.precommits;
  const auto& equivocators = kind == vote_kind::prevote ? r.prevote_equivocators : r.precommit_equivocators;
  tally t;
  t.equivocators = t.seen = equivocators.size();
  for (const auto& [voter, sv] : votes) {
    if (equivocators.contains(voter) || !tree.descends_from(sv.body.target, base_)) continue;
    ++t.seen;
    for (auto h = sv.body.target;; h = tree.find(h)->parent) {
      auto& s = t.weight[h];
      s.number = tree.find(h)->number;
      ++s.votes;
      if (h == base_) break;
    }
  }
  return t;
}

std::optional<block_hash> finality_voter::ghost(const tally& t) const {
  const auto threshold = supermajority(voters_.members.size());
  if (t.seen < threshold) return std::nullopt;
  // Blocks with a supermajority form one chain (f < n/3); take its highest.
  std::optional<block_hash> best;
  block_number best_number;
  for (const auto& [hash, s] : t.weight)
    if (s.votes + t.equivocators >= threshold && (!best || s.number > best_number)) {
      best = hash;
      best_number = s.number;
    }
  return best;
}

bool finality_voter::possible(const tally& t, const block_hash& b) const {
  const auto it = t.weight.find(b);
  const std::size_t w = (it == t.weight.end() ? 0 : it->second.votes) + t.equivocators;
  return w + (voters_.members.size() - t.seen) >= supermajority(voters_.members.size());
}

std::optional<block_hash> finality_voter::estimate(const round_state& r, const block_tree& tree) const {
  const auto g = ghost(count(r, vote_kind::prevote, tree));
  if (!g) return std::nullopt;
  const auto precommits = count(r, vote_kind::precommit, tree);
  for (auto h = *g;; h = tree.find(h)->parent)
    if (h == base_ || possible(precommits, h)) return h;
}

bool finality_voter::completable(const round_state& r, const block_tree& tree) const {
  const auto g = ghost(count(r, vote_kind::prevote, tree));
  if (!g) return false;
  const auto precommits = count(r, vote_kind::precommit, tree);
  if (precommits.seen < supermajority(voters_.members.size())) return false;
  if (estimate(r, tree) != g) return true;
  for (const auto& child : tree.children_of(*g))
    if (possible(precommits, child)) return false;
  return true;
}

block_hash finality_voter::previous_estimate(const block_tree& tree) const {
  const auto previous = rounds_.find(round_number{round_.value - 1});
  if (previous == rounds_.end()) return base_;
  const auto e = estimate(previous->second, tree);
  return e && tree.descends_from(*e, base_) ? *e : base_;
}

block_hash finality_voter::prevote_target(const block_tree& tree) const {
  const auto estimate = previous_estimate(tree);
  const auto head = tree.best_descendant(estimate);
  // Never past the first block that enacts another set: the boundary block.
  auto target = head;
  for (auto h = head; h != base_; h = tree.find(h)->parent)
    if (tree.find(h)->state().validators.id != voters_.id) target = h;
  return tree.descends_from(target, estimate) ? target : estimate;
}

void finality_voter::cast(vote_kind kind, const block_hash& target, const block_tree& tree, effects& out) {
  const auto pledged = pledged_.find({voters_.id, round_, kind});
  const auto sv = pledged != pledged_.end()
                      ? pledged->second
                      : sign_vote(vote{kind, voters_.id, round_, target, tree.find(target)->number, account_id{me_.pk}},
                                  chain_, me_.sk);
  record(sv);
  auto& r = rounds_.at(round_);
  (kind == vote_kind::prevote ? r.prevoted : r.precommitted) = true;
  out.push_back(gossip_vote{sv});
}

void finality_voter::pledge(const signed_vote& own) {
  if (own.body.voter != account_id{me_.pk}) return;
  pledged_.insert_or_assign({own.body.set, own.body.round, own.body.kind}, own);
}

void finality_voter::record(const signed_vote& sv) {
  auto& r = rounds_[sv.body.round];
  const bool prevote = sv.body.kind == vote_kind::prevote;
  auto& votes = prevote ? r.prevotes : r.precommits;
  auto& equivocators = prevote ? r.prevote_equivocators : r.precommit_equivocators;
  const auto [it, inserted] = votes.emplace(sv.body.voter, sv);
  if (inserted && !prevote) r.precommit_target_max = std::max(r.precommit_target_max, sv.body.target_number);
  if (inserted || it->second == sv) return;
  if (equivocators.emplace(sv.body.voter, sv).second) double_votes_.emplace_back(it->second, sv);
}

void finality_voter::on_vote(const signed_vote& sv, block_tree& tree, effects& out) {
  if (!accept(sv, tree, out)) return;
  // Before the votes it may cause: relayed as it came, whatever it leads to here.
  out.push_back(relay_vote{sv});
  step(tree, out);
}

bool finality_voter::accept(const signed_vote& sv, const block_tree& tree, effects& out) {
  const auto& v = sv.body;
  if (v.set != voters_.id) {
    // A voter still in the previous set needs the commit that ended it.
    if (v.set.value + 1 == voters_.id.value && set_change_) out.push_back(send_commit{v.voter, *set_change_});
    return false;
  }
  if (!voters_.contains(v.voter)) {
    out.push_back(input_rejected{chain_errc::not_a_voter, "vote by a non-member"});
    return false;
  }
  if (v.round.value + 1 < round_.value) {
    const auto previous = rounds_.find(round_number{round_.value - 1});
    auto& sent = catch_up_sent_[v.voter];
    if (previous != rounds_.end() && sent < round_) {
      sent = round_;
      catch_up c{voters_.id, previous->first, {}, {}};
      for (const auto& [voter, p] : previous->second.prevotes) c.prevotes.push_back(p);
      for (const auto& [voter, p] : previous->second.precommits) c.precommits.push_back(p);
      out.push_back(send_catch_up{v.voter, std::move(c)});
    }
    return false;
  }
  if (v.round.value > round_.value + chain_limits::future_rounds_window) return false;
  if (const auto r = rounds_.find(v.round); r != rounds_.end()) {
    const auto& votes = v.kind == vote_kind::prevote ? r->second.prevotes : r->second.precommits;
    if (const auto known = votes.find(v.voter); known != votes.end() && known->second == sv) return false;
  }
  if (!verify_vote(sv, chain_)) {
    out.push_back(input_rejected{chain_errc::bad_signature, "vote signature"});
    return false;
  }
  record(sv);
  if (!tree.contains(v.target) && v.target_number > tree.finalized().number) out.push_back(request_blocks{v.target});
  return true;
}

void finality_voter::on_timeout(const finality_timer& t, block_tree& tree, effects& out) {
  if (t.set != voters_.id) return;
  const auto it = rounds_.find(t.round);
  if (it == rounds_.end()) return;
  (t.phase == vote_kind::prevote ? it->second.prevote_timer_fired : it->second.precommit_timer_fired) = true;
  step(tree, out);
}

void finality_voter::on_catch_up(const catch_up& c, block_tree& tree, effects& out) {
  if (c.set != voters_.id || c.round < round_) return;
  if (c.prevotes.size() > voters_.members.size() || c.precommits.size() > voters_.members.size()) {
    out.push_back(input_rejected{chain_errc::oversize, "catch-up larger than the set"});
    return;
  }
  round_state r;
  for (const auto* list : {&c.prevotes, &c.precommits})
    for (const auto& sv : *list) {
      const auto& v = sv.body;
      const auto kind = list == &c.prevotes ? vote_kind::prevote : vote_kind::precommit;
      if (v.kind != kind || v.round != c.round || v.set != c.set || !voters_.contains(v.voter) ||
          !verify_vote(sv, chain_)) {
        out.push_back(input_rejected{chain_errc::bad_signature, "catch-up vote"});
        return;
      }
      const bool inserted = (kind == vote_kind::prevote ? r.prevotes : r.precommits).emplace(v.voter, sv).second;
      if (inserted && kind == vote_kind::precommit) r.precommit_target_max = std::max(r.precommit_target_max, v.target_number);
      if (!tree.contains(v.target) && v.target_number > tree.finalized().number)
        out.push_back(request_blocks{v.target});
    }
  if (!completable(r, tree)) return;  // blocks may still be missing; a later catch-up will do
  rounds_.clear();
  rounds_.emplace(c.round, std::move(r));
  start_round(round_number{c.round.value + 1}, out);
  step(tree, out);
}

void finality_voter::on_commit(const justification& j, block_tree& tree, effects& out) {
  if (j.target_number <= tree.finalized().number) return;
  if (!tree.contains(j.target)) {
    out.push_back(request_blocks{j.target});
    return;
  }
  // A commit of a round we track is just its precommits: each is checked once
  // (most arrived already as votes) and our own tally decides.
  if (j.round.value + 1 >= round_.value && j.round.value <= round_.value + chain_limits::future_rounds_window &&
      j.precommits.size() <= voters_.members.size()) {
    for (const auto& sv : j.precommits)
      if (sv.body.kind == vote_kind::precommit && sv.body.round == j.round) accept(sv, tree, out);
    step(tree, out);
    if (j.target_number <= tree.finalized().number) {
      // A voter announced its own commit in step; anyone else passes this one on.
      if (!voters_.contains(account_id{me_.pk})) out.push_back(relay_commit{j});
      return;
    }
  }
  if (auto ok = verify_justification(chain_, voters_, j); !ok) {
    out.push_back(input_rejected{ok.err().code, "commit: " + ok.err().detail});
    return;
  }
  if (!tree.descends_from(j.target, base_)) {
    // Two conflicting justified blocks: only possible with >= n/3 Byzantine voters.
    out.push_back(input_rejected{chain_errc::wrong_chain, "commit conflicts with finality"});
    return;
  }
  apply_finality(j, tree, out);
  out.push_back(relay_commit{j});
  step(tree, out);
}

void finality_voter::on_block_imported(block_tree& tree, effects& out) { step(tree, out); }

void finality_voter::rebroadcast(effects& out) const {
  // The previous round too: a voter still in it may miss just one of our votes.
  const account_id me{me_.pk};
  for (const auto& [number, r] : rounds_) {
    if (number > round_) break;
    for (const auto* votes : {&r.prevotes, &r.precommits})
      if (auto v = votes->find(me); v != votes->end()) out.push_back(gossip_vote{v->second});
  }
}

std::vector<std::pair<signed_vote, signed_vote>> finality_voter::take_double_votes() {
  return std::exchange(double_votes_, {});
}

std::optional<justification> finality_voter::justify(const block_hash& target, round_number round,
                                                     const round_state& r, const block_tree& tree) const {
  justification j{round, target, tree.find(target)->number, {}, {}};
  std::set<block_hash> linked;
  for (const auto& [voter, first] : r.precommits) {
    const auto* chosen = &first;
    if (!tree.descends_from(first.body.target, target)) {
      const auto other = r.precommit_equivocators.find(voter);
      if (other == r.precommit_equivocators.end() || !tree.descends_from(other->second.body.target, target)) continue;
      chosen = &other->second;
    }
    const auto& sv = *chosen;
    j.precommits.push_back(sv);
    for (auto h = sv.body.target; h != target; h = tree.find(h)->parent)
      if (linked.insert(h).second) j.ancestry.push_back(tree.find(h)->header);
  }
  if (j.precommits.size() < supermajority(voters_.members.size()) ||
      j.ancestry.size() > chain_limits::justification_ancestry_max)
    return std::nullopt;
  return j;
}

bool finality_voter::try_finalize(block_tree& tree, effects& out) {
  for (const auto& [number, r] : rounds_) {
    // The tally's blocks lie on the paths down from the precommits' targets,
    // and it counts each voter once: a round with fewer precommits than a
    // supermajority, or with none above the finalized block, has nothing to
    // finalize, and most calls (a node's every import and commit) meet only
    // such rounds. Skipping them spares building their tallies.
    if (r.precommits.size() < supermajority(voters_.members.size()) ||
        r.precommit_target_max <= tree.finalized().number)
      continue;
    const auto g = ghost(count(r, vote_kind::precommit, tree));
    if (!g || tree.find(*g)->number <= tree.finalized().number) continue;
    auto j = justify(*g, number, r, tree);
    if (!j) continue;
    // Only voters announce what their tally finalized: a follower's commit
    // would repeat theirs, and commits are what followers learn finality from.
    if (voters_.contains(account_id{me_.pk})) out.push_back(gossip_commit{*j});
    apply_finality(*j, tree, out);
    return true;
  }
  return false;
}

void finality_voter::apply_finality(const justification& j, block_tree& tree, effects& out) {
  tree.finalize(j.target);
  base_ = j.target;
  out.push_back(block_finalized{j.target, j.target_number, j});
  if (tree.finalized().state().validators.id != voters_.id) {
    set_change_ = j;
    reset_set(tree, out);
  }
}

std::optional<round_number> finality_voter::completable_round_ahead(const block_tree& tree) const {
  for (auto it = rounds_.rbegin(); it != rounds_.rend() && it->first > round_; ++it)
    if (completable(it->second, tree)) return it->first;
  return std::nullopt;
}

void finality_voter::step(block_tree& tree, effects& out) {
  const account_id me{me_.pk};
  // Each pass either changes something or stops; a pass can at most finalize,
  // jump rounds, prevote, precommit or advance once, so the bound is generous.
  for (std::size_t pass = 0; pass < 4 * chain_limits::future_rounds_window + 8; ++pass) {
    bool changed = try_finalize(tree, out);
    if (!changed)
      if (const auto ahead = completable_round_ahead(tree)) {
        start_round(round_number{ahead->value + 1}, out);
        changed = true;
      }
    const bool voter = voters_.contains(me);
    auto& r = rounds_.at(round_);
    // With nothing above the last finalized block, a timer alone does not
    // start a round's voting: rounds follow new blocks instead of spinning.
    if (voter && !r.prevoted &&
        (completable(r, tree) || (r.prevote_timer_fired && prevote_target(tree) != base_))) {
      cast(vote_kind::prevote, prevote_target(tree), tree, out);
      changed = true;
    }
    if (voter && r.prevoted && !r.precommitted && (r.precommit_timer_fired || completable(r, tree))) {
      const auto g = ghost(count(r, vote_kind::prevote, tree));
      if (g && tree.descends_from(*g, previous_estimate(tree))) {
        cast(vote_kind::precommit, *g, tree, out);
        changed = true;
      }
    }
    if (completable(r, tree) && (!voter || (r.prevoted && (r.precommitted || r.precommit_timer_fired)))) {
      start_round(round_number{round_.value + 1}, out);
      changed = true;
    }
    if (!changed) return;
  }
}

}  // namespace datdot

// The finality gadget (GRANDPA's round structure, one validator's view). Each
// round r: prevote the best chain containing the previous round's estimate;
// precommit the prevote-GHOST (the highest block with > 2/3 prevotes, counting
// a vote for a block as a vote for its ancestors; equivocators count for
// every block); a block with > 2/3 precommits in one round is final with its
// ancestors. A round is left once it is completable (nothing above its
// estimate can still be finalized in it). Safe with f < n/3 Byzantine voters;
// live with > 2/3 online and timers longer than message delays.
//
// Set changes: the voters are the validators in the last finalized block's
// state. They vote no further than the first block enacting another set (the
// boundary block); once that is final, its set votes from round 1.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "crypto/keys.hpp"
#include "protocol/chain/block_tree.hpp"
#include "protocol/chain/validator_effect.hpp"

namespace datdot {

struct finality_timing {
  std::uint64_t prevote_delay_ms = 0;    // from round start
  std::uint64_t precommit_delay_ms = 0;  // from round start
};

class finality_voter {
 public:
  finality_voter(const chain_id& chain, const key_pair& me, finality_timing timing, const block_tree& tree,
                 effects& out);

  const validator_set& voters() const { return voters_; }
  round_number round() const { return round_; }

  // Inputs; each re-runs the round logic. A set change or new finality is
  // applied to the tree here.
  void on_vote(const signed_vote& v, block_tree& tree, effects& out);
  void on_timeout(const finality_timer& t, block_tree& tree, effects& out);
  void on_catch_up(const catch_up& c, block_tree& tree, effects& out);
  void on_commit(const justification& j, block_tree& tree, effects& out);
  void on_block_imported(block_tree& tree, effects& out);
  // Sends this voter's votes of the previous and current round again (lost
  // messages, voters that were away).
  void rebroadcast(effects& out) const;

  // A vote this voter signed before a restart (from durable storage): in its
  // set, round and kind it is cast again as it was, never replaced by another,
  // so a crash between signing and finality cannot make an honest voter
  // equivocate. Votes of other voters are ignored.
  void pledge(const signed_vote& own);

  // Double votes seen, each once, for the validator to report on chain.
  std::vector<std::pair<signed_vote, signed_vote>> take_double_votes();

 private:
  struct round_state {
    std::map<account_id, signed_vote> prevotes;
    std::map<account_id, signed_vote> precommits;
    // Equivocators, each with its second vote of the kind: a justification may
    // carry the second precommit when the first does not support the target
    // (an equivocator counts for every block).
    std::map<account_id, signed_vote> prevote_equivocators;
    std::map<account_id, signed_vote> precommit_equivocators;
    block_number precommit_target_max;  // over `precommits`: what the round could finalize at most
    bool prevoted = false;
    bool precommitted = false;
    bool prevote_timer_fired = false;
    bool precommit_timer_fired = false;
  };
  struct tally;

  tally count(const round_state& r, vote_kind kind, const block_tree& tree) const;
  std::optional<block_hash> ghost(const tally& t) const;
  bool possible(const tally& t, const block_hash& b) const;
  std::optional<block_hash> estimate(const round_state& r, const block_tree& tree) const;
  bool completable(const round_state& r, const block_tree& tree) const;
  block_hash previous_estimate(const block_tree& tree) const;
  // The highest round ahead of ours that our votes already show complete.
  std::optional<round_number> completable_round_ahead(const block_tree& tree) const;
  block_hash prevote_target(const block_tree& tree) const;

  void reset_set(const block_tree& tree, effects& out);
  void start_round(round_number r, effects& out);
  void cast(vote_kind kind, const block_hash& target, const block_tree& tree, effects& out);
  // Checks a vote from outside and records it; true when it is new.
  bool accept(const signed_vote& v, const block_tree& tree, effects& out);
  // Adds a verified vote; records a double vote.
  void record(const signed_vote& v);
  void step(block_tree& tree, effects& out);
  bool try_finalize(block_tree& tree, effects& out);
  // The precommits of `r` for `target` or above, with linking headers; none
  // when they do not reach a supermajority of distinct voters.
  std::optional<justification> justify(const block_hash& target, round_number round, const round_state& r,
                                       const block_tree& tree) const;
  void apply_finality(const justification& j, block_tree& tree, effects& out);

  chain_id chain_;
  key_pair me_;
  finality_timing timing_;
  validator_set voters_;
  block_hash base_;  // last finalized
  round_number round_;
  std::map<round_number, round_state> rounds_;  // previous, current and a window ahead
  std::map<account_id, round_number> catch_up_sent_;
  std::optional<justification> set_change_;  // how the current set's first block became final
  std::vector<std::pair<signed_vote, signed_vote>> double_votes_;
  std::map<std::tuple<set_id, round_number, vote_kind>, signed_vote> pledged_;
};

}  // namespace datdot

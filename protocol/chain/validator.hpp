// One chain validator as a PURE state machine: inputs in, effects out, no
// clock, I/O or randomness. It produces blocks in its Aura slots, imports and
// validates others' blocks (deferring those from future slots, holding those
// whose parent is missing), keeps a bounded transaction pool, votes in the
// finality gadget, and turns equivocations and double votes it sees into
// report extrinsics signed by itself.
//
// How the pieces around it plug in:
// - The CAF validator actor owns one `validator`. It turns its clock into
//   on_slot(now_ms / slot_duration_ms) at each slot start, decodes bus frames
//   (blocks, votes, commits, catch-ups, transactions: canonical bytes carried
//   in protobuf `bytes` fields) and calls the matching on_* input, and
//   executes every returned effect in order: gossip_* and send_* go to the
//   bus, start_timer becomes a delayed message to itself that comes back as
//   on_timeout, request_blocks asks a peer (sync), input_rejected bumps
//   datdot_chain_rejected_total{reason}.
// - The LMDB chain store keeps every block_imported (block bytes by hash) and
//   writes each block_finalized in one transaction (justification, finalized
//   height, the blocks' events, every N blocks a state snapshot), pruning what
//   finality orphaned. On restart the actor starts from the newest snapshot
//   (trusted_root), pledges its stored own votes, sets restore_clock, and
//   replays the later finalized blocks, their commits and the unfinalized ones.
#pragma once

#include <map>
#include <set>

#include "protocol/chain/finality_voter.hpp"

namespace datdot {

class validator {
 public:
  // `out` receives the first round's timers. A validator starts from genesis
  // or, on restart, from a stored snapshot of a finalized block.
  validator(const trusted_root& root, const key_pair& me, finality_timing timing, effects& out);
  validator(const genesis& g, const key_pair& me, finality_timing timing, effects& out)
      : validator(root_of(g), me, timing, out) {}

  effects on_slot(slot_number now);
  effects on_block(block b);
  // Whether on_block would drop this block at once: it is in the tree, or at
  // or below the finalized height.
  bool knows(const block_header& h) const;
  effects on_vote(const signed_vote& v);
  effects on_commit(const justification& j);
  effects on_catch_up(const catch_up& c);
  effects on_transaction(const extrinsic& x);
  // Applies `x` to a copy of the best state: a client submitting locally
  // hears at once why a call cannot apply (a later nonce waits its turn and passes).
  chain_status dry_run(const extrinsic& x) const;
  effects on_timeout(const finality_timer& t);
  // A call of this node's own (its roles' extrinsics): signed with its key and
  // the next nonce after those already pooled, pooled and gossiped
  // (gossip_transaction carries the signed extrinsic), or input_rejected.
  effects on_own_call(call c);

  // A restarted node's clock before replay: the newest slot of its stored
  // blocks. Stored blocks then replay without being deferred, and a slot it
  // may already have produced in is not produced in again (its own blocks are
  // stored before they are gossiped). Produces nothing itself.
  void restore_clock(slot_number s) { now_ = std::max(now_, s); }
  // A vote this node signed before a restart: see finality_voter::pledge.
  void restore_own_vote(const signed_vote& v) { voter_.pledge(v); }

  const block_tree& tree() const { return tree_; }
  const finality_voter& voter() const { return voter_; }
  account_id id() const { return account_id{me_.pk}; }
  std::size_t pool_size() const { return pool_.size(); }

 private:
  void accept_block(block b, effects& out);
  // `built`: the first block is this leader's own, applied while it built it.
  void import_with_orphans(block b, effects& out, std::optional<applied_block> built = std::nullopt);
  void produce(effects& out);
  // Signs and pools a call of this node; false when the pool is full.
  bool add_own(call c, effects& out);
  void report(const account_id& offender, call evidence, effects& out);
  // A finality input: the voter handles it, then settle().
  template <class Input>
  effects to_voter(void (finality_voter::*handle)(const Input&, block_tree&, effects&), const Input& in);
  // After every input: reports, pruning after finality.
  void settle(effects& out);

  chain_id chain_;
  key_pair me_;
  block_tree tree_;
  finality_voter voter_;
  slot_number now_;
  round_number watched_round_;
  slot_number watched_since_;
  struct pooled_call {
    extrinsic x;
    std::size_t bytes = 0;
    slot_number since;  // when it entered this pool
  };
  // The pool is bounded in entries and in bytes (a storage proof is ~70 KiB);
  // a call replacing `replaced` takes its entry.
  bool pool_has_room(std::size_t bytes, const pooled_call* replaced = nullptr) const;
  void tend_own_calls(effects& out);
  void pool_add(extrinsic x, std::size_t bytes);
  using pool_map = std::map<std::pair<account_id, std::uint64_t>, pooled_call>;  // by signer, then nonce
  // Drops one entry with its bytes; the entry after it.
  pool_map::iterator pool_erase(pool_map::iterator entry);
  pool_map pool_;
  std::size_t pool_bytes_ = 0;
  std::multimap<slot_number, block> future_;
  std::multimap<block_hash, block> orphans_;  // by missing parent
  std::map<std::pair<account_id, slot_number>, signed_header> seen_headers_;
  std::set<account_id> offenders_reported_;  // until the chain has them on record
  block_hash finalized_seen_;
};

}  // namespace datdot

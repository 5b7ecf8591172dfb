// What the validator state machine asks its host (the CAF actor, or the test
// network) to do. The host executes effects in order; none of them feed back
// into the state machine except through its inputs.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "protocol/chain/block.hpp"
#include "protocol/chain/chain_event.hpp"
#include "protocol/chain/justification.hpp"

namespace datdot {

// A finality round's wait: before prevoting, then before precommitting.
struct finality_timer {
  set_id set;
  round_number round;
  vote_kind phase = vote_kind::prevote;
  bool operator==(const finality_timer&) const = default;
};

// The prevotes and precommits of a completed round: lets a lagging voter
// join the next round with a correct estimate (GRANDPA's catch-up).
struct catch_up {
  set_id set;
  round_number round;
  std::vector<signed_vote> prevotes;
  std::vector<signed_vote> precommits;
};

struct gossip_block { block b; };
struct gossip_vote { signed_vote v; };
struct gossip_transaction { extrinsic x; };
struct gossip_commit { justification j; };
// Another node's block or vote that passed every check here and is new to
// this node (imported; a vote verified and counted): the host passes it on to
// its peers other than the one it came from, so messages cross a network in
// which not every node knows every other. A full mesh may ignore these. A
// block goes by its hash: it is the one block_imported just before names.
struct relay_block { block_hash hash; };
struct relay_vote { signed_vote v; };
// Another node's commit that finalized a block here (the first to, for each
// block): how followers, which get no votes, learn finality and pass it on.
struct relay_commit { justification j; };
struct send_catch_up { account_id to; catch_up c; };
struct send_commit { account_id to; justification j; };
struct request_blocks { block_hash hash; };  // a block and its ancestors, from any peer
struct start_timer { finality_timer timer; std::uint64_t delay_ms; };
// Store the block and its events (chain store); it may still be reorganized away.
struct block_imported {
  block b;
  block_hash hash;
  std::vector<chain_event> events;
  std::vector<hash32> tx_hashes;  // of its extrinsics, as the runtime hashed them to check the header
};
// Final with all ancestors: keep the justification, prune what conflicts.
struct block_finalized { block_hash hash; block_number number; justification j; };
// Bad input, counted by reason (datdot_chain_rejected_total{reason}).
struct input_rejected { chain_errc code; std::string detail; };

using validator_effect =
    std::variant<gossip_block, gossip_vote, gossip_transaction, gossip_commit, relay_block, relay_vote, relay_commit,
                 send_catch_up, send_commit, request_blocks, start_timer, block_imported, block_finalized, input_rejected>;
using effects = std::vector<validator_effect>;

}  // namespace datdot

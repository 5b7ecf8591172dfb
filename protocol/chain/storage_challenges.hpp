// Storage challenges, run by every block after assignment (a pure function of
// the state and the block's randomness, like assign_replicas).
//
// Each active replica is due for a challenge at a block drawn from chain
// randomness between half a period and one and a half periods after its
// activation or its previous challenge, so a hoster cannot tell when. A block
// opens the due challenges oldest first while the proofs and attestations they
// call for (challenge_bytes) fit chain_limits::challenge_bytes_per_block_max,
// and always the oldest one: about ten a block for replicas of a 4 KiB feed
// with two attesters, one for a feed of 64 KiB blocks. A chain keeps its
// replicas checked while they number at most that many times the period.
// A challenge names a random block index and up to attesters_per_challenge
// attesters (registered attesters other than the hoster, encoder and
// publisher). The hoster answers with submit_storage_proof, verified in full
// on chain; attesters fetch the block as readers and submit_attestation.
//
// At its deadline a challenge passes when it was proved and not every
// attester that reported was refused. A pass pays the hoster one price and
// resets its failure run; a failure extends it, and challenge_failures_max
// failures in a row fail the replica, which is re-created elsewhere. Every
// attester that reported is paid either way: it cannot gain by lying. One
// picked that did not report by then is recorded as attestation_missed.
#pragma once

#include <vector>

#include "protocol/chain/chain_event.hpp"
#include "protocol/chain/chain_state.hpp"

namespace datdot {

void run_challenges(chain_state& s, std::vector<chain_event>& events);

// Whether the challenge was issued to the replica its slot holds now. A slot
// is reused when its replica fails: a challenge still open for the one before
// is neither proved nor settled by the new one. A replica is never challenged
// in the block it is assigned in (it must activate first), so the slot was
// reassigned after the challenge exactly when it was assigned at or after it.
bool challenges_current_replica(const challenge_record& c, const replica_record& r);

// An upper bound on the extrinsic bytes a challenge to this replica calls
// for: its storage proof (a sealed block no larger than the head the replica
// covers, and node lists as deep as its tree) and its attesters' reports.
std::size_t challenge_bytes(const chain_params& p, const replica_record& r);

// When a replica activated or challenged in the current block is next due.
block_number next_challenge_after(const chain_state& s, const feed_key& key, std::uint32_t replica);

}  // namespace datdot

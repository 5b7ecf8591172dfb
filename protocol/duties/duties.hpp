// What the finalized chain asks of this node, per role: replicas to seal (an
// encoder), challenges to answer (a hoster), challenges to attest (an
// attester). Pure reads of a state; the role actors act on them and must not
// repeat work they already did (the chain refuses a second root or proof).
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "protocol/chain/chain_state.hpp"

namespace datdot {

// A replica this node seals as its encoder, or receives as its hoster: the
// whole replica while it is being encoded, or the blocks a grown feed added
// while it is being extended (replica_extension.hpp).
struct replica_duty {
  feed_key key;
  std::uint32_t replica = 0;
  replica_record record;
  // The feed at the head this work is for (the head the replica was assigned,
  // or its extension's target), not necessarily the feed's newest: length,
  // byte size and tree hash are that head's; publisher and replicas as recorded.
  feed_record feed;
  std::uint64_t first = 0;  // the first block to seal: 0, or the length an extension starts from
  // The roots already on chain for this work (the first sealing's or the extension's).
  std::optional<replica_commitment> encoder_root;
  std::optional<replica_commitment> hoster_root;
};

struct challenge_duty {
  std::uint64_t id = 0;
  challenge_record challenge;
  replica_record replica;
  feed_record feed;  // at the head the replica covers: what the challenged block is proved against
};

// Replicas being encoded or extended whose encoder is `me` and which have no
// encoder root for that work yet.
std::vector<replica_duty> sealing_duties(const chain_state& s, const account_id& me);
// Replicas being encoded or extended whose hoster is `me` (what a hoster accepts pushes for).
std::vector<replica_duty> intake_duties(const chain_state& s, const account_id& me);
// The same of a shared state, through its index (replicas_by_hoster_of).
std::vector<replica_duty> intake_duties(const std::shared_ptr<const chain_state>& s, const account_id& me);
// Open challenges of replicas `me` hosts that are not proved yet.
std::vector<challenge_duty> proof_duties(const chain_state& s, const account_id& me);
// A hoster's record of the challenges it answered and the length it proved
// each at. The chain checks a proof against the replica's trees when it
// includes it, so a proof made before the chain extended the replica no
// longer matches: that challenge is due again, at the new length.
class proofs_answered {
 public:
  // The open challenges of replicas `me` hosts to prove now, which it then
  // counts as answered: those not answered yet and those answered at another
  // length than the replica now covers. Forgets challenges that closed.
  std::vector<challenge_duty> due(const chain_state& s, const account_id& me);

 private:
  std::map<std::uint64_t, std::uint64_t> length_of_;  // challenge id -> length proved at
};

// Open challenges naming `me` as an attester that has not reported yet.
std::vector<challenge_duty> attestation_duties(const chain_state& s, const account_id& me);

}  // namespace datdot

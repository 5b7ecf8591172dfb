// What the finalized chain asks of this node, per role: replicas to seal (an
// encoder), challenges to answer (a hoster), challenges to attest (an
// attester). Pure reads of a state; the role actors act on them and must not
// repeat work they already did (the chain refuses a second root or proof).
#pragma once

#include <vector>

#include "protocol/chain/chain_state.hpp"

namespace datdot {

// A replica this node seals as its encoder, or receives as its hoster.
struct replica_duty {
  feed_key key;
  std::uint32_t replica = 0;
  replica_record record;
  feed_record feed;  // as published: length, tree hash, publisher
};

struct challenge_duty {
  std::uint64_t id = 0;
  challenge_record challenge;
  replica_record replica;
  feed_record feed;
};

// Replicas being encoded whose encoder is `me` and which have no encoder root yet.
std::vector<replica_duty> sealing_duties(const chain_state& s, const account_id& me);
// Replicas being encoded whose hoster is `me` (what a hoster accepts pushes for).
std::vector<replica_duty> intake_duties(const chain_state& s, const account_id& me);
// Open challenges of replicas `me` hosts that are not proved yet.
std::vector<challenge_duty> proof_duties(const chain_state& s, const account_id& me);
// Open challenges naming `me` as an attester that has not reported yet.
std::vector<challenge_duty> attestation_duties(const chain_state& s, const account_id& me);

}  // namespace datdot

// Who lied when a replica's sealing does not come together. The encoder
// signs every sealed block it streams (sealed_block_claim.hpp); a hoster that
// receives one that does not unseal to the feed's block refuses it and
// submits dispute_sealing, which the runtime checks in full: the encoder is
// convicted. Once the encoder has submitted its root, the hoster has
// chain_limits::hoster_answer_blocks to submit the same root or a valid
// dispute (of a bad block, or of a root other than the commitment the encoder
// signed: root_dispute.hpp); a hoster that does neither (a different root, or
// none) cannot back its side and is named instead. Either way the one named pays one sealing
// of the head into the feed's backing (as much as it has: ratio never goes
// negative and is moved, not burnt) and the replica is re-created.
//
// One lie no signature shows: an encoder that submits its root (the true
// one) but never pushes the last runs. The hoster then cannot submit the
// root and would be named at the window's end. Instead it reports the
// sealing withheld (report_withheld_sealing) while the window is open. The
// chain cannot tell that encoder from a hoster that got every run and claims
// otherwise, so it names both (sealing_withheld), pays and charges neither,
// and re-creates the replica through another encoder and another hoster.
// Each side loses only this replica: the encoder its sealing's pay, the
// hoster the hosting, so neither profits from lying; an encoder named by
// many different hosters is the likely withholder.
#pragma once

#include <vector>

#include "protocol/chain/chain_event.hpp"
#include "protocol/chain/chain_state.hpp"
#include "protocol/chain/extrinsic.hpp"

namespace datdot {

// Whether `x` proves a bad sealed block of the sealing of `head` from block
// `first` that replica `r` (its encoder, key and sealing key) is waiting on:
// the encoder signed the sealed block, the original leaf lies in the head's
// signed tree, and unsealing does not give that leaf. Pure: the runtime, and
// a hoster before it submits, run exactly this.
chain_status verify_sealing_dispute(const chain_id& chain, const replica_record& r, const feed_head& head,
                                    std::uint64_t first, const dispute_sealing& x);

// A verified dispute: the encoder pays, the replica is badly_sealed.
void convict_encoder(chain_state& s, const feed_key& key, std::uint32_t replica, std::uint64_t index,
                     std::vector<chain_event>& events);

// A report of a withheld sealing: both named, the replica sealing_withheld.
void end_withheld_sealing(chain_state& s, const feed_key& key, std::uint32_t replica, std::uint64_t received,
                          std::vector<chain_event>& events);

// Names the hoster of every replica whose answer window ended this block.
void run_answer_deadlines(chain_state& s, std::vector<chain_event>& events);

}  // namespace datdot

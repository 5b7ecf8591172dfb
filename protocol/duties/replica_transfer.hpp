// How a replica travels, checked at every hop against what the chain
// recorded: a publisher (or hoster) serves original blocks with their paths,
// the encoder checks them and seals each for its one replica, the hoster
// unseals each sealed block and checks it against the signed feed before it
// keeps it. A bad block is refused where it arrives, naming its index; one the
// encoder signed becomes evidence for a sealing dispute on chain. So does the
// encoder's signed commitment of the whole replica, against another root.
#pragma once

#include <optional>

#include "crypto/keys.hpp"
#include "crypto/merkle_tree.hpp"
#include "crypto/seal_codec.hpp"
#include "protocol/chain/chain_error.hpp"
#include "protocol/chain/chain_state.hpp"
#include "protocol/chain/extrinsic.hpp"
#include "protocol/data_plane/data_message.hpp"
#include "protocol/duties/duties.hpp"
#include "protocol/hosting/root_evidence.hpp"

namespace datdot {

// The roots hash to the feed's recorded tree at its length, and the blocks
// are consecutive from `first`, each in the tree.
chain_status check_feed_blocks(const feed_record& feed, const feed_blocks& m, std::uint64_t first);

// The next run of the replica: checked blocks sealed under the replica's key,
// each signed with the encoder's node key (sealed_block_claim.hpp) for
// `chain`, and the commitment of `sealed_so_far` (the replica tree the
// hoster has acknowledged) grown by the run, signed too
// (replica_commitment_claim.hpp).
result<replica_push> seal_blocks(const sealer& encoder, const secret_key& signer, const chain_id& chain,
                                 const replica_duty& duty, const feed_blocks& m, const merkle_tree& sealed_so_far);

// A sealed block its encoder signed that did not unseal to the feed's block at
// `index`: what a hoster keeps to dispute the sealing (make_dispute).
struct sealing_evidence {
  std::uint64_t index = 0;
  bytes sealed;
  signature encoder_signature{};
  bool operator==(const sealing_evidence&) const = default;
};

struct push_verdict {
  chain_status status = chain_ok();          // ok: every block may be kept
  std::optional<sealing_evidence> evidence;  // refused for a signed block that does not unseal to the feed's
};

// The length of the replica tree a run continues, for a hoster holding
// `held` blocks: its end, or, for an encoder that started this work over (it
// restarted, or its job was dropped and taken up again), the run's first
// block if that lies within this work: never in the agreed part before
// duty.first, which stays the anchor. The hoster checks the run against its
// tree at that length and adds only the blocks past `held`; the others must
// be the ones it holds (sealing is deterministic).
std::uint64_t continued_length(const replica_duty& duty, std::uint64_t held, const replica_push& push);

// A hoster's check of a push for a replica it was assigned: it continues
// `replica_tree` (what the hoster holds), the roots are the feed's, every
// block is signed by the replica's encoder for `chain`, every sealed block
// unseals with the encoder's public key to the feed's block at its index,
// and the encoder signed the commitment of replica_tree grown by the run.
push_verdict check_push(const chain_id& chain, const replica_duty& duty, const unsealer& encoder,
                        const replica_push& push, const merkle_tree& replica_tree);

// The encoder's signed commitment of the replica tree the run makes: what a
// hoster keeps after the last run it took.
root_evidence evidence_of(const replica_push& push);

// The dispute of the encoder's root on chain in `duty` with `evidence`:
// refused unless the chain would convict on it (root_dispute.hpp).
chain_result<dispute_replica_root> make_root_dispute(const chain_id& chain, const replica_duty& duty,
                                                     const root_evidence& evidence);

// What a hoster holding `held` blocks of the replica reports once the
// encoder's root for `duty` is on chain: the sealing withheld, when it holds
// less than the whole replica and has no root of its own in (an honest
// encoder submits its root only after the hoster took its last run).
std::optional<report_withheld_sealing> withheld_report(const replica_duty& duty, std::uint64_t held);

// The dispute for `evidence`, given `original`: a source's answer holding the
// feed's block at the evidence's index, checked here. Refused when the sealed
// block does unseal to that block (the encoder sent a wrong path, not a bad
// sealing): the chain would refuse the dispute too (sealing_dispute.hpp).
chain_result<dispute_sealing> make_dispute(const chain_id& chain, const replica_duty& duty,
                                           const sealing_evidence& evidence, const feed_blocks& original);

}  // namespace datdot

// How a replica travels, checked at every hop against what the chain
// recorded: a publisher (or hoster) serves original blocks with their paths,
// the encoder checks them and seals each for its one replica, the hoster
// unseals each sealed block and checks it against the signed feed before it
// keeps it. A bad block is refused where it arrives, naming its index; one the
// encoder signed becomes evidence for a sealing dispute on chain.
#pragma once

#include <optional>

#include "crypto/keys.hpp"
#include "crypto/seal_codec.hpp"
#include "protocol/chain/chain_error.hpp"
#include "protocol/chain/chain_state.hpp"
#include "protocol/chain/extrinsic.hpp"
#include "protocol/data_plane/data_message.hpp"
#include "protocol/duties/duties.hpp"

namespace datdot {

// The roots hash to the feed's recorded tree at its length, and the blocks
// are consecutive from `first`, each in the tree.
chain_status check_feed_blocks(const feed_record& feed, const feed_blocks& m, std::uint64_t first);

// The next run of the replica: checked blocks sealed under the replica's key,
// each signed with the encoder's node key (sealed_block_claim.hpp) for `chain`.
result<replica_push> seal_blocks(const sealer& encoder, const secret_key& signer, const chain_id& chain,
                                 const replica_duty& duty, const feed_blocks& m);

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

// A hoster's check of a push for a replica it was assigned: it continues at
// `expected_next`, the roots are the feed's, every block is signed by the
// replica's encoder for `chain`, and every sealed block unseals with the
// encoder's public key to the feed's block at its index.
push_verdict check_push(const chain_id& chain, const replica_duty& duty, const unsealer& encoder,
                        const replica_push& push, std::uint64_t expected_next);

// The dispute for `evidence`, given `original`: a source's answer holding the
// feed's block at the evidence's index, checked here. Refused when the sealed
// block does unseal to that block (the encoder sent a wrong path, not a bad
// sealing): the chain would refuse the dispute too (sealing_dispute.hpp).
chain_result<dispute_sealing> make_dispute(const chain_id& chain, const replica_duty& duty,
                                           const sealing_evidence& evidence, const feed_blocks& original);

}  // namespace datdot

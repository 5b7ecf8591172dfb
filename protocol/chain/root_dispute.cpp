#include "protocol/chain/root_dispute.hpp"

#include "protocol/chain/replica_commitment_claim.hpp"

namespace datdot {

chain_status verify_root_dispute(const chain_id& chain, const replica_record& r, const pending_sealing& sealing,
                                 const dispute_replica_root& x) {
  if (!sealing.encoder_root) return chain_fail(chain_errc::invalid_call, "the encoder has submitted no root to dispute");
  if (x.commitment.length != sealing.head.length)
    return chain_fail(chain_errc::invalid_call, "the signed commitment is not of the whole replica (" +
                                                    std::to_string(sealing.head.length) + " blocks)");
  if (x.commitment == *sealing.encoder_root)
    return chain_fail(chain_errc::invalid_call, "the encoder submitted the commitment it signed: nothing to dispute");
  if (!verify_replica_commitment(chain, {x.feed, x.replica, r.replica_key, x.commitment}, x.encoder_signature,
                                 r.encoder))
    return chain_fail(chain_errc::bad_signature, "the commitment is not signed by the replica's encoder");
  return chain_ok();
}

}  // namespace datdot

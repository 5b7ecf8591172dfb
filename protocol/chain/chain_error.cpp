#include "protocol/chain/chain_error.hpp"

namespace datdot {

const char* to_string(chain_errc code) noexcept {
  switch (code) {
    case chain_errc::malformed: return "malformed";
    case chain_errc::oversize: return "oversize";
    case chain_errc::bad_signature: return "bad_signature";
    case chain_errc::unknown_account: return "unknown_account";
    case chain_errc::wrong_nonce: return "wrong_nonce";
    case chain_errc::insufficient_ratio: return "insufficient_ratio";
    case chain_errc::invalid_call: return "invalid_call";
    case chain_errc::unknown_parent: return "unknown_parent";
    case chain_errc::wrong_number: return "wrong_number";
    case chain_errc::slot_not_increasing: return "slot_not_increasing";
    case chain_errc::wrong_leader: return "wrong_leader";
    case chain_errc::bad_state_root: return "bad_state_root";
    case chain_errc::bad_extrinsics_root: return "bad_extrinsics_root";
    case chain_errc::wrong_chain: return "wrong_chain";
    case chain_errc::not_a_voter: return "not_a_voter";
    case chain_errc::insufficient_votes: return "insufficient_votes";
    case chain_errc::bad_config: return "bad_config";
    case chain_errc::bad_proof: return "bad_proof";
  }
  return "unknown";
}

}  // namespace datdot

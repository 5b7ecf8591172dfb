// Applies one signed extrinsic: size, signature, account, nonce, then the
// call's own handler. On error the state is unchanged; on success the
// signer's nonce has advanced, so the same extrinsic can never apply twice.
#pragma once

#include <vector>

#include "protocol/chain/chain_event.hpp"
#include "protocol/chain/chain_state.hpp"
#include "protocol/chain/extrinsic.hpp"

namespace datdot {

chain_status apply_extrinsic(chain_state& s, const extrinsic& x, std::vector<chain_event>& events);

}  // namespace datdot

// The encoder role: for each replica the chain gives this node to seal, it
// fetches the feed's blocks from the publisher (or, when that fails, from a
// hoster with an active replica), checks each against the feed's recorded
// tree, seals it under the replica's key with the node's sealing key, and
// streams the sealed blocks to the replica's hoster one run at a time (the
// hoster's acknowledgement is the credit for the next run). Once the hoster
// has all of them it submits the replica root. Sealing is CPU-bound, so the
// actor runs on its own thread. It pushes every run the way `conduct` says
// (empty: always).
#pragma once

#include <memory>

#include "actors/roles/encoder_conduct.hpp"
#include "actors/roles/role_context.hpp"
#include "crypto/seal_codec.hpp"

namespace datdot {

using encoder_actor = chain_watcher;

// `sealing` is the node's own sealing key (rabin_williams::of_node): the
// caller derives it once, since it also registers its public half.
encoder_actor spawn_encoder(caf::actor_system& sys, role_context ctx, std::shared_ptr<const sealer> sealing,
                            std::shared_ptr<encoder_conduct> conduct = nullptr);

}  // namespace datdot

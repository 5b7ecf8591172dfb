// The chain's client API on the node's loopback HTTP server (beside /metrics):
//   GET  /chain/status                      heights, hashes, state root, round, pool
//   GET  /chain/block/HEIGHT|HASH           a block with its extrinsics
//   GET  /chain/account/ID                  ratio, nonce, node registration (finalized state)
//   GET  /chain/feeds                       hosting requests (finalized state)
//   GET  /chain/events?from=N&wait_ms=W     finalized events from block N; waits up to W ms for one
//   POST /chain/transaction                 body: a signed extrinsic's canonical bytes as hex
// Each is one request to the validator actor; answers are JSON.
#pragma once

#include "actors/chain/validator_actor.hpp"
#include "actors/metrics/health.hpp"
#include "actors/metrics/metrics_server.hpp"

namespace datdot {

inline constexpr const char* chain_http_prefix = "/chain";

http_route chain_http_route(caf::actor_system& sys, validator_actor chain);

// The node's readiness check "chain": ok once the chain reports itself synced.
check_result check_chain_synced(caf::actor_system& sys, const validator_actor& chain);

}  // namespace datdot

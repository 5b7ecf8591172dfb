// Genesis from a config: parameters, the first validator set, initial
// accounts and ratios. The chain id is BLAKE2b of the config's canonical
// encoding, so two configs never share signatures.
//
// JSON form (ids and amounts as strings of hex / decimal ratio units):
//   { "params": { "slot_duration_ms": 6000, "epoch_length_slots": 600,
//                 "replicas_per_feed": 3, "challenge_period_slots": 100,
//                 "reshuffle_period_slots": 100800 },
//     "validators": ["<64 hex>", ...],
//     "accounts": [ { "id": "<64 hex>", "ratio_units": 1000000 }, ... ] }
#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include "protocol/chain/block_header.hpp"
#include "protocol/chain/chain_state.hpp"

namespace datdot {

struct genesis_config {
  chain_params params;
  std::vector<account_id> validators;
  std::vector<std::pair<account_id, ratio>> accounts;
};

chain_result<genesis_config> parse_genesis_config(std::string_view json);

struct genesis {
  chain_state state;
  block_header header;  // number 0, unsealed; its hash is the first parent
  block_hash hash;
};

// Checks the config (parameter ranges, duplicate or missing validators).
chain_result<genesis> make_genesis(const genesis_config& config);

}  // namespace datdot

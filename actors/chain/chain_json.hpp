// The chain as clients read it: JSON views of blocks, accounts, feeds and
// events, shared by the validator actor's answers (`datdot chain ...` over
// the node's HTTP endpoint). Pure renderings of protocol/chain values.
#pragma once

#include <nlohmann/json.hpp>

#include "protocol/chain/block.hpp"
#include "protocol/chain/chain_event.hpp"
#include "protocol/chain/chain_queries.hpp"

namespace datdot {

std::string hex_of(const hash32& h);
nlohmann::json block_json(const block& b, const block_hash& hash, bool finalized);
nlohmann::json account_json(const account_view& a);
nlohmann::json feed_json(const feed_view& f);
// An event of the block at `number`: {"block", "hash", "type", ...its fields}.
nlohmann::json event_json(block_number number, const block_hash& hash, const chain_event& e);

}  // namespace datdot

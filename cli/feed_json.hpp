// JSON views of feeds and proofs for `datdot feed ... --json` (hex in lowercase).
#pragma once

#include <nlohmann/json.hpp>

#include "crypto/proof.hpp"
#include "storage/feed_store.hpp"

namespace datdot::cli {

nlohmann::json to_json(const tree_node& node);
nlohmann::json to_json(const feed_proof& proof);
nlohmann::json feed_info_json(const storage::feed& f);

}  // namespace datdot::cli

#include "cli/feed_json.hpp"

namespace datdot::cli {

namespace {
nlohmann::json nodes_json(const std::vector<tree_node>& nodes) {
  auto out = nlohmann::json::array();
  for (const auto& n : nodes) out.push_back(to_json(n));
  return out;
}
}  // namespace

nlohmann::json to_json(const tree_node& node) {
  return {{"index", node.index}, {"size", node.size}, {"hash", to_hex(node.hash)}};
}

nlohmann::json to_json(const feed_proof& proof) {
  nlohmann::json out{{"fork", proof.fork}};
  if (proof.block)
    out["block"] = {{"index", proof.block->index},
                    {"value", to_hex(proof.block->value)},
                    {"nodes", nodes_json(proof.block->nodes)}};
  if (proof.upgrade)
    out["upgrade"] = {{"start", proof.upgrade->start},
                      {"length", proof.upgrade->length},
                      {"nodes", nodes_json(proof.upgrade->nodes)},
                      {"additional_nodes", nodes_json(proof.upgrade->additional_nodes)},
                      {"signature", to_hex(proof.upgrade->signature)}};
  return out;
}

nlohmann::json feed_info_json(const storage::feed& f) {
  const auto& id = f.identity();
  const auto& h = f.head();
  return {{"key", to_hex(id.core_key())},
          {"discovery_key", to_hex(id.discovery_key())},
          {"signer", to_hex(id.signer())},
          {"compat", id.mode() == signing_mode::compat},
          {"length", h.length},
          {"byte_length", h.byte_length},
          {"fork", h.fork},
          {"tree_hash", to_hex(f.tree().hash())},
          {"roots", nodes_json(f.tree().roots())},
          {"signature", h.length > 0 ? to_hex(h.sig) : std::string{}},
          {"signature_stored", h.length > 0 ? to_hex(f.stored_signature()) : std::string{}}};
}

}  // namespace datdot::cli

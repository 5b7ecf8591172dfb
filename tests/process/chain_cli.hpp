// Shared by the multi-process chain tests: the devnet validators' seeds,
// a node's HTTP address from its started line, and `datdot chain ...` as JSON.
#pragma once

#include <sodium.h>

#include <string>
#include <vector>

#include "process/node_process.hpp"
#include "support/run_command.hpp"

namespace datdot::testing::chain_cli {

using namespace std::chrono_literals;

inline std::string devnet_seed(int i) {
  auto text = "datdot devnet validator " + std::to_string(i);
  unsigned char h[32];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (auto b : h) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

inline std::string http_of(const json& started) {
  auto url = started["metrics"].get<std::string>();  // http://HOST:PORT/metrics
  return url.substr(7, url.size() - 7 - 8);
}

// `datdot chain SUB... --node NODE --json`, parsed; null on failure.
inline json chain(const std::string& node, std::vector<std::string> args) {
  std::vector<std::string> argv{DATDOT_BINARY, "chain"};
  argv.insert(argv.end(), args.begin(), args.end());
  for (const auto& a : {std::string{"--node"}, node, std::string{"--json"}}) argv.push_back(a);
  auto r = run_command(argv, 30s);
  if (r.exit_code != 0) return nullptr;
  return json::parse(r.out, nullptr, false);
}

inline std::uint64_t finalized_height(const std::string& node) {
  auto s = chain(node, {"status"});
  return s.is_object() ? s["finalized_height"].get<std::uint64_t>() : 0;
}

}  // namespace datdot::testing::chain_cli

// Loads the hypercore test vectors in ../shared/vectors/hypercore (made by the
// real hypercore package) and regenerates the block data of the big ones from
// the documented splitmix64 rule.
#pragma once

#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "crypto/bytes.hpp"
#include "crypto/tree_node.hpp"

namespace datdot::test {

inline nlohmann::json load_vector(const std::string& name) {
  std::ifstream in(std::string{DATDOT_VECTORS_DIR} + "/" + name);
  if (!in) throw std::runtime_error("cannot open vector " + name);
  return nlohmann::json::parse(in);
}

inline bytes hex(const std::string& text) { return from_hex(text).value(); }

template <std::size_t N>
std::array<byte, N> hex_array(const std::string& text) {
  return from_hex_fixed<N>(text).value();
}

inline tree_node node_of(const nlohmann::json& j) {
  return {j.at("index").get<std::uint64_t>(), j.at("size").get<std::uint64_t>(),
          hex_array<32>(j.at("hash").get<std::string>())};
}

inline std::vector<tree_node> nodes_of(const nlohmann::json& j) {
  std::vector<tree_node> out;
  for (const auto& n : j) out.push_back(node_of(n));
  return out;
}

struct splitmix64 {
  std::uint64_t s;
  std::uint64_t next() {
    s += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = s;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

// c_1000's block data (SPEC section 9).
inline std::vector<bytes> splitmix_blocks(std::size_t count) {
  splitmix64 rng{0x0123456789abcdefULL};
  std::vector<bytes> out;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t size = 1 + rng.next() % 4096;
    bytes block;
    block.reserve(size + 8);
    while (block.size() < size) put_u64le(block, rng.next());
    block.resize(size);
    out.push_back(std::move(block));
  }
  return out;
}

// Block data of any vector file: inline hex, or regenerated for c_1000.
inline std::vector<bytes> blocks_of(const nlohmann::json& v) {
  if (v.at("case").get<std::string>() == "c_1000") return splitmix_blocks(v.at("length").get<std::size_t>());
  std::vector<bytes> out;
  for (const auto& b : v.at("blocks")) out.push_back(hex(b.at("data").get<std::string>()));
  return out;
}

inline const std::vector<std::string>& feed_vector_files() {
  static const std::vector<std::string> files{
      "a_hello.json", "a_hello.compat.json", "b_five.json",  "b_five.compat.json",
      "c_1000.json",  "c_1000.compat.json",  "d_empty.json", "d_empty.compat.json"};
  return files;
}

}  // namespace datdot::test

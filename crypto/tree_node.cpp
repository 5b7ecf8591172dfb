#include "crypto/tree_node.hpp"

#include "crypto/blake2b.hpp"
#include "crypto/flat_tree.hpp"

namespace datdot {

namespace {
constexpr byte leaf_type = 0x00;
constexpr byte parent_type = 0x01;
constexpr byte root_type = 0x02;

std::array<byte, 8> u64le(std::uint64_t v) noexcept {
  std::array<byte, 8> out;
  for (int i = 0; i < 8; ++i) out[i] = static_cast<byte>(v >> (8 * i));
  return out;
}
}  // namespace

tree_node leaf_node(std::uint64_t block_index, byte_view block) noexcept {
  const byte type = leaf_type;
  const auto len = u64le(block.size());
  blake2b_stream h;
  h.update({&type, 1}).update(len).update(block);
  return {2 * block_index, block.size(), h.finish()};
}

tree_node parent_node(const tree_node& a, const tree_node& b) noexcept {
  const tree_node& left = a.index < b.index ? a : b;
  const tree_node& right = a.index < b.index ? b : a;
  std::array<byte, 1 + 8 + 32 + 32> buf;
  buf[0] = parent_type;
  const auto len = u64le(left.size + right.size);
  std::copy(len.begin(), len.end(), buf.begin() + 1);
  std::copy(left.hash.begin(), left.hash.end(), buf.begin() + 9);
  std::copy(right.hash.begin(), right.hash.end(), buf.begin() + 41);
  return {flat_tree::parent(left.index), left.size + right.size, blake2b_256(buf)};
}

hash32 tree_hash(const std::vector<tree_node>& roots) noexcept {
  const byte type = root_type;
  blake2b_stream h;
  h.update({&type, 1});
  for (const auto& r : roots) h.update(r.hash).update(u64le(r.index)).update(u64le(r.size));
  return h.finish();
}

}  // namespace datdot

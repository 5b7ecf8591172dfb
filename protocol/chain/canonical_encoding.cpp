#include "protocol/chain/canonical_encoding.hpp"

#include <cstring>

#include "protocol/chain/chain_limits.hpp"

namespace datdot {

canonical_writer& canonical_writer::append(const byte* p, std::size_t n) {
  if (n == 0) return *this;
  const auto old = out_.size();
  out_.resize(old + n);
  std::memcpy(out_.data() + old, p, n);
  return *this;
}

canonical_writer& canonical_writer::u32(std::uint32_t v) {
  std::array<byte, 4> be;
  for (int i = 0; i < 4; ++i) be[i] = static_cast<byte>(v >> (8 * (3 - i)));
  return fixed(be);
}

canonical_writer& canonical_writer::u64(std::uint64_t v) {
  std::array<byte, 8> be;
  for (int i = 0; i < 8; ++i) be[i] = static_cast<byte>(v >> (8 * (7 - i)));
  return fixed(be);
}

canonical_writer& canonical_writer::blob(byte_view v) {
  u32(static_cast<std::uint32_t>(v.size()));
  return raw(v);
}

bool canonical_reader::need(std::size_t n) {
  if (failed_) return false;
  if (in_.size() - pos_ < n) {
    fail("truncated at byte " + std::to_string(pos_));
    return false;
  }
  return true;
}

void canonical_reader::fail(std::string reason) {
  if (failed_) return;
  failed_ = true;
  reason_ = std::move(reason);
}

std::uint8_t canonical_reader::u8() {
  if (!need(1)) return 0;
  return in_[pos_++];
}

std::uint32_t canonical_reader::u32() {
  if (!need(4)) return 0;
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | in_[pos_++];
  return v;
}

std::uint64_t canonical_reader::u64() {
  if (!need(8)) return 0;
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | in_[pos_++];
  return v;
}

byte_view canonical_reader::blob(std::size_t bytes_max) {
  const auto n = u32();
  if (failed_) return {};
  if (n > bytes_max) {
    fail("field of " + std::to_string(n) + " bytes exceeds " + std::to_string(bytes_max));
    return {};
  }
  if (!need(n)) return {};
  auto v = in_.subspan(pos_, n);
  pos_ += n;
  return v;
}

std::string canonical_reader::text(std::size_t bytes_max) {
  auto v = blob(bytes_max);
  return std::string(v.begin(), v.end());
}

bool canonical_reader::boolean() {
  const auto v = u8();
  if (v > 1) fail("boolean byte " + std::to_string(v));
  return v == 1;
}

chain_status canonical_reader::finish() const {
  if (failed_) return chain_fail(chain_errc::malformed, reason_);
  if (pos_ != in_.size())
    return chain_fail(chain_errc::malformed, std::to_string(in_.size() - pos_) + " trailing bytes");
  return chain_ok();
}

void encode(canonical_writer& w, role_set roles) {
  std::uint8_t bits = 0;
  for (auto r : roles.members()) bits |= static_cast<std::uint8_t>(1u << static_cast<unsigned>(r));
  w.u8(bits);
}

role_set decode_role_set(canonical_reader& r) {
  static_assert(role_count <= 8, "roles fit one byte");
  const auto bits = r.u8();
  role_set out;
  if (bits >> role_count) r.fail("unknown role bits");
  for (std::size_t i = 0; i < role_count; ++i)
    if ((bits >> i) & 1u) out.add(static_cast<role>(i));
  return out;
}

void encode(canonical_writer& w, const tree_node& node) { w.u64(node.index).u64(node.size).fixed(node.hash); }

tree_node decode_tree_node(canonical_reader& r) {
  tree_node t;
  t.index = r.u64();
  t.size = r.u64();
  t.hash = r.fixed<32>();
  return t;
}

void encode(canonical_writer& w, const std::vector<tree_node>& nodes) {
  w.u32(static_cast<std::uint32_t>(nodes.size()));
  for (const auto& n : nodes) encode(w, n);
}

std::vector<tree_node> decode_tree_nodes(canonical_reader& r) {
  const auto n = r.u32();
  if (n > chain_limits::storage_proof_nodes_max) r.fail("too many tree nodes");
  std::vector<tree_node> out;
  for (std::uint32_t i = 0; i < n && !r.failed(); ++i) out.push_back(decode_tree_node(r));
  return out;
}

}  // namespace datdot

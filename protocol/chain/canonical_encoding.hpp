// The chain's canonical byte encoding: what is hashed and signed. Big-endian
// fixed-width integers, raw fixed-size arrays, u32-length-prefixed strings.
// Decoding is strict (no trailing bytes, no out-of-range tags), so one value
// has exactly one encoding and re-encoding a decoded value gives the bytes
// that were signed. Protobuf only ever carries these bytes as opaque fields.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/bytes.hpp"
#include "crypto/tree_node.hpp"
#include "protocol/chain/chain_error.hpp"
#include "protocol/roles.hpp"

namespace datdot {

class canonical_writer {
 public:
  canonical_writer& u8(std::uint8_t v) { return append(&v, 1); }
  canonical_writer& u32(std::uint32_t v);
  canonical_writer& u64(std::uint64_t v);
  template <std::size_t N>
  canonical_writer& fixed(const std::array<byte, N>& a) {
    return append(a.data(), N);
  }
  canonical_writer& raw(byte_view v) { return append(v.data(), v.size()); }
  canonical_writer& blob(byte_view v);  // u32 length, then the bytes
  canonical_writer& text(std::string_view s) { return blob(as_bytes(s)); }

  const bytes& data() const noexcept { return out_; }
  bytes take() noexcept { return std::move(out_); }

 private:
  // resize + memcpy: GCC 12 at -O3 misreports vector::insert after push_back.
  canonical_writer& append(const byte* p, std::size_t n);

  bytes out_;
};

// Reads with a sticky failure: after the first error every read returns zero
// values and finish() reports the first reason.
class canonical_reader {
 public:
  explicit canonical_reader(byte_view in) : in_(in) {}

  std::uint8_t u8();
  std::uint32_t u32();
  std::uint64_t u64();
  template <std::size_t N>
  std::array<byte, N> fixed() {
    std::array<byte, N> a{};
    if (!need(N)) return a;
    for (std::size_t i = 0; i < N; ++i) a[i] = in_[pos_ + i];
    pos_ += N;
    return a;
  }
  byte_view blob(std::size_t bytes_max);  // a view into the input
  std::string text(std::size_t bytes_max);
  bool boolean();
  // The bytes consumed since `from` (for signing exactly what was received).
  byte_view consumed_since(std::size_t from) const { return in_.subspan(from, pos_ - from); }
  std::size_t position() const noexcept { return pos_; }

  void fail(std::string reason);
  bool failed() const noexcept { return failed_; }
  // Succeeds when nothing failed and every byte was read.
  chain_status finish() const;

 private:
  bool need(std::size_t n);

  byte_view in_;
  std::size_t pos_ = 0;
  bool failed_ = false;
  std::string reason_;
};

// A role set as one byte, bit i for role i.
void encode(canonical_writer& w, role_set roles);
role_set decode_role_set(canonical_reader& r);
// Merkle tree nodes (index, size, hash), u32-counted; at most
// chain_limits::storage_proof_nodes_max decode.
void encode(canonical_writer& w, const tree_node& node);
tree_node decode_tree_node(canonical_reader& r);
void encode(canonical_writer& w, const std::vector<tree_node>& nodes);
std::vector<tree_node> decode_tree_nodes(canonical_reader& r);
// An enum written as one byte: values past `last` fail the reader.
template <class E>
E decode_enum(canonical_reader& r, E last, const char* what) {
  const auto v = r.u8();
  if (v > static_cast<std::uint8_t>(last)) r.fail(std::string{"unknown "} + what);
  return static_cast<E>(v);
}

}  // namespace datdot

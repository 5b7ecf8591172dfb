#include "crypto/feed_identity.hpp"

#include <algorithm>

#include "crypto/blake2b.hpp"
#include "crypto/keys.hpp"

namespace datdot {

namespace {

std::array<hash32, 6> make_namespaces() {
  const hash32 base = blake2b_256(as_bytes("hypercore"));
  std::array<hash32, 6> out;
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::array<byte, 33> in;
    std::copy(base.begin(), base.end(), in.begin());
    in[32] = static_cast<byte>(i);
    out[i] = blake2b_256(in);
  }
  return out;
}

// messages.js manifest, version 1: version, flags, hash id, quorum, signers (id, namespace, key).
bytes encode_default_manifest(const public_key& pk) {
  bytes out{0x01, 0x00, 0x00, 0x01, 0x01, 0x00};
  const auto& ns = namespace_hash(hypercore_ns::default_namespace);
  out.insert(out.end(), ns.begin(), ns.end());
  out.insert(out.end(), pk.begin(), pk.end());
  return out;
}

void append(bytes& out, byte_view part) { out.insert(out.end(), part.begin(), part.end()); }

// multisig.assemble for one signer, no patch: 01 00 <sig> 00 00.
constexpr std::size_t multisig_size = 68;

}  // namespace

const hash32& namespace_hash(hypercore_ns ns) noexcept {
  static const std::array<hash32, 6> all = make_namespaces();
  return all[static_cast<std::size_t>(ns)];
}

void put_varint(bytes& out, std::uint64_t v) {
  auto put_le = [&](std::uint64_t x, int n) {
    for (int i = 0; i < n; ++i) out.push_back(static_cast<byte>(x >> (8 * i)));
  };
  if (v <= 0xfc) {
    out.push_back(static_cast<byte>(v));
  } else if (v <= 0xffff) {
    out.push_back(0xfd);
    put_le(v, 2);
  } else if (v <= 0xffffffff) {
    out.push_back(0xfe);
    put_le(v, 4);
  } else {
    out.push_back(0xff);
    put_le(v, 8);
  }
}

feed_identity::feed_identity(const public_key& signer, signing_mode mode)
    : signer_(signer), mode_(mode) {
  if (mode_ == signing_mode::compat) {
    core_key_ = signer_;
    return;
  }
  manifest_ = encode_default_manifest(signer_);
  const auto& ns = namespace_hash(hypercore_ns::manifest);
  core_key_ = blake2b_stream{}.update(ns).update(manifest_).finish();
}

hash32 feed_identity::discovery_key() const noexcept {
  return blake2b_256_keyed(as_bytes("hypercore"), core_key_);
}

bytes feed_identity::signable(const hash32& tree_hash, std::uint64_t length,
                              std::uint64_t fork) const {
  bytes out;
  out.reserve(112);
  append(out, namespace_hash(hypercore_ns::tree));
  if (mode_ == signing_mode::manifest_v1) append(out, core_key_);
  append(out, tree_hash);
  put_u64le(out, length);
  put_u64le(out, fork);
  return out;
}

bytes feed_identity::encode_signature(const signature& sig) const {
  if (mode_ == signing_mode::compat) return bytes(sig.begin(), sig.end());
  bytes out{0x01, 0x00};
  append(out, sig);
  out.push_back(0x00);
  out.push_back(0x00);
  return out;
}

result<signature> feed_identity::decode_signature(byte_view stored) const {
  signature sig;
  if (mode_ == signing_mode::compat) {
    if (stored.size() != sig.size())
      return make_error(errc::corrupt_data, "compat signature must be 64 bytes, got " +
                                                std::to_string(stored.size()));
    std::copy(stored.begin(), stored.end(), sig.begin());
    return sig;
  }
  if (stored.size() != multisig_size || stored[0] != 0x01 || stored[1] != 0x00 ||
      stored[66] != 0x00 || stored[67] != 0x00)
    return make_error(errc::corrupt_data,
                      "expected a 68-byte single-signer multisig signature (01 00 sig 00 00)");
  std::copy(stored.begin() + 2, stored.begin() + 66, sig.begin());
  return sig;
}

bool feed_identity::verify_tree(const hash32& tree_hash, std::uint64_t length, std::uint64_t fork,
                                const signature& sig) const noexcept {
  return verify(signable(tree_hash, length, fork), sig, signer_);
}

}  // namespace datdot

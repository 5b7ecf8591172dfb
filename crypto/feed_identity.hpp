// What makes a feed a hypercore: its signing mode (hypercore 10 "compat" or
// hypercore 11's default manifest), core key, discovery key, the bytes that
// get signed for a (tree hash, length, fork), and how signatures are stored.
#pragma once

#include "crypto/bytes.hpp"

namespace datdot {

enum class signing_mode : std::uint8_t {
  manifest_v1,  // hypercore 11 default: key = H(MANIFEST_NS || manifest), 112-byte signable
  compat,       // hypercore 10: key = ed25519 public key, 80-byte signable
};

// crypto.namespace('hypercore', 6) — index i is H(H("hypercore") || byte(i)).
enum class hypercore_ns : std::uint8_t {
  tree = 0,
  replicate_initiator = 1,
  replicate_responder = 2,
  manifest = 3,
  default_namespace = 4,
  default_encryption = 5,
};
const hash32& namespace_hash(hypercore_ns ns) noexcept;

// compact-encoding's unsigned varint.
void put_varint(bytes& out, std::uint64_t v);

class feed_identity {
 public:
  feed_identity(const public_key& signer, signing_mode mode);

  const public_key& signer() const noexcept { return signer_; }
  signing_mode mode() const noexcept { return mode_; }
  const hash32& core_key() const noexcept { return core_key_; }
  hash32 discovery_key() const noexcept;
  // The default single-signer manifest (70 bytes); empty in compat mode.
  const bytes& manifest() const noexcept { return manifest_; }

  bytes signable(const hash32& tree_hash, std::uint64_t length, std::uint64_t fork) const;

  // On-disk / on-wire signature: raw in compat mode, multisig-wrapped (68 bytes) otherwise.
  bytes encode_signature(const signature& sig) const;
  result<signature> decode_signature(byte_view stored) const;

  bool verify_tree(const hash32& tree_hash, std::uint64_t length, std::uint64_t fork,
                   const signature& sig) const noexcept;

 private:
  public_key signer_;
  signing_mode mode_;
  bytes manifest_;
  hash32 core_key_;
};

}  // namespace datdot

// Signed extrinsics: a call (a tagged variant: the variant index is the wire
// tag, new kinds are appended at the end) signed by an account with its next
// nonce. Each kind is applied in its own apply_*.cpp (see call_handlers.hpp).
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "crypto/feed_identity.hpp"
#include "crypto/keys.hpp"
#include "crypto/seal_codec.hpp"
#include "protocol/chain/block_header.hpp"
#include "protocol/chain/vote.hpp"
#include "protocol/hosting/storage_proof.hpp"
#include "protocol/roles.hpp"

namespace datdot {

// Registers (or re-registers, replacing) the signer as a node of the network.
struct register_node {
  role_set roles;
  std::uint64_t capacity_bytes = 0;
  std::string bus_address;
  // An encoder's public sealing key (crypto/seal_codec.hpp): anyone checks the
  // replicas it seals with it. Empty for nodes that do not encode.
  seal_codec_id seal_codec = seal_codec_id::rabin_williams_2048;
  bytes seal_key;
  bool operator==(const register_node&) const = default;
};

struct unregister_node {
  bool operator==(const unregister_node&) const = default;
};

struct transfer_ratio {
  account_id to;
  ratio amount;
  bool operator==(const transfer_ratio&) const = default;
};

// A hosting request for a hypercore: the feed's signer and signing mode give
// its key; the tree signature over (tree_hash, length, fork) is verified on chain.
struct publish_feed {
  public_key signer{};
  signing_mode mode = signing_mode::manifest_v1;
  std::uint64_t length = 0;
  std::uint64_t fork = 0;
  std::uint64_t byte_size = 0;
  hash32 tree_hash{};
  signature tree_signature{};
  std::uint32_t replicas = 0;
  bool operator==(const publish_feed&) const = default;
};

// Validator set membership changes take effect at the next epoch boundary.
struct join_validators {
  bool operator==(const join_validators&) const = default;
};
struct leave_validators {
  bool operator==(const leave_validators&) const = default;
};

struct report_equivocation {
  signed_header first;
  signed_header second;
  bool operator==(const report_equivocation&) const = default;
};

struct report_double_vote {
  signed_vote first;
  signed_vote second;
  bool operator==(const report_double_vote&) const = default;
};

// The replica's encoder and its hoster each commit to the replica's Merkle
// tree over the sealed blocks; equal commitments activate the replica, or,
// for an active replica whose feed grew, extend it to the new length.
struct submit_replica_root {
  feed_key feed;
  std::uint32_t replica = 0;
  hash32 tree_hash{};
  std::uint64_t length = 0;
  bool operator==(const submit_replica_root&) const = default;
};

// A replica's hoster answers the challenge that chain randomness opened for
// one of its blocks (storage_challenges.hpp). The feed's roots come along and
// are checked against the feed's signed tree hash on chain.
struct submit_storage_proof {
  std::uint64_t challenge = 0;
  storage_proof proof;
  std::vector<tree_node> feed_roots;
  bool operator==(const submit_storage_proof&) const = default;
};

// An attester picked for a challenge reports what it saw when it fetched the
// challenged block from the hoster as an ordinary reader.
struct submit_attestation {
  std::uint64_t challenge = 0;
  bool served = false;               // the block came and verified against the signed feed
  std::uint32_t latency_ms = 0;      // first byte
  std::uint64_t bytes_per_second = 0;
  bool operator==(const submit_attestation&) const = default;
};

// A backer moves ratio into a feed's backing: hosting charges draw on it
// before the publisher's own ratio.
struct back_feed {
  feed_key feed;
  ratio amount;
  bool operator==(const back_feed&) const = default;
};

// The publisher appended to its feed: the new signed head, and a hypercore
// upgrade proof that it extends the head the chain holds. `roots` are the
// feed's roots at its recorded length (they hash to its recorded tree hash);
// `upgrade` carries the nodes that grow them to `length` (crypto/proof.hpp,
// as prove_upgrade makes them); the new roots' tree, byte size and the
// signature over it follow from those, under the feed's key and fork.
struct update_feed {
  feed_key feed;
  std::vector<tree_node> roots;
  std::uint64_t length = 0;
  std::vector<tree_node> upgrade;
  signature tree_signature{};
  bool operator==(const update_feed&) const = default;
};

// A replica's hoster shows that the encoder signed (sealed_block_claim.hpp)
// a sealed block of this sealing that does not unseal to the feed's block
// `index`. The feed's leaf for that block (hash and size) comes with its
// path to `feed_roots`, the roots of the head the sealing is for, so the
// original block's bytes need not. Verified on chain (sealing_dispute.hpp).
struct dispute_sealing {
  feed_key feed;
  std::uint32_t replica = 0;
  std::uint64_t index = 0;
  bytes sealed;
  signature encoder_signature{};
  tree_node original;                    // the feed's leaf node of block `index`
  std::vector<tree_node> original_path;  // its siblings up to one of feed_roots
  std::vector<tree_node> feed_roots;
  bool operator==(const dispute_sealing&) const = default;
};

// A replica's hoster shows that the encoder signed `commitment`
// (replica_commitment_claim.hpp) for this replica at the length being
// sealed, yet submitted another root: the encoder's word against itself.
// Verified on chain (root_dispute.hpp). A call of its own (tag 14) rather
// than a variant of dispute_sealing's bytes, so tag 13 keeps its one layout.
struct dispute_replica_root {
  feed_key feed;
  std::uint32_t replica = 0;
  replica_commitment commitment;
  signature encoder_signature{};
  bool operator==(const dispute_replica_root&) const = default;
};

// A replica's hoster reports that the encoder submitted its root but never
// pushed the whole replica: the hoster holds `received` blocks of the
// sealing. The chain cannot tell a withholding encoder from a hoster that
// lies about it (sealing_dispute.hpp), so the report names both and neither
// is paid or penalized.
struct report_withheld_sealing {
  feed_key feed;
  std::uint32_t replica = 0;
  std::uint64_t received = 0;
  bool operator==(const report_withheld_sealing&) const = default;
};

using call = std::variant<register_node, unregister_node, transfer_ratio, publish_feed, join_validators,
                          leave_validators, report_equivocation, report_double_vote, submit_replica_root,
                          submit_storage_proof, submit_attestation, back_feed, update_feed, dispute_sealing,
                          dispute_replica_root, report_withheld_sealing>;

// A storage proof, a sealing dispute and a feed update carry a sealed block or
// node lists and have their own bounds; every other kind fits
// chain_limits::small_extrinsic_bytes_max.
std::size_t extrinsic_bytes_max_of(const call& c);

struct extrinsic {
  account_id signer;
  std::uint64_t nonce = 0;
  call body;
  signature sig{};
  bool operator==(const extrinsic&) const = default;
};

// The canonical bytes the signature covers (signer, nonce, call).
bytes signed_payload(const extrinsic& x);
extrinsic make_extrinsic(const chain_id& chain, const key_pair& signer, std::uint64_t nonce, call body);
bool verify_extrinsic_signature(const extrinsic& x, const chain_id& chain);

void encode(canonical_writer& w, const extrinsic& x);
bytes encode_extrinsic(const extrinsic& x);
// Checks the size bound before parsing.
chain_result<extrinsic> decode_extrinsic(byte_view in);
hash32 hash_of(const extrinsic& x);

}  // namespace datdot

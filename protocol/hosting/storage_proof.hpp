// Proof of data possession: a hoster answers a challenge for block `index` of
// its replica with the sealed block, its path in the replica's Merkle tree and
// the original block's path in the signed feed tree. Checking it needs no
// secret: the sealed block must hash into the replica root the encoder and
// hoster committed to, and must unseal to a block that hashes into the feed's
// signed roots. Pure: the chain runtime runs exactly this.
#pragma once

#include <vector>

#include "crypto/proof.hpp"
#include "crypto/seal_codec.hpp"

namespace datdot {

// What the chain records when a replica is activated: the replica tree over
// the sealed blocks, as its roots' tree hash and length.
struct replica_commitment {
  hash32 tree_hash{};
  std::uint64_t length = 0;
  friend bool operator==(const replica_commitment&, const replica_commitment&) = default;
};

struct storage_proof {
  std::uint64_t index = 0;
  bytes sealed;
  std::uint64_t plain_bytes = 0;               // the original block's size
  std::vector<tree_node> replica_path;         // siblings of the sealed leaf up to its replica root
  std::vector<tree_node> replica_roots;        // all roots of the replica tree (hash to the commitment)
  std::vector<tree_node> feed_path;            // siblings of the original leaf up to its feed root
  friend bool operator==(const storage_proof&, const storage_proof&) = default;
};

// The commitment to a replica tree with these roots.
replica_commitment commit_replica(const std::vector<tree_node>& roots);

// Checks a proof against the replica commitment, the feed's trusted (signed)
// roots, the encoder's public sealing key and the replica's key. Any mismatch
// is errc::verification_failed with what failed.
result<void> verify_storage_proof(const storage_proof& proof, const replica_commitment& replica,
                                  const std::vector<tree_node>& feed_roots, const unsealer& encoder,
                                  const replica_key& key);

}  // namespace datdot

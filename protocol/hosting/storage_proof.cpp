#include "protocol/hosting/storage_proof.hpp"

#include <algorithm>

#include "crypto/flat_tree.hpp"

namespace datdot {

namespace {
error failed(const std::string& what) { return make_error(errc::verification_failed, "storage proof: " + what); }
}  // namespace

replica_commitment commit_replica(const std::vector<tree_node>& roots) {
  std::uint64_t length = 0;
  for (const auto& r : roots) length += flat_tree::leaf_count(r.index);
  return {tree_hash(roots), length};
}

result<void> verify_storage_proof(const storage_proof& proof, const replica_commitment& replica,
                                  const std::vector<tree_node>& feed_roots, const unsealer& encoder,
                                  const replica_key& key) {
  if (proof.index >= replica.length) return failed("block index is past the replica's length");
  for (const auto& r : proof.replica_roots)
    if (!flat_tree::index_in_range(r.index)) return failed("replica root index out of range");
  if (commit_replica(proof.replica_roots) != replica) return failed("replica roots do not match the commitment");
  const auto sealed_root = root_of_block({proof.index, proof.sealed, proof.replica_path});
  if (!sealed_root) return failed(sealed_root.err().message);
  if (std::find(proof.replica_roots.begin(), proof.replica_roots.end(), *sealed_root) == proof.replica_roots.end())
    return failed("sealed block does not hash into the replica tree");
  auto plain = encoder.unseal(key, proof.index, proof.sealed, proof.plain_bytes);
  if (!plain) return failed(plain.err().message);
  const auto in_feed = verify_block({proof.index, std::move(*plain), proof.feed_path}, feed_roots);
  if (!in_feed) return failed("unsealed block is not the feed's block: " + in_feed.err().message);
  return ok;
}

}  // namespace datdot

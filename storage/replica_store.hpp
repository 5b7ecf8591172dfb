// A hoster's sealed replicas at rest: for every replica of a feed it keeps the
// sealed blocks, each block's plain (original) size, the replica tree over the
// sealed blocks and a head (replica key, the encoder's public sealing key,
// length and tree hash). Records are keyed like feeds, by replica id and then
// big-endian index. A `replica` is one of them opened for use: appends are
// atomic, reopening checks the stored roots against the head, and it answers
// storage challenges with the proof the chain verifies.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "crypto/merkle_tree.hpp"
#include "protocol/hosting/storage_proof.hpp"
#include "storage/lmdb_env.hpp"

namespace datdot::storage {

// Which replica: the feed's key and the replica's slot in the feed's replica
// list on chain. Stored as the 36 bytes feed || big-endian slot rather than a
// hash of them, so that list() can give ids back and a feed's replicas sort together.
struct replica_id {
  hash32 feed{};
  std::uint32_t slot = 0;

  friend bool operator==(const replica_id&, const replica_id&) = default;
};

struct replica_head {
  replica_key key{};
  seal_codec_id codec = seal_codec_id::rabin_williams_2048;
  bytes encoder_key;     // the encoder's public sealing key (unsealer::public_key_bytes)
  std::uint64_t length = 0;
  hash32 tree_hash{};    // of the replica tree at `length`: what reopening checks the roots against

  friend bool operator==(const replica_head&, const replica_head&) = default;
};

// The four databases replicas live in.
class replica_store {
 public:
  static result<replica_store> open(environment& env);

  result<std::optional<replica_head>> head(const replica_id& id) const;
  result<std::vector<replica_id>> list() const;
  result<bytes> sealed(const replica_id& id, std::uint64_t index) const;
  result<std::uint64_t> plain_size(const replica_id& id, std::uint64_t index) const;
  result<tree_node> node(const replica_id& id, std::uint64_t index) const;

  // Writes sealed blocks and their plain sizes from index length_before (0 for
  // a new replica), the new tree nodes and the head, in one transaction.
  // length_before is the stored length the writer believes in (nullopt: the
  // replica must not exist yet); a stored head that disagrees fails the write,
  // so a stale handle cannot overwrite blocks another one appended.
  result<void> write(const replica_id& id, std::optional<std::uint64_t> length_before,
                     std::span<const bytes> sealed, std::span<const std::uint64_t> plain_sizes,
                     const std::vector<tree_node>& nodes, const replica_head& head) const;

  // Removes every record of a replica; erasing one that is not there is not an error.
  result<void> erase(const replica_id& id) const;

  environment& env() const noexcept { return *env_; }

 private:
  replica_store(environment& env, dbi heads, dbi blocks, dbi sizes, dbi nodes)
      : env_(&env), heads_(heads), blocks_(blocks), sizes_(sizes), nodes_(nodes) {}
  environment* env_;
  dbi heads_, blocks_, sizes_, nodes_;
};

class replica {
 public:
  // A new, empty replica; fails if one with this id exists, or if the encoder key is not a key of the codec.
  static result<replica> create(const replica_store& store, const replica_id& id, const replica_key& key,
                                seal_codec_id codec, bytes encoder_key);
  // Opens an existing replica, checking its stored roots against the head's length and tree hash.
  static result<replica> open(const replica_store& store, const replica_id& id);

  // Appends sealed blocks with their blocks' plain sizes; all or nothing. Used
  // for the whole replica first and for extensions when the feed grows. Sizes
  // are checked against the codec; the sealings themselves only by verify_all.
  result<void> append(std::span<const bytes> sealed, std::span<const std::uint64_t> plain_sizes);

  result<bytes> sealed(std::uint64_t index) const;
  result<std::uint64_t> plain_size(std::uint64_t index) const;
  replica_commitment commitment() const { return commit_replica(tree_.roots()); }
  node_lookup lookup() const;

  // The answer to a challenge for block `index`. feed_path is the original
  // block's sibling path in the feed tree, which the replica does not keep
  // (the caller has it from its feed copy or the encoder; the chain checks it).
  result<storage_proof> prove(std::uint64_t index, std::vector<tree_node> feed_path) const;
  // The original block, unsealed with the encoder's public key: what readers are served.
  result<bytes> original(std::uint64_t index) const;
  // Re-hashes every sealed block against the stored tree and unseals each one
  // (slow: a full unseal of the replica); the error names the first bad block.
  result<void> verify_all() const;

  const replica_id& id() const noexcept { return id_; }
  const replica_head& head() const noexcept { return head_; }
  const merkle_tree& tree() const noexcept { return tree_; }

 private:
  result<void> within(std::uint64_t index) const;  // errc::out_of_range past the end
  replica(const replica_store& store, replica_id id, replica_head head, merkle_tree tree,
          std::shared_ptr<const unsealer> encoder)
      : store_(&store), id_(id), head_(std::move(head)), tree_(std::move(tree)), encoder_(std::move(encoder)) {}

  const replica_store* store_;
  replica_id id_;
  replica_head head_;
  merkle_tree tree_;
  std::shared_ptr<const unsealer> encoder_;  // shared so that handles copy like feed handles
};

}  // namespace datdot::storage

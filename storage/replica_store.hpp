// A hoster's sealed replicas at rest: for every replica of a feed it keeps the
// sealed blocks, each block's plain (original) size, the nodes of the feed's
// Merkle tree over the blocks it holds, the replica tree over the sealed
// blocks and a head (replica key, the encoder's public sealing key, the feed
// roots it is filled towards, length and tree hash). The hoster keeps no copy
// of the feed, so the feed tree's nodes are kept here: challenges and readers
// need paths to the feed's roots, and since a feed grows (update_feed) they
// need them at whichever length the chain agreed on, not only the newest.
// With the blocks it keeps the encoder's signed commitment of the tree they
// make (root_evidence), written with them, so a restarted hoster can still
// dispute another root the encoder submits.
// Records are keyed like feeds, by replica id and then big-endian index. A
// `replica` is one of them opened for use: appends are atomic, reopening
// checks the stored roots against the head, and it answers storage
// challenges with the proof the chain verifies and readers with the original
// blocks, both at any length it holds.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "crypto/merkle_tree.hpp"
#include "protocol/hosting/root_evidence.hpp"
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
  std::vector<tree_node> feed_roots;  // the feed's roots at the length the replica is filled towards
  std::uint64_t length = 0;
  hash32 tree_hash{};    // of the replica tree at `length`: what reopening checks the roots against

  friend bool operator==(const replica_head&, const replica_head&) = default;
};

// The six databases replicas live in.
class replica_store {
 public:
  static result<replica_store> open(environment& env);

  result<std::optional<replica_head>> head(const replica_id& id) const;
  result<std::vector<replica_id>> list() const;
  result<bytes> sealed(const replica_id& id, std::uint64_t index) const;
  result<std::uint64_t> plain_size(const replica_id& id, std::uint64_t index) const;
  result<tree_node> node(const replica_id& id, std::uint64_t index) const;
  result<tree_node> feed_node(const replica_id& id, std::uint64_t index) const;
  result<std::optional<root_evidence>> evidence(const replica_id& id) const;
  // Sealed bytes of every replica stored here (the sizes of their trees' roots).
  result<std::uint64_t> sealed_bytes() const;

  // Writes sealed blocks and their plain sizes from index length_before (0
  // for a new replica), the new replica and feed tree nodes and the head, in
  // one transaction.
  // length_before is the stored length the writer believes in (nullopt: the
  // replica must not exist yet); a stored head that disagrees fails the write,
  // so a stale handle cannot overwrite blocks another one appended.
  // evidence is the encoder's signed commitment of the tree in `head` and
  // replaces the stored one; without it, a write that adds blocks drops the
  // stored one (it describes a shorter tree) and one that adds none keeps it.
  result<void> write(const replica_id& id, std::optional<std::uint64_t> length_before,
                     std::span<const bytes> sealed, std::span<const std::uint64_t> plain_sizes,
                     const std::vector<tree_node>& feed_nodes, const std::vector<tree_node>& nodes,
                     const replica_head& head, const std::optional<root_evidence>& evidence) const;

  // Removes every record of a replica; erasing one that is not there is not an error.
  result<void> erase(const replica_id& id) const;

  environment& env() const noexcept { return *env_; }

 private:
  replica_store(environment& env, dbi heads, dbi blocks, dbi sizes, dbi nodes, dbi feed_nodes, dbi evidence)
      : env_(&env), heads_(heads), blocks_(blocks), sizes_(sizes), nodes_(nodes), feed_nodes_(feed_nodes),
        evidence_(evidence) {}
  environment* env_;
  dbi heads_, blocks_, sizes_, nodes_, feed_nodes_, evidence_;
};

class replica {
 public:
  // A new, empty replica of the feed whose roots are feed_roots (checked
  // against the chain by the caller); it is filled up to their length. Fails
  // if one with this id exists, if the encoder key is not a key of the codec,
  // or if the roots are not the roots of a tree.
  static result<replica> create(const replica_store& store, const replica_id& id, const replica_key& key,
                                seal_codec_id codec, bytes encoder_key, std::vector<tree_node> feed_roots);
  // Opens an existing replica, checking its stored roots against the head's length and tree hash.
  static result<replica> open(const replica_store& store, const replica_id& id);

  // Appends sealed blocks from index `first` with their blocks' plain sizes
  // and feed paths (one of each per block, paths to the head's feed roots),
  // in as many runs as the encoder sends, up to the length of the feed roots;
  // all or nothing. Each block is unsealed and must hash with its path to a
  // feed root: the feed tree nodes kept are the ones that check computes.
  // A run may start before the end (an encoder that started its work over
  // sends it again): the blocks it holds already must be the same bytes of
  // the same sizes, and only the rest is added. `evidence`, the encoder's
  // signed commitment of the tree the run makes, is kept if the run adds
  // blocks (without it, the one kept before is dropped).
  result<void> append(std::uint64_t first, std::span<const bytes> sealed, std::span<const std::uint64_t> plain_sizes,
                      std::span<const std::vector<tree_node>> feed_paths, std::optional<root_evidence> evidence);
  // The feed grew (update_feed): the replica is filled on towards these
  // roots, of a longer feed. Blocks already kept stay provable at every
  // length they were provable at before.
  result<void> grow(std::vector<tree_node> feed_roots);

  result<bytes> sealed(std::uint64_t index) const;
  result<std::uint64_t> plain_size(std::uint64_t index) const;
  // Paths, roots and proofs at `length` (at most the replica's length); without
  // it, the feed path goes to the head's feed roots (where the replica is
  // filled towards) and the replica path to the replica's roots.
  result<std::vector<tree_node>> feed_path(std::uint64_t index) const;
  result<std::vector<tree_node>> feed_path(std::uint64_t index, std::uint64_t length) const;
  result<std::vector<tree_node>> feed_roots(std::uint64_t length) const;
  replica_commitment commitment() const { return commit_replica(tree_.roots()); }
  result<std::vector<tree_node>> roots(std::uint64_t length) const;  // of the replica tree
  result<merkle_tree> tree(std::uint64_t length) const;               // the replica tree as it was at `length`
  // The encoder's signed commitment of this tree, if the run that made it came with one.
  result<std::optional<root_evidence>> evidence() const { return store_->evidence(id_); }
  node_lookup lookup() const;
  node_lookup feed_lookup() const;

  // The answer to a challenge for block `index`, with its feed path.
  result<storage_proof> prove(std::uint64_t index) const;
  result<storage_proof> prove(std::uint64_t index, std::uint64_t length) const;
  // The original block, unsealed with the encoder's public key, with its
  // feed path: what readers are served (they check it against the feed roots).
  result<block_proof> read(std::uint64_t index) const;
  result<block_proof> read(std::uint64_t index, std::uint64_t length) const;
  // Re-hashes every sealed block against the stored tree, unseals each one and
  // checks it with its feed path against the feed roots (slow: a full unseal
  // of the replica); the error names the first bad block.
  result<void> verify_all() const;

  const replica_id& id() const noexcept { return id_; }
  const replica_head& head() const noexcept { return head_; }
  const merkle_tree& tree() const noexcept { return tree_; }

 private:
  // The blocks of a run from `first` that the replica holds: they must be the ones it keeps.
  result<void> same_as_kept(std::uint64_t first, std::span<const bytes> sealed,
                            std::span<const std::uint64_t> plain_sizes) const;
  result<void> within(std::uint64_t index) const;  // errc::out_of_range past the end
  result<void> within(std::uint64_t index, std::uint64_t length) const;
  result<void> up_to(std::uint64_t length) const;  // errc::out_of_range past the replica's length
  result<block_proof> read_with(std::uint64_t index, std::vector<tree_node> feed_path) const;
  result<bytes> unseal(std::uint64_t index, const bytes& sealed, std::uint64_t plain_size) const;
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

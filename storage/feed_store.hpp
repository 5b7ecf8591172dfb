// Feeds at rest: every feed in an LMDB environment keeps its blocks, its tree
// nodes and its head (signer, mode, length, fork, signature for that length),
// keyed by discovery key and then big-endian index so appends insert in order.
// A `feed` is one of them opened for use: appends are atomic (blocks, nodes
// and the new signature commit together or not at all) and reopening checks
// the stored signature against the stored roots.
#pragma once

#include <optional>
#include <vector>

#include "crypto/keys.hpp"
#include "crypto/proof.hpp"
#include "storage/lmdb_env.hpp"

namespace datdot::storage {

struct feed_head {
  public_key signer{};
  signing_mode mode = signing_mode::manifest_v1;
  std::uint64_t length = 0;
  std::uint64_t byte_length = 0;
  std::uint64_t fork = 0;
  signature sig{};  // raw ed25519 over the signable at `length` (zero when length is 0)

  friend bool operator==(const feed_head&, const feed_head&) = default;
};

// What an append writes besides its blocks: the new tree nodes and, unless
// the feed must not move yet (an import in progress), the new head.
struct append_tail {
  std::vector<tree_node> nodes;
  std::optional<feed_head> head;
};

// Appends at least this big hash on a second thread while the blocks are written.
inline constexpr std::size_t parallel_append_bytes_min = 1024 * 1024;

// The three databases feeds live in.
class feed_store {
 public:
  static result<feed_store> open(environment& env);

  result<std::optional<feed_head>> head(const hash32& discovery_key) const;
  result<std::vector<hash32>> discovery_keys() const;
  result<bytes> block(const hash32& discovery_key, std::uint64_t index) const;
  result<tree_node> node(const hash32& discovery_key, std::uint64_t index) const;

  // Writes the blocks starting at first_index, then the tail, in one transaction. Without
  // a head the feed does not move: importers write blocks first and the verified head
  // last, so a crash mid-import leaves no half-feed behind. The tail source is called
  // after the blocks are in (so it may still be computing) and again if the map grows.
  using tail_source = std::function<result<const append_tail*>()>;
  result<void> write(const hash32& discovery_key, std::uint64_t first_index,
                     std::span<const bytes> blocks, const tail_source& tail) const;
  result<void> write(const hash32& discovery_key, std::uint64_t first_index,
                     std::span<const bytes> blocks, const append_tail& tail) const;

  // Removes every block, node and the head of a feed (used to undo a failed import).
  result<void> erase(const hash32& discovery_key) const;

  environment& env() const noexcept { return *env_; }

 private:
  feed_store(environment& env, dbi heads, dbi blocks, dbi nodes)
      : env_(&env), heads_(heads), blocks_(blocks), nodes_(nodes) {}
  environment* env_;
  dbi heads_, blocks_, nodes_;
};

class feed {
 public:
  // A new, empty feed for this signer; fails if it exists already.
  static result<feed> create(const feed_store& store, const public_key& signer, signing_mode mode);
  // Opens an existing feed, checking its stored signature against its stored roots.
  static result<feed> open(const feed_store& store, const hash32& discovery_key);

  // Appends blocks and re-signs; all or nothing. `sk` must belong to the signer.
  result<void> append(std::span<const bytes> blocks, const secret_key& sk);
  // Imports blocks signed elsewhere: the new head is kept only if `sig` verifies for the result.
  result<void> append_signed(std::span<const bytes> blocks, std::uint64_t fork, const signature& sig);

  result<bytes> get(std::uint64_t index) const;
  result<feed_proof> proof(std::uint64_t index) const;
  node_lookup lookup() const;
  // Re-hashes every block and checks the tree and signature; the error names the first bad block.
  result<void> verify_all() const;

  const feed_identity& identity() const noexcept { return identity_; }
  const feed_head& head() const noexcept { return head_; }
  const merkle_tree& tree() const noexcept { return tree_; }
  bytes stored_signature() const { return identity_.encode_signature(head_.sig); }

 private:
  feed(const feed_store& store, feed_identity identity, feed_head head, merkle_tree tree)
      : store_(&store), identity_(std::move(identity)), head_(head), tree_(std::move(tree)) {}
  // Appends blocks; seal_head turns the grown tree into the new head (signing or checking).
  result<void> commit(std::span<const bytes> blocks,
                      const std::function<result<feed_head>(const merkle_tree&)>& seal_head);

  const feed_store* store_;
  feed_identity identity_;
  feed_head head_;
  merkle_tree tree_;
};

}  // namespace datdot::storage

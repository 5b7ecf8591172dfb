// The hosting data plane: what publishers, encoders, hoster and readers send
// each other about feed data. Carried opaque in the bus's data_request /
// data_response frames (protocol/bus_messages.hpp), in the chain's canonical
// encoding (strict: one encoding per value, bounded before anything is
// allocated), so the bytes are checked by one decoder wherever they arrive.
//
// Trust is anchored on chain: a feed's roots must hash to the tree hash its
// publish_feed recorded (which the chain checked against the feed's own
// signature), and each block must verify against those roots.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "crypto/proof.hpp"
#include "protocol/chain/chain_error.hpp"
#include "protocol/chain/chain_ids.hpp"
#include "protocol/hosting/storage_proof.hpp"

namespace datdot {

namespace data_limits {
// One message fits one bus frame of the smallest allowed size.
inline constexpr std::size_t message_bytes_max = 112 * 1024;
inline constexpr std::size_t blocks_per_message_max = 64;
inline constexpr std::size_t nodes_max = 64;          // roots, and each block's path
inline constexpr std::size_t reason_bytes_max = 256;
}  // namespace data_limits

// Any reader to a publisher or a hoster: blocks first .. first+count-1 of a
// feed, count at most blocks_per_message_max (what one answer can hold),
// proved against the feed's tree at `length` blocks: an encoder extending a
// replica asks for its extension's target, which the feed may have grown
// past since. 0 asks for the server's own choice (a publisher: the length the
// chain recorded; a hoster: the length its replica is agreed at).
struct feed_blocks_request {
  feed_key feed;
  std::uint64_t first = 0;
  std::uint32_t count = 0;
  std::uint64_t length = 0;
  bool operator==(const feed_blocks_request&) const = default;
};

// The answer: the feed's roots at that length and each block with its path
// to them. A server sends as many of the asked blocks as fit.
struct feed_blocks {
  std::vector<tree_node> roots;
  std::vector<block_proof> blocks;
  bool operator==(const feed_blocks&) const = default;
};

struct sealed_block {
  bytes sealed;
  std::uint64_t plain_bytes = 0;
  std::vector<tree_node> feed_path;  // the original block's path to the feed roots
  // The encoder's signature over this block of this replica (sealed_block_claim.hpp):
  // a hoster disputes a bad block with it, so no encoder can disown what it sent.
  signature encoder_signature{};
  bool operator==(const sealed_block&) const = default;
};

// An encoder to a replica's hoster: the next run of sealed blocks, in order.
// The hoster answers with replica_ack before the encoder sends more (one run
// in flight: the credit that keeps a slow hoster from being flooded). The
// encoder also signs the replica tree's commitment after the run
// (replica_commitment_claim.hpp): the hoster takes the run only if that is
// the tree it builds, and keeps the last one against a false root.
struct replica_push {
  feed_key feed;
  std::uint32_t replica = 0;
  std::uint64_t first = 0;
  std::vector<tree_node> feed_roots;
  std::vector<sealed_block> blocks;
  replica_commitment replica_after;
  signature commitment_signature{};
  bool operator==(const replica_push&) const = default;
};

struct replica_ack {
  std::uint64_t next = 0;  // the index the hoster expects next
  bool operator==(const replica_ack&) const = default;
};

// An encoder extending a replica to its hoster: the replica tree's roots at
// `length` (the length the chain agreed), which the encoder checks against
// the chain's commitment and grows with the blocks it seals.
struct replica_roots_request {
  feed_key feed;
  std::uint32_t replica = 0;
  std::uint64_t length = 0;
  bool operator==(const replica_roots_request&) const = default;
};

struct replica_roots {
  std::vector<tree_node> roots;
  bool operator==(const replica_roots&) const = default;
};

// Any request refused, with why (unknown feed, not assigned, bad block ...).
struct data_refusal {
  std::string reason;
  bool operator==(const data_refusal&) const = default;
};

// Tags on the wire are the variant's indices; new kinds go at the end.
using data_message = std::variant<feed_blocks_request, feed_blocks, replica_push, replica_ack, data_refusal,
                                  replica_roots_request, replica_roots>;

// Not bounded here: a sender keeps within data_limits (a server stops adding
// blocks before message_bytes_max), or the receiver refuses the message.
bytes encode_data_message(const data_message& m);
// Strict: checks data_limits before parsing and refuses non-canonical bytes.
chain_result<data_message> decode_data_message(byte_view in);

}  // namespace datdot

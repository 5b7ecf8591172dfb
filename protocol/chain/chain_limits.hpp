// Every bound of the chain in one place: extrinsic and block sizes, state
// sizes, validator pools and queues, finality windows. The static_asserts say
// how they relate; change a number here, never at a use site.
#pragma once

#include <cstddef>
#include <cstdint>

namespace datdot::chain_limits {

// Fixed point: one whole ratio is this many units (six decimals).
inline constexpr std::uint64_t ratio_units_per_one = 1'000'000;

// Extrinsics and blocks (canonical bytes).
inline constexpr std::size_t bus_address_bytes_max = 128;
inline constexpr std::size_t seal_key_bytes_max = 512;  // an encoder's public sealing key (RW-2048: 256)
inline constexpr std::size_t header_bytes = 32 + 8 + 8 + 32 + 64 + 32 + 32;  // see block_header
inline constexpr std::size_t signed_header_bytes = header_bytes + 64;
inline constexpr std::size_t vote_bytes = 1 + 8 + 8 + 32 + 8 + 32;           // see vote
inline constexpr std::size_t signed_vote_bytes = vote_bytes + 64;
// Every kind but a storage proof and a feed update fits the small bound; a
// proof carries one sealed block (at most storage_proof_sealed_bytes_max) and
// four node lists.
inline constexpr std::size_t small_extrinsic_bytes_max = 1024;
inline constexpr std::size_t storage_proof_plain_bytes_max = 64 * 1024;  // feed blocks a hoster can prove
inline constexpr std::size_t storage_proof_sealed_bytes_max = 68 * 1024;
inline constexpr std::size_t storage_proof_nodes_max = 64;  // per path and for the roots
inline constexpr std::size_t tree_node_bytes = 8 + 8 + 32;
// A storage proof's extrinsic without its sealed block and node lists (signer,
// nonce, signature, call tag, challenge, index, sizes), and an attestation's whole.
inline constexpr std::size_t storage_proof_fixed_bytes = 256;
inline constexpr std::size_t attestation_bytes_max = 256;
inline constexpr std::size_t extrinsic_bytes_max = 84 * 1024;
// A feed update carries the old roots and the upgrade nodes, each list at most
// storage_proof_nodes_max long: enough for any jump within a feed of 2^32
// blocks (at most 32 connecting siblings plus 32 new roots); a larger jump is
// made as two updates.
inline constexpr std::size_t feed_update_bytes_max = 8 * 1024;
inline constexpr std::size_t block_extrinsics_max = 2048;
// Whole blocks travel in one bus frame (gossip and sync answers), so this is
// tied to the bus's smallest frame limit (bus_limits.hpp asserts it); a
// leader stops filling its block at this size, not at the extrinsic count.
inline constexpr std::size_t block_bytes_max = 112 * 1024;

// State.
inline constexpr std::size_t validators_max = 100;
inline constexpr std::size_t nodes_max = std::size_t{1} << 20;  // registered nodes
inline constexpr std::size_t feeds_max = std::size_t{1} << 24;  // hosting requests
// Selection weights are clamped here so that any sum over all nodes is exact.
inline constexpr std::uint64_t selection_weight_max = std::uint64_t{1} << 40;
inline constexpr std::size_t replicas_per_feed_max = 16;
// A feed moves one replica at a time, and the moving one keeps its slot until
// its replacement is active: one slot more than the replicas it wants.
inline constexpr std::size_t replica_slots_per_feed_max = replicas_per_feed_max + 1;
// Replica assignments one block makes (the rest wait for the next block).
inline constexpr std::size_t assignments_per_block_max = 64;
// Reshuffle: moves one block tries to start (each is one more assignment; a
// try that finds no hoster counts too), how long a replica that could not
// move waits before it tries again, and the longest period (so due blocks
// never overflow).
inline constexpr std::size_t moves_per_block_max = 4;
inline constexpr std::uint64_t move_retry_blocks = 100;
inline constexpr std::uint64_t reshuffle_period_slots_max = std::uint64_t{1} << 40;
inline constexpr std::uint64_t feed_byte_size_max = std::uint64_t{1} << 50;  // 1 PiB
inline constexpr std::uint64_t epoch_length_slots_min = 4;
inline constexpr std::uint64_t slot_duration_ms_min = 10;

// Validator state machine: pools and queues (entries, not bytes).
inline constexpr std::size_t transaction_pool_max = 8192;
inline constexpr std::size_t transaction_pool_bytes_max = 32 * 1024 * 1024;
// Hosting: challenges open at once (one per active replica at most) and attesters per challenge.
inline constexpr std::size_t attesters_per_challenge_max = 8;
inline constexpr std::uint64_t challenge_deadline_blocks_min = 2;
// Once the encoder of a replica has submitted its root, its hoster has this
// many blocks to submit the same root or a sealing dispute; otherwise it is
// the one that cannot back its side and is named (sealing_dispute.hpp). An
// honest hoster has its root in before the encoder (it has every block once
// the encoder's last run is acknowledged) or disputes as soon as a bad block
// arrives; the window leaves room for a dispute's fetch of the original block
// and for a few blocks' delay in the pool, at 6 s slots five minutes.
inline constexpr std::uint64_t hoster_answer_blocks = 50;
// The encoder of a replica must have its root in by this deadline from the
// assignment (or from an extension's start), else the sealing times out and
// goes to another encoder (sealing_deadline.hpp). The base covers what does
// not grow with the feed: the encoder acts on finalized blocks, finds a
// source, and its root waits in the pool (at 6 s slots ten minutes). On top,
// the time sealing the bytes takes at an assumed 32 KiB/s per replica, in
// blocks of the chain's slot duration: an eighth of one core's sealing rate
// as first measured (0.27-0.33 MB/s; 1.06 MB/s since the Legendre symbols
// come off the roots, README "Benchmarks"), so an encoder sealing eight
// replicas on a slower core, or the 2-core devnet's slowest measured 0.12 MiB/s
// per replica (100 MiB to 3 replicas in 899 s), is not cut off. Time, not a
// progress report, sets it: progress is the hoster's word, and a hoster that
// holds the encoder up would keep a replica in encoding for as long as it liked.
inline constexpr std::uint64_t sealing_deadline_base_blocks = 100;
inline constexpr std::uint64_t sealing_ms_per_mib = 32'000;
// The extrinsic bytes the challenges one block opens may call for: their
// proofs and attestations, each bounded from what the chain knows of the
// replica (storage_challenges.hpp). They come in over the deadline window, so
// at this rate they take half of each block on average and leave the rest to
// every other call, and to proofs that bunch. A block opens at least one
// challenge however large its proof, so a proof of a 64 KiB block is still asked.
inline constexpr std::size_t challenge_bytes_per_block_max = block_bytes_max / 2;
inline constexpr std::size_t future_blocks_max = 256;   // blocks for slots not yet reached
inline constexpr std::size_t orphan_blocks_max = 512;   // blocks whose parent is unknown
inline constexpr std::size_t unfinalized_blocks_max = 4096;
inline constexpr std::size_t justification_ancestry_max = 1024;  // headers between votes and target
// Votes are kept per round (one per voter and kind) for the previous round,
// the current one and this many ahead; the rest are dropped.
inline constexpr std::uint64_t future_rounds_window = 4;
inline constexpr std::uint64_t future_slots_window = 64;   // blocks this far ahead are deferred, further dropped
inline constexpr std::uint64_t rebroadcast_after_slots = 1;  // a round stuck this long re-sends its votes
inline constexpr std::uint64_t own_calls_regossip_slots = 4;  // own calls still pooled are gossiped again this often

static_assert(ratio_units_per_one > 0);
static_assert(2 * signed_header_bytes + 64 < small_extrinsic_bytes_max, "an equivocation report fits one extrinsic");
static_assert(2 * signed_vote_bytes + 64 < small_extrinsic_bytes_max, "a double-vote report fits one extrinsic");
static_assert(bus_address_bytes_max + seal_key_bytes_max + 128 < small_extrinsic_bytes_max,
              "a registration fits one extrinsic");
static_assert(signed_header_bytes + 4 + (4 + extrinsic_bytes_max) <= block_bytes_max,
              "the largest extrinsic fits a block");
static_assert(block_extrinsics_max <= transaction_pool_max, "a leader can fill a block from its pool");
static_assert(storage_proof_fixed_bytes + storage_proof_sealed_bytes_max + 4 * 4 + 4 * storage_proof_nodes_max * tree_node_bytes <=
                  extrinsic_bytes_max,
              "a storage proof fits one extrinsic");
static_assert(256 + 2 * (4 + storage_proof_nodes_max * tree_node_bytes) <= feed_update_bytes_max &&
                  feed_update_bytes_max <= extrinsic_bytes_max,
              "a feed update with full node lists fits its bound, and the bound fits any extrinsic's");
static_assert(extrinsic_bytes_max * 4 <= transaction_pool_bytes_max, "the pool holds several largest extrinsics");
static_assert(attestation_bytes_max <= small_extrinsic_bytes_max);
static_assert(future_rounds_window >= 1);
static_assert(rebroadcast_after_slots >= 1 && rebroadcast_after_slots < future_slots_window);
static_assert(justification_ancestry_max <= unfinalized_blocks_max);
static_assert(selection_weight_max <= UINT64_MAX / nodes_max, "weight sums over all nodes fit 64 bits");
static_assert(validators_max <= nodes_max);
static_assert(moves_per_block_max >= 1 && moves_per_block_max <= assignments_per_block_max,
              "moves are bounded like the repairs they must not crowd out");
static_assert(replica_slots_per_feed_max == replicas_per_feed_max + 1, "one move per feed at a time");
static_assert(validators_max >= 1 && validators_max <= 1000);
static_assert(((feed_byte_size_max >> 20) + 1) * sealing_ms_per_mib <= UINT64_MAX / 2,
              "the sealing time of the largest feed fits 64 bits, however short the slot");

}  // namespace datdot::chain_limits

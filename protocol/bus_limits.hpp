// Every bound of the bus in one place: frame and message sizes, queue depths,
// ZeroMQ high-water marks, reconnect backoff and the garbage-peer ban. The
// static_asserts state how they relate; change a number here, not at a use site.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "protocol/chain/chain_limits.hpp"

namespace datdot::bus_limits {

// Wire sizes.
inline constexpr std::size_t frame_bytes_max = 256 * 1024;         // compile-time ceiling
inline constexpr std::size_t frame_bytes_default = 128 * 1024 + 1024;  // configurable within [min, max]
inline constexpr std::size_t envelope_overhead_bytes_max = 64;      // sender, type, correlation, kind, tags
inline constexpr std::size_t ping_padding_bytes_max = 128 * 1024;
inline constexpr std::size_t roles_max = 8;
inline constexpr std::size_t role_name_bytes_max = 16;
inline constexpr std::size_t endpoint_bytes_max = 128;
inline constexpr std::size_t peer_record_bytes_max =
    40 + roles_max * (role_name_bytes_max + 2) + endpoint_bytes_max + 8;
inline constexpr std::size_t welcome_peers_max = 32;
// A chain block gossiped whole, or answered alone to a sync request: the
// block plus the envelope and its own protobuf field and list headers.
inline constexpr std::size_t chain_block_frame_bytes = chain_limits::block_bytes_max + envelope_overhead_bytes_max + 32;
// A data-plane message travels whole in one frame; data_message.cpp asserts
// that data_limits::message_bytes_max is this bound (this library cannot see it).
inline constexpr std::size_t data_payload_bytes_max = 112 * 1024;
// The payload plus the envelope and the payload's own protobuf field header.
inline constexpr std::size_t data_frame_bytes = data_payload_bytes_max + envelope_overhead_bytes_max + 8;
// The smallest configurable frame limit still carries a full welcome and a
// largest chain block; a smaller one would stall the chain, not just slow it.
inline constexpr std::size_t frame_bytes_min =
    std::max((welcome_peers_max + 1) * peer_record_bytes_max + envelope_overhead_bytes_max, chain_block_frame_bytes);

// The chain's messages: votes per kind in one catch-up (one per validator) and
// blocks in one sync answer (the sender also stops before the frame limit).
inline constexpr std::size_t catch_up_votes_max = chain_limits::validators_max;
inline constexpr std::size_t sync_blocks_max = 64;
// Chain blocks and votes a node remembers as seen (the gossip relay's filter,
// protocol/seen_filter.hpp): a slot brings one block and at most two votes per
// validator per round, so this covers several slots of the largest set, longer
// than copies keep arriving. A copy after that is dropped by the chain's own checks.
inline constexpr std::size_t chain_seen_max = 8192;

// Peers and requests.
inline constexpr std::size_t peers_max = 256;           // routing table entries per node
inline constexpr std::size_t peers_wanted = 24;         // a node stops seeking peers beyond this many
// Routes to peers a role names for its duties, beside the gossip peers. An
// encoder in a network of 10,000 nodes had its table filled with peers that
// had found it, so the hosters it sealed for had no route and every push
// failed and was sealed again at the next block.
inline constexpr std::size_t duty_routes_max = 128;
// Another node's gossip goes on to this many peers of its group, drawn at
// random, not to all: relaying to every peer made each block cross every link
// of the mesh (16 simulated nodes moved 961 MB for four 128 KiB feeds). The
// author still sends its own gossip to every peer, so relays are redundancy
// and reach beyond the author's peers; with peers_wanted peers each, 8 gives
// every node many independent paths, and a node that misses a block pulls it
// by hash when a child arrives.
inline constexpr std::size_t relay_fanout_max = 8;
// Blocks and commits a bus remembers having passed on, to drop the copies
// that keep arriving (about relay_fanout_max of each): a slot brings one of
// each, and copies stop within a slot, so this covers many slots.
inline constexpr std::size_t gossip_keys_remembered = 64;
inline constexpr std::size_t pending_requests_max = 4096;  // outstanding requests per bus
inline constexpr std::size_t handler_requests_max = 1024;  // inbound requests awaiting a local answer
// A local answer later than this is dropped. A hoster answers a replica push
// only once the blocks are durable (an fsync'd LMDB commit), which on a busy
// disk takes seconds; the asking side's own timeout still bounds the wait.
inline constexpr std::uint64_t handler_timeout_ms = 8000;
inline constexpr std::size_t bindings_max = 2 * peers_max;  // cached CURVE key -> node id bindings

// Queues: actor -> I/O thread (bounded in frames and in bytes), and ZeroMQ's
// own per-peer high-water marks (in messages).
// Policy: when a bound is reached the *new* frame is dropped and counted
// (datdot_bus_dropped_total{reason}: queue_full, high_water_mark, ...); the
// sender is never blocked, so a slow peer cannot stall an actor. Requests
// whose frame is dropped time out. Inbound, the I/O thread stops reading
// instead (frames and bytes in flight to the bus), so TCP pushes back on the
// sender. Not bounded: the bus actor's own CAF mailbox (CAF 0.17 has no
// bounded mailboxes), so local actors must not outrun it.
inline constexpr std::size_t io_outbound_queue_max = 16384;
inline constexpr std::size_t io_outbound_queue_bytes_max = 64 << 20;  // frames are up to frame_bytes_max each
inline constexpr int zmq_send_hwm_messages = 10000;
inline constexpr int zmq_recv_hwm_messages = 10000;
inline constexpr int zmq_linger_ms = 200;
inline constexpr std::size_t io_inbound_batch_max = 256;  // frames read per poll round per socket
// Frames handed to the bus actor but not yet handled; at the bound the I/O
// thread stops reading, ZeroMQ's queues fill to the HWM and TCP pushes back.
inline constexpr std::size_t inbound_frames_in_flight_max = 8192;
inline constexpr std::size_t inbound_bytes_in_flight_max = 64 << 20;
// ZeroMQ drops a connection whose frame exceeds this (memory guard); frames
// between the configured limit and this still reach the decoder and are counted.
inline constexpr std::size_t zmq_message_bytes_max = 2 * frame_bytes_max;

// Reconnect backoff (ZeroMQ doubles from min to max).
inline constexpr int reconnect_backoff_ms_min = 100;
inline constexpr int reconnect_backoff_ms_max = 5000;
inline constexpr int handshake_timeout_ms = 5000;

// Garbage peers: this many rejected frames within the window bans the peer.
inline constexpr std::uint32_t garbage_frames_threshold = 16;
inline constexpr std::uint64_t garbage_window_ms = 10'000;
inline constexpr std::uint64_t garbage_ban_ms = 60'000;
inline constexpr std::size_t misbehavior_entries_max = 1024;  // tracked peers (oldest evicted)

static_assert(frame_bytes_min <= frame_bytes_default && frame_bytes_default <= frame_bytes_max);
static_assert(ping_padding_bytes_max + envelope_overhead_bytes_max + 16 <= frame_bytes_default,
              "the largest ping must fit the default frame limit");
static_assert(data_frame_bytes <= frame_bytes_min, "a largest data message fits the smallest frame limit");
static_assert(welcome_peers_max <= peers_max);
static_assert(chain_seen_max >= 4 * (1 + 2 * chain_limits::validators_max * chain_limits::future_rounds_window),
              "the seen filter outlasts a few slots of blocks and of every vote in the round window");
static_assert(2 * catch_up_votes_max * (chain_limits::signed_vote_bytes + 4) + envelope_overhead_bytes_max <=
                  frame_bytes_default,
              "a full catch-up fits the default frame limit");
static_assert(peers_wanted <= peers_max, "room is left for peers that find us");
static_assert(bindings_max >= peers_max, "every routed peer keeps its binding");
static_assert(io_inbound_batch_max <= static_cast<std::size_t>(zmq_recv_hwm_messages));
static_assert(io_inbound_batch_max <= inbound_frames_in_flight_max);
static_assert(io_outbound_queue_bytes_max >= 64 * frame_bytes_max, "a burst of the largest frames still queues");
static_assert(inbound_bytes_in_flight_max >= 64 * zmq_message_bytes_max / 2,
              "the reader is not stopped by a few large frames");
static_assert(zmq_message_bytes_max > frame_bytes_max, "oversized frames must reach the decoder to be counted");
static_assert(0 < reconnect_backoff_ms_min && reconnect_backoff_ms_min < reconnect_backoff_ms_max);
static_assert(handshake_timeout_ms >= reconnect_backoff_ms_min);
static_assert(garbage_frames_threshold > 1, "one bad frame is a bug, many are an attack");
static_assert(garbage_ban_ms >= garbage_window_ms);

}  // namespace datdot::bus_limits

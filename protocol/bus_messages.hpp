// The typed messages of the bus as plain structs: what role actors send and
// receive. Only protocol/frame_codec turns them into wire bytes and back, so
// nothing past the codec ever sees raw protobuf.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "protocol/node_id.hpp"
#include "protocol/roles.hpp"

namespace datdot {

inline constexpr std::uint32_t bus_protocol_version = 1;

// Numbers used in envelope.type; never reuse a retired number.
enum class message_type : std::uint32_t {
  hello = 1,
  welcome = 2,
  ping = 3,
  pong = 4,
  chain_block = 5,
  chain_vote = 6,
  chain_commit = 7,
  chain_catch_up = 8,
  chain_transaction = 9,
  block_request = 10,
  block_response = 11,
  data_request = 12,
  data_response = 13,
};

enum class frame_kind : std::uint8_t { one_way = 1, request = 2, response = 3 };

struct peer_info {
  node_id id;
  role_set roles;
  std::uint32_t version = bus_protocol_version;
  std::string endpoint;
  bool operator==(const peer_info&) const = default;
};

struct hello {
  peer_info self;
  bool operator==(const hello&) const = default;
};
struct welcome {
  peer_info self;
  std::vector<peer_info> peers;
  bool full = false;  // the responder did not add the asker (its table is full)
  bool operator==(const welcome&) const = default;
};
struct ping {
  std::uint64_t nonce = 0;
  bytes padding;
  bool operator==(const ping&) const = default;
};
struct pong {
  std::uint64_t nonce = 0;
  bool operator==(const pong&) const = default;
};

// The chain's messages: canonical bytes of protocol/chain, passed through
// untouched (the signatures cover exactly these bytes). The frame codec checks
// the envelope, counts and sizes; the validator actor decodes the bytes with
// the chain's own decoders and counts what they reject.
struct chain_block {
  bytes encoded;
  bytes commit;  // the justification of the newest block the sender knows final; may be empty
  bool operator==(const chain_block&) const = default;
};
struct chain_vote {
  bytes encoded;
  bool operator==(const chain_vote&) const = default;
};
struct chain_commit {
  bytes encoded;
  bool operator==(const chain_commit&) const = default;
};
struct chain_catch_up {
  std::uint64_t set = 0;
  std::uint64_t round = 0;
  std::vector<bytes> prevotes;
  std::vector<bytes> precommits;
  bool operator==(const chain_catch_up&) const = default;
};
struct chain_transaction {
  bytes encoded;
  bool operator==(const chain_transaction&) const = default;
};
struct block_request {
  hash32 hash{};
  std::uint32_t count = 0;
  bool operator==(const block_request&) const = default;
};
struct block_response {
  std::vector<bytes> blocks;  // oldest first
  bool operator==(const block_response&) const = default;
};

// The hosting data plane's messages: canonical bytes of
// protocol/data_plane/data_message.hpp, passed through like the chain's; the
// codec bounds their size, the data-plane actor decodes them.
struct data_request {
  bytes payload;
  bool operator==(const data_request&) const = default;
};
struct data_response {
  bytes payload;
  bool operator==(const data_response&) const = default;
};

// Alternatives are in message_type order (index + 1 == type number).
using message_body = std::variant<hello, welcome, ping, pong, chain_block, chain_vote, chain_commit, chain_catch_up,
                                  chain_transaction, block_request, block_response, data_request, data_response>;

inline message_type type_of(const message_body& body) noexcept {
  return static_cast<message_type>(body.index() + 1);
}

// Who handles a message inside a node: the bus delivers each family to the
// actor subscribed for it (the peer actor, the validator actor, the data-plane
// actor), so bulk feed data never queues behind the chain's messages.
enum class message_family : std::uint8_t { peer = 0, chain = 1, data = 2 };
inline constexpr std::size_t message_family_count = 3;

inline message_family family_of(message_type type) noexcept {
  if (type >= message_type::data_request) return message_family::data;
  return type >= message_type::chain_block ? message_family::chain : message_family::peer;
}

// A frame that passed every check: the sender is the authenticated peer.
struct inbound_message {
  node_id sender;
  frame_kind kind = frame_kind::one_way;
  std::uint64_t correlation_id = 0;
  message_body body;
};

}  // namespace datdot

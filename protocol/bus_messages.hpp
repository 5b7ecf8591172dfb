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
enum class message_type : std::uint32_t { hello = 1, welcome = 2, ping = 3, pong = 4 };

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

// Alternatives are in message_type order (index + 1 == type number).
using message_body = std::variant<hello, welcome, ping, pong>;

inline message_type type_of(const message_body& body) noexcept {
  return static_cast<message_type>(body.index() + 1);
}

// A frame that passed every check: the sender is the authenticated peer.
struct inbound_message {
  node_id sender;
  frame_kind kind = frame_kind::one_way;
  std::uint64_t correlation_id = 0;
  message_body body;
};

}  // namespace datdot

// What names a chain gossip message for dropping its copies: a block by its
// seal, read from the signed header at the front of its bytes, and a commit
// by the block it finalizes. A node that passed one on has taken it in;
// each later copy changes nothing at its chain (a known block; any commit of
// a block already final), so the bus drops it before it reaches the chain
// actor. Votes, transactions and catch-ups get no key: a copy of one can
// still make the chain answer (a lagging voter's old vote brings it a
// catch-up). Pure; the bytes are not checked, because only keys of messages
// the chain accepted and passed on are ever looked up.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>

#include "protocol/bus_messages.hpp"

namespace datdot {

struct gossip_key {
  enum class kind : std::uint8_t { block, commit } of;
  std::uint64_t word;  // 8 bytes of the block's seal or of the commit's target hash, little-endian
  auto operator<=>(const gossip_key&) const = default;
};

// None for other messages and for bytes too short to hold what names them.
std::optional<gossip_key> gossip_key_of(const message_body& body);
// The same from a message's type and canonical bytes, before they are decoded.
std::optional<gossip_key> gossip_key_of(message_type type, byte_view canonical);

}  // namespace datdot

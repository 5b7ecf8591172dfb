// What names a chain gossip message for dropping its copies: a block by its
// hash (from the header at the front of its bytes, so a large block is not
// hashed whole) and a commit by the hash of its bytes. A node that passed one
// on has taken it in; each later copy changes nothing at its chain (a known
// block, a commit of a block already final), so the bus drops it before it
// reaches the chain actor. Votes, transactions and catch-ups get no key: a
// copy of one can still make the chain answer (a lagging voter's old vote
// brings it a catch-up). Pure.
#pragma once

#include <cstdint>
#include <optional>

#include "protocol/bus_messages.hpp"

namespace datdot {

// The first 8 bytes of the hash, little-endian; none for other messages and
// for a block whose header does not decode (the chain actor rejects it).
std::optional<std::uint64_t> gossip_key(const message_body& body);

}  // namespace datdot

// Strong types for the chain's numbers and ids, so a slot is never passed as
// a block number and a feed key never as an account. Accounts are node ids:
// one ed25519 identity signs bus frames and extrinsics alike.
#pragma once

#include <compare>
#include <cstdint>

#include "crypto/bytes.hpp"
#include "protocol/node_id.hpp"

namespace datdot {

using account_id = node_id;

struct slot_number {
  std::uint64_t value = 0;
  auto operator<=>(const slot_number&) const = default;
};

struct block_number {
  std::uint64_t value = 0;
  auto operator<=>(const block_number&) const = default;
};

struct epoch_number {
  std::uint64_t value = 0;
  auto operator<=>(const epoch_number&) const = default;
};

// Counts validator-set changes; votes name the set they belong to.
struct set_id {
  std::uint64_t value = 0;
  auto operator<=>(const set_id&) const = default;
};

struct round_number {
  std::uint64_t value = 0;
  auto operator<=>(const round_number&) const = default;
};

struct block_hash {
  hash32 bytes{};
  auto operator<=>(const block_hash&) const = default;
};

// Which chain a signature is for: BLAKE2b of the canonical genesis config.
// Every signed chain message is bound to it, so nothing replays across chains.
struct chain_id {
  hash32 bytes{};
  auto operator<=>(const chain_id&) const = default;
};

// A hypercore's key (hypercore 11: hash of the manifest; 10: the signer key).
struct feed_key {
  hash32 bytes{};
  auto operator<=>(const feed_key&) const = default;
};

// Non-negative fixed point: chain_limits::ratio_units_per_one units are 1.
struct ratio {
  std::uint64_t units = 0;
  auto operator<=>(const ratio&) const = default;
};

}  // namespace datdot

// Bounds on feeds that every layer agrees on: what a block, a feed and an
// export file may hold. Input past these is refused with an error, not truncated.
#pragma once

#include <cstddef>
#include <cstdint>

#include "crypto/flat_tree.hpp"

namespace datdot::feed_limits {

inline constexpr std::size_t block_bytes_default = 64 * 1024;
inline constexpr std::size_t block_bytes_max = 1024 * 1024;
// A hosted feed's blocks: a storage proof carries a whole sealed block in one extrinsic.
inline constexpr std::size_t hosted_block_bytes_max = 64 * 1024;
// Bytes of blocks buffered per LMDB commit while creating or importing a feed.
inline constexpr std::size_t batch_bytes_max = 64 * 1024 * 1024;
inline constexpr std::uint64_t length_max = std::uint64_t{1} << 40;
inline constexpr std::size_t export_header_bytes_max = 4096;

static_assert(block_bytes_default <= hosted_block_bytes_max && hosted_block_bytes_max <= block_bytes_max);
static_assert(block_bytes_max <= batch_bytes_max);
static_assert(length_max <= flat_tree::length_max);

}  // namespace datdot::feed_limits

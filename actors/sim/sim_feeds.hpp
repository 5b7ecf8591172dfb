// What a simulated publisher publishes and appends: files of seeded bytes,
// so the same seed gives the same blocks (and, with the publisher's seeded
// keys, the same feeds and chain).
#pragma once

#include <filesystem>

#include "crypto/result.hpp"

namespace datdot {

// Writes `bytes` seeded bytes to `path`.
result<void> make_sim_bytes(const std::filesystem::path& path, std::uint64_t seed, std::uint64_t bytes);

}  // namespace datdot

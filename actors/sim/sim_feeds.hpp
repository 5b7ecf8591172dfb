// The feeds a simulated publisher publishes: a feed export (`datdot feed
// export` format) of seeded bytes, signed by a seeded key, so the same seed
// gives the same feed keys and blocks, and with them the same chain.
#pragma once

#include <filesystem>

#include "crypto/result.hpp"

namespace datdot {

// Writes `path` (the export) through a working feed directory next to it.
result<void> make_sim_feed(const std::filesystem::path& path, std::uint64_t seed, std::uint64_t bytes);

}  // namespace datdot

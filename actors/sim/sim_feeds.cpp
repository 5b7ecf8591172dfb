#include "actors/sim/sim_feeds.hpp"

#include <fstream>

#include "actors/deterministic_random.hpp"

namespace datdot {

result<void> make_sim_bytes(const std::filesystem::path& path, std::uint64_t seed, std::uint64_t bytes) {
  deterministic_random random{seed};
  std::ofstream content{path, std::ios::binary};
  for (std::uint64_t i = 0; i < bytes; ++i) content.put(static_cast<char>(random.next()));
  if (!content.flush()) return make_error(errc::io_error, "cannot write " + path.string());
  return {};
}

}  // namespace datdot

#include "actors/sim/sim_feeds.hpp"

#include <fstream>

#include "actors/deterministic_random.hpp"
#include "storage/feed_directory.hpp"
#include "storage/feed_export.hpp"
#include "storage/feed_source.hpp"

namespace datdot {

namespace fs = std::filesystem;

result<void> make_sim_feed(const fs::path& path, std::uint64_t seed, std::uint64_t bytes) {
  deterministic_random random{seed};
  key_seed key{};
  for (auto& b : key) b = static_cast<byte>(random.next());
  const auto work = fs::path{path}.concat(".work");
  std::error_code ec;
  fs::remove_all(work, ec);
  {
    std::ofstream content{fs::path{work}.concat(".bytes"), std::ios::binary};
    for (std::uint64_t i = 0; i < bytes; ++i) content.put(static_cast<char>(random.next()));
    if (!content) return make_error(errc::io_error, "cannot write the content of " + path.string());
  }
  {
    auto dir = storage::feed_directory::create(work, key, signing_mode::manifest_v1);
    if (!dir) return dir.err();
    DATDOT_CHECK(storage::append_file(*dir, fs::path{work}.concat(".bytes")));
    std::ofstream out{path, std::ios::binary};
    DATDOT_CHECK(storage::export_feed(dir->the_feed(), out));
    if (!out.flush()) return make_error(errc::io_error, "cannot write " + path.string());
  }
  fs::remove_all(work, ec);
  fs::remove(fs::path{work}.concat(".bytes"), ec);
  return {};
}

}  // namespace datdot

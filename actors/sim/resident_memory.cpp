#include "actors/sim/resident_memory.hpp"

#include <fstream>
#include <sstream>
#include <string>

namespace datdot {

std::optional<resident_memory> resident_memory_now() {
  std::ifstream status{"/proc/self/status"};
  std::optional<std::uint64_t> anon_kb, file_kb;
  for (std::string line; std::getline(status, line);) {
    std::istringstream fields{line};
    std::string name;
    std::uint64_t kb = 0;
    if (!(fields >> name >> kb)) continue;
    if (name == "RssAnon:") anon_kb = kb;
    if (name == "RssFile:") file_kb = kb;
  }
  if (!anon_kb || !file_kb) return std::nullopt;
  return resident_memory{*anon_kb * 1024, *file_kb * 1024};
}

}  // namespace datdot

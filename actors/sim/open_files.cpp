#include "actors/sim/open_files.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <string>

namespace datdot {

result<void> make_room_for_stores(std::size_t stores) {
  const rlim_t wanted = stores + sim_spare_descriptors;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return {};  // unknown: opening the stores will tell
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= wanted) return {};
  return make_error(errc::io_error, std::to_string(stores) + " nodes need " + std::to_string(wanted) +
                                        " open files (one for each node's store), but this process may open " +
                                        std::to_string(limit.rlim_cur) +
                                        " (ulimit -n; hard limit " + std::to_string(limit.rlim_max) +
                                        "): raise it or simulate fewer nodes");
}

}  // namespace datdot

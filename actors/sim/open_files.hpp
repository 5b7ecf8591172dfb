// A simulation keeps every node's store open, one file descriptor each
// (storage/lmdb_env.hpp, one_descriptor): before opening them, make sure the
// process may hold that many, raising its soft limit up to the hard one.
#pragma once

#include <cstddef>

#include "crypto/result.hpp"

namespace datdot {

// Descriptors the process needs besides the stores (standard streams, the
// scratch directory, CAF, libraries).
inline constexpr std::size_t sim_spare_descriptors = 64;

// An error naming the limit (ulimit -n) when `stores` stores and the spare
// descriptors do not fit under it.
result<void> make_room_for_stores(std::size_t stores);

}  // namespace datdot

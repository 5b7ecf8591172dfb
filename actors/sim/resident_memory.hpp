// How much of this process is resident, split the way the kernel counts it:
// anonymous (the heap: actors, states, queues) and file-backed (mapped files;
// in a simulation mostly the nodes' LMDB stores, which it maps writable, so
// every page a node wrote counts). Peak RSS alone cannot tell them apart, and
// only the anonymous part cannot be written back to disk under pressure.
// Linux (/proc/self/status); reported only, nothing simulated depends on it.
#pragma once

#include <cstdint>
#include <optional>

namespace datdot {

struct resident_memory {
  std::uint64_t anon_bytes = 0;
  std::uint64_t file_bytes = 0;
};

// Empty where /proc/self/status is missing or lacks the fields.
std::optional<resident_memory> resident_memory_now();

}  // namespace datdot

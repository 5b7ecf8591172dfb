// The finality invariants of a simulation, checked while it runs and apart
// from the workload that drives it. They read what each node made durable —
// its chain store — between runs of the scheduler, so a node that crashed and
// restarted is held to what it had finalized before: honest nodes agree on
// the finalized prefix (one block per height, whichever node finalized it),
// and a node's finalized height never goes back.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "actors/sim/sim_network.hpp"
#include "storage/chain_store.hpp"

namespace datdot {

struct invariant_violation {
  std::string invariant;  // finalized_prefix_agrees, finality_monotonic, store_readable, restart_restores
  sim_node_index node = 0;
  std::string detail;
};

// A height some node finalized for the first time.
struct first_finality {
  block_number number;
  block_hash hash;
  sim_node_index node;  // the first node seen with it
};

class finality_checker {
 public:
  finality_checker(std::size_t nodes, const block_hash& genesis);

  // Checks the heights `node` finalized since its last check (none when its height is unchanged).
  std::optional<invariant_violation> check(sim_node_index node, const storage::chain_store& store);
  // Heights finalized for the first time since the last call, ascending.
  std::vector<first_finality> take_first_finalities();

  std::uint64_t height_of(sim_node_index node) const { return heights_[node]; }
  // The highest height any node has finalized.
  std::uint64_t highest() const { return agreed_.size() - 1; }
  // The block every node that finalized `height` finalized there (height <= highest()).
  const block_hash& agreed_at(std::uint64_t height) const { return agreed_[height].hash; }

 private:
  std::optional<invariant_violation> check_height(sim_node_index node, std::uint64_t height, const block_hash& hash);

  struct agreed {
    block_hash hash;
    sim_node_index node;
  };
  std::vector<agreed> agreed_;           // by height: the first node's block
  std::vector<std::uint64_t> heights_;   // by node: the finalized height last checked
  std::vector<first_finality> fresh_;    // since take_first_finalities
};

}  // namespace datdot

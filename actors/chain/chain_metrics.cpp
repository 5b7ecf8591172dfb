#include "actors/chain/chain_metrics.hpp"

namespace datdot {

chain_metrics::chain_metrics(metrics_registry& r)
    : best_height_(r.gauge("datdot_chain_best_height_blocks", "Height of the best block this node has imported")),
      finalized_height_(r.gauge("datdot_chain_finalized_height_blocks", "Height of the last finalized block")),
      finality_lag_(r.gauge("datdot_chain_finality_lag_blocks", "Best height minus finalized height")),
      slot_misses_(r.counter("datdot_chain_slot_misses_total", "Slots whose leader produced no block we imported")),
      equivocations_(r.counter("datdot_chain_equivocations_total",
                               "Validators seen signing two blocks or votes for one slot or round")),
      tx_pool_(r.gauge("datdot_chain_tx_pool_extrinsics", "Extrinsics waiting in the transaction pool")),
      rejected_(r.counter("datdot_chain_rejected_total",
                          "Blocks, votes, commits and transactions refused, by reason")) {}

chain_series chain_metrics::attach() {
  return chain_series{best_height_.Add({}), finalized_height_.Add({}), finality_lag_.Add({}),
                      slot_misses_.Add({}),  equivocations_.Add({}),   tx_pool_.Add({}), rejected_};
}

}  // namespace datdot

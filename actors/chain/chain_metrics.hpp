// The chain as operators see it (datdot_chain_*): best and finalized height,
// finality lag, missed slots, equivocations seen, transaction pool size, and
// chain input (blocks, votes, commits, transactions) rejected by reason.
// Every node declares the families at start; the chain actor attaches the
// series when it runs, so a node without a chain exports names, never numbers
// it does not have.
#pragma once

#include "actors/metrics/metrics_registry.hpp"

namespace datdot {

struct chain_series {
  prometheus::Gauge& best_height;
  prometheus::Gauge& finalized_height;
  prometheus::Gauge& finality_lag;
  prometheus::Counter& slot_misses;
  prometheus::Counter& equivocations;
  prometheus::Gauge& tx_pool;
  prometheus::Family<prometheus::Counter>& rejected;  // by label "reason" (a chain_errc name)
};

class chain_metrics {
 public:
  explicit chain_metrics(metrics_registry& registry);
  // Called once by the chain actor when it starts: the series appear at zero.
  chain_series attach();

 private:
  prometheus::Family<prometheus::Gauge>& best_height_;
  prometheus::Family<prometheus::Gauge>& finalized_height_;
  prometheus::Family<prometheus::Gauge>& finality_lag_;
  prometheus::Family<prometheus::Counter>& slot_misses_;
  prometheus::Family<prometheus::Counter>& equivocations_;
  prometheus::Family<prometheus::Gauge>& tx_pool_;
  prometheus::Family<prometheus::Counter>& rejected_;
};

}  // namespace datdot

// What the role actors do (datdot_role_*): replicas hosted and bytes stored,
// storage challenges received / passed / failed, attestations made, sealing
// throughput, and this node's ratio. Declared at start; each role actor
// attaches the series for its role when it runs.
#pragma once

#include "actors/metrics/metrics_registry.hpp"

namespace datdot {

struct hoster_series {
  prometheus::Gauge& replicas;
  prometheus::Gauge& stored_bytes;
  prometheus::Counter& challenges_received;
  prometheus::Counter& challenges_passed;
  prometheus::Counter& challenges_failed;
};

struct encoder_series {
  prometheus::Counter& sealed_bytes;
  prometheus::Counter& sealed_blocks;
};

class role_metrics {
 public:
  explicit role_metrics(metrics_registry& registry);
  hoster_series attach_hoster();
  encoder_series attach_encoder();
  prometheus::Counter& attach_attester();  // attestations made
  prometheus::Gauge& attach_ratio();       // this node's account ratio, as the finalized chain states it

 private:
  prometheus::Family<prometheus::Gauge>& replicas_;
  prometheus::Family<prometheus::Gauge>& stored_bytes_;
  prometheus::Family<prometheus::Counter>& challenges_received_;
  prometheus::Family<prometheus::Counter>& challenges_passed_;
  prometheus::Family<prometheus::Counter>& challenges_failed_;
  prometheus::Family<prometheus::Counter>& attestations_;
  prometheus::Family<prometheus::Counter>& sealed_bytes_;
  prometheus::Family<prometheus::Counter>& sealed_blocks_;
  prometheus::Family<prometheus::Gauge>& ratio_;
};

}  // namespace datdot

// What a node's roles do (datdot_role_*): replicas hosted, storage challenges
// received / passed / failed, attestations made and missed, sealing, and this node's
// ratio, all as the finalized chain credits them (the chain actor feeds them
// from service_record.hpp); bytes stored is the hoster's own reading. Declared
// at start; a node attaches the series of the roles it runs.
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

struct attester_series {
  prometheus::Counter& made;
  prometheus::Counter& missed;
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
  attester_series attach_attester();
  prometheus::Gauge& attach_ratio();       // this node's account ratio, as the finalized chain states it

 private:
  prometheus::Family<prometheus::Gauge>& replicas_;
  prometheus::Family<prometheus::Gauge>& stored_bytes_;
  prometheus::Family<prometheus::Counter>& challenges_received_;
  prometheus::Family<prometheus::Counter>& challenges_passed_;
  prometheus::Family<prometheus::Counter>& challenges_failed_;
  prometheus::Family<prometheus::Counter>& attestations_;
  prometheus::Family<prometheus::Counter>& attestations_missed_;
  prometheus::Family<prometheus::Counter>& sealed_bytes_;
  prometheus::Family<prometheus::Counter>& sealed_blocks_;
  prometheus::Family<prometheus::Gauge>& ratio_;
};

}  // namespace datdot

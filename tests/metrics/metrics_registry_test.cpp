// The registry: naming rule, declared families visible without samples,
// collectors' samples in the exposition, chain and role families declared.
#include <doctest/doctest.h>

#include "actors/chain/chain_metrics.hpp"
#include "actors/metrics/metrics_registry.hpp"
#include "actors/roles/role_metrics.hpp"

using namespace datdot;

TEST_CASE("metrics names follow datdot_<subsystem>_<name>_<unit> and _total for counters") {
  metrics_registry r;
  CHECK_NOTHROW(r.counter("datdot_test_events_total", "h"));
  CHECK_THROWS_AS(r.counter("datdot_test_events", "h"), std::logic_error);
  CHECK_THROWS_AS(r.gauge("datdot_test_depth_total", "h"), std::logic_error);
  CHECK_THROWS_AS(r.gauge("other_depth_messages", "h"), std::logic_error);
  CHECK_THROWS_AS(r.counter("datdot_test_events_total", "again"), std::logic_error);
}

TEST_CASE("a declared family without samples is exported as HELP and TYPE only") {
  metrics_registry r;
  auto& g = r.gauge("datdot_test_depth_messages", "depth");
  auto text = r.serialize();
  CHECK(text.find("# TYPE datdot_test_depth_messages gauge\n") != std::string::npos);
  CHECK(text.find("\ndatdot_test_depth_messages") == std::string::npos);  // no sample line
  g.Add({{"actor", "bus"}}).Set(3);
  text = r.serialize();
  CHECK(text.find("datdot_test_depth_messages{actor=\"bus\"} 3") != std::string::npos);
  CHECK(text.find("# TYPE datdot_test_depth_messages gauge") == text.rfind("# TYPE datdot_test_depth_messages gauge"));
}

TEST_CASE("collectors add their samples at serialization time") {
  metrics_registry r;
  family_declaration d{"datdot_test_frames_total", "frames", prometheus::MetricType::Counter};
  double value = 1;
  r.add_collector({d}, [&] {
    auto f = make_family(d);
    add_sample(f, {{"peer_class", "hoster"}}, value);
    return std::vector<prometheus::MetricFamily>{f};
  });
  CHECK(r.serialize().find("datdot_test_frames_total{peer_class=\"hoster\"} 1") != std::string::npos);
  value = 7;
  CHECK(r.serialize().find("datdot_test_frames_total{peer_class=\"hoster\"} 7") != std::string::npos);
}

TEST_CASE("chain and role families are declared before their actors exist and attach at zero") {
  metrics_registry r;
  chain_metrics chain{r};
  role_metrics roles{r};
  auto text = r.serialize();
  for (auto name : {"datdot_chain_best_height_blocks", "datdot_chain_finalized_height_blocks",
                    "datdot_chain_finality_lag_blocks", "datdot_chain_slot_misses_total",
                    "datdot_chain_equivocations_total", "datdot_chain_tx_pool_extrinsics",
                    "datdot_role_hosted_replicas", "datdot_role_challenges_passed_total",
                    "datdot_role_attestations_made_total", "datdot_role_attestations_missed_total", "datdot_role_sealed_bytes_total", "datdot_role_ratio"})
    CHECK_MESSAGE(text.find(std::string{"# TYPE "} + name + " ") != std::string::npos, name);
  CHECK(text.find("datdot_chain_best_height_blocks 0") == std::string::npos);
  auto s = chain.attach();
  s.best_height.Set(12);
  CHECK(r.serialize().find("datdot_chain_best_height_blocks 12") != std::string::npos);
}

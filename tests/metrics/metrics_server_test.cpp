// The HTTP endpoint on loopback: /metrics in text format, /health answering
// 200 or 503 from its checks, a bad address as an error value.
#include <doctest/doctest.h>

#include "actors/metrics/metrics_server.hpp"
#include "support/http_get.hpp"

using namespace datdot;
using datdot::testing::http_get;

TEST_CASE("the metrics server serves /metrics and /health on a chosen port") {
  metrics_registry registry;
  registry.counter("datdot_test_scrapes_total", "h").Add({}).Increment(2);
  health_checks health;
  bool bus_up = false;
  health.add("bus", [&] { return check_result{bus_up, bus_up ? "up" : "down"}; });
  auto server = metrics_server::start("127.0.0.1:0", registry, health);
  REQUIRE(server);
  auto address = (*server)->address();
  CHECK(address.rfind("127.0.0.1:", 0) == 0);
  CHECK(address != "127.0.0.1:0");

  auto metrics = http_get(address, "/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find("datdot_test_scrapes_total 2") != std::string::npos);

  auto not_ready = http_get(address, "/health");
  CHECK(not_ready.status == 503);
  CHECK(not_ready.body.find("\"ready\":false") != std::string::npos);
  bus_up = true;
  auto ready = http_get(address, "/health");
  CHECK(ready.status == 200);
  CHECK(ready.body.find("\"ready\":true") != std::string::npos);
}

TEST_CASE("no checks means not ready") { CHECK_FALSE(health_checks{}.run().ready); }

TEST_CASE("a malformed or busy metrics address is an error value") {
  metrics_registry registry;
  health_checks health;
  CHECK_FALSE(metrics_server::start("no-port", registry, health));
  auto first = metrics_server::start("127.0.0.1:0", registry, health);
  REQUIRE(first);
  CHECK_FALSE(metrics_server::start((*first)->address(), registry, health));
}

// The one registry of a process's metrics, over prometheus-cpp. Families made
// here are live counters, gauges and histograms; collectors read a subsystem's
// own counters (the bus's, the node's) when scraped. Every family is declared
// with its help and type up front, so /metrics names it even before the
// subsystem that feeds it runs: dashboards and tests can rely on the names
// while the values stay honest (no samples rather than made-up ones).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

namespace datdot {

struct family_declaration {
  std::string name;
  std::string help;
  prometheus::MetricType type;
};

// Reads current values at scrape time; returns only declared families.
using collect_fn = std::function<std::vector<prometheus::MetricFamily>()>;

class metrics_registry {
 public:
  metrics_registry();

  prometheus::Family<prometheus::Counter>& counter(const std::string& name, const std::string& help);
  prometheus::Family<prometheus::Gauge>& gauge(const std::string& name, const std::string& help);
  prometheus::Family<prometheus::Histogram>& histogram(const std::string& name, const std::string& help);
  void add_collector(std::vector<family_declaration> families, collect_fn collect);

  // The text exposition format (version 0.0.4): every declared family, with its samples if any.
  std::string serialize() const;
  std::vector<family_declaration> declarations() const;
  // Keeps every metric made here alive: actors that outlive the registry's
  // owner (they stop asynchronously) hold this and never touch freed memory.
  std::shared_ptr<const void> lifetime() const { return registry_; }

 private:
  void declare(family_declaration d);

  std::shared_ptr<prometheus::Registry> registry_;
  mutable std::mutex mutex_;  // guards the catalog and collectors; prometheus-cpp guards its own
  std::map<std::string, family_declaration> catalog_;
  std::vector<collect_fn> collectors_;
};

// Building blocks for collectors.
prometheus::MetricFamily make_family(const family_declaration& d);
void add_sample(prometheus::MetricFamily& family, prometheus::Labels labels, double value);

}  // namespace datdot

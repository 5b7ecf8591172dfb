#include "actors/metrics/metrics_registry.hpp"

#include <prometheus/check_names.h>
#include <prometheus/text_serializer.h>

#include <set>
#include <stdexcept>

namespace datdot {
namespace {

// Names are our own code, so a bad one is a broken invariant, not bad input.
void require_valid_name(const family_declaration& d) {
  auto ends_with_total = d.name.size() > 6 && d.name.ends_with("_total");
  bool ok = d.name.starts_with("datdot_") && prometheus::CheckMetricName(d.name) &&
            ends_with_total == (d.type == prometheus::MetricType::Counter);
  if (!ok) throw std::logic_error{"metric name breaks the datdot_<subsystem>_<name>_<unit> rule: " + d.name};
}

const char* type_name(prometheus::MetricType t) {
  switch (t) {
    case prometheus::MetricType::Counter: return "counter";
    case prometheus::MetricType::Gauge: return "gauge";
    case prometheus::MetricType::Histogram: return "histogram";
    case prometheus::MetricType::Summary: return "summary";
    case prometheus::MetricType::Untyped: return "untyped";
  }
  return "untyped";
}

}  // namespace

metrics_registry::metrics_registry() : registry_(std::make_shared<prometheus::Registry>()) {}

void metrics_registry::declare(family_declaration d) {
  require_valid_name(d);
  std::lock_guard lock{mutex_};
  if (!catalog_.emplace(d.name, d).second) throw std::logic_error{"metric family declared twice: " + d.name};
}

prometheus::Family<prometheus::Counter>& metrics_registry::counter(const std::string& name, const std::string& help) {
  declare({name, help, prometheus::MetricType::Counter});
  return prometheus::BuildCounter().Name(name).Help(help).Register(*registry_);
}

prometheus::Family<prometheus::Gauge>& metrics_registry::gauge(const std::string& name, const std::string& help) {
  declare({name, help, prometheus::MetricType::Gauge});
  return prometheus::BuildGauge().Name(name).Help(help).Register(*registry_);
}

prometheus::Family<prometheus::Histogram>& metrics_registry::histogram(const std::string& name,
                                                                      const std::string& help) {
  declare({name, help, prometheus::MetricType::Histogram});
  return prometheus::BuildHistogram().Name(name).Help(help).Register(*registry_);
}

void metrics_registry::add_collector(std::vector<family_declaration> families, collect_fn collect) {
  for (auto& d : families) declare(std::move(d));
  std::lock_guard lock{mutex_};
  collectors_.push_back(std::move(collect));
}

std::vector<family_declaration> metrics_registry::declarations() const {
  std::lock_guard lock{mutex_};
  std::vector<family_declaration> out;
  for (const auto& [name, d] : catalog_) out.push_back(d);
  return out;
}

std::string metrics_registry::serialize() const {
  auto families = registry_->Collect();
  std::vector<collect_fn> collectors;
  std::vector<family_declaration> catalog;
  {
    std::lock_guard lock{mutex_};
    collectors = collectors_;
    for (const auto& [name, d] : catalog_) catalog.push_back(d);
  }
  // Collectors may ask actors; they run outside the lock.
  for (const auto& collect : collectors)
    for (auto& f : collect()) families.push_back(std::move(f));
  std::set<std::string> with_samples;
  for (const auto& f : families)
    if (!f.metric.empty()) with_samples.insert(f.name);
  std::erase_if(families, [](const prometheus::MetricFamily& f) { return f.metric.empty(); });
  auto text = prometheus::TextSerializer{}.Serialize(families);
  for (const auto& d : catalog)
    if (!with_samples.contains(d.name))
      text += "# HELP " + d.name + " " + d.help + "\n# TYPE " + d.name + " " + type_name(d.type) + "\n";
  return text;
}

prometheus::MetricFamily make_family(const family_declaration& d) {
  prometheus::MetricFamily f;
  f.name = d.name;
  f.help = d.help;
  f.type = d.type;
  return f;
}

void add_sample(prometheus::MetricFamily& family, prometheus::Labels labels, double value) {
  prometheus::ClientMetric m;
  for (auto& [k, v] : labels) m.label.push_back({k, v});
  switch (family.type) {
    case prometheus::MetricType::Counter: m.counter.value = value; break;
    case prometheus::MetricType::Gauge: m.gauge.value = value; break;
    default: m.untyped.value = value; break;
  }
  family.metric.push_back(std::move(m));
}

}  // namespace datdot

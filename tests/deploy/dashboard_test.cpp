// The Grafana dashboard is valid JSON, every panel reads the provisioned
// Prometheus data source, and every metric its queries name is one a live
// node exports (declared families count: the chain and role families are
// exported by name before the actors that fill them exist).
#include <doctest/doctest.h>

#include <regex>
#include <set>

#include "devnet.hpp"

using json = nlohmann::json;
using namespace datdot::testing;

namespace {

void collect_exprs(const json& panels, std::vector<std::string>& exprs, std::set<std::string>& uids) {
  for (const auto& p : panels) {
    if (p.contains("panels")) collect_exprs(p["panels"], exprs, uids);
    if (p.value("type", "") == "row") continue;
    uids.insert(p.at("datasource").at("uid").get<std::string>());
    for (const auto& t : p.at("targets")) exprs.push_back(t.at("expr").get<std::string>());
  }
}

std::set<std::string> exported_families(const std::string& exposition) {
  std::set<std::string> names;
  std::regex type_line{R"(^# TYPE (\S+) )", std::regex::multiline};
  for (std::sregex_iterator i{exposition.begin(), exposition.end(), type_line}, end; i != end; ++i)
    names.insert((*i)[1]);
  return names;
}

}  // namespace

TEST_CASE("every dashboard query names a metric a live node exports") {
  auto dashboard = json::parse(slurp(DATDOT_SOURCE_DIR "/deploy/grafana/dashboards/datdot.json"));
  std::vector<std::string> exprs;
  std::set<std::string> uids;
  collect_exprs(dashboard.at("panels"), exprs, uids);
  CHECK(exprs.size() >= 20);
  CHECK(uids == std::set<std::string>{"datdot-prometheus"});
  CHECK(slurp(DATDOT_SOURCE_DIR "/deploy/grafana/provisioning/datasources/prometheus.yml")
            .find("uid: datdot-prometheus") != std::string::npos);

  devnet net{27400, devnet_counts{1, 0, 0, 0, 0}, false};
  auto metrics = http_get(net.metrics_address(0), "/metrics");
  REQUIRE(metrics.status == 200);
  auto exported = exported_families(metrics.body);
  std::set<std::string> used;
  std::regex metric_name{R"(datdot_[a-z0-9_]+)"};
  for (const auto& e : exprs)
    for (std::sregex_iterator i{e.begin(), e.end(), metric_name}, end; i != end; ++i) {
      auto name = i->str();
      for (auto suffix : {"_bucket", "_sum", "_count"})
        if (name.ends_with(suffix) && exported.contains(name.substr(0, name.size() - std::string{suffix}.size())))
          name = name.substr(0, name.size() - std::string{suffix}.size());
      used.insert(name);
    }
  for (const auto& name : used) CHECK_MESSAGE(exported.contains(name), name, " is not exported");
  // And the other way round: every family the node exports has a panel, but
  // for the identity and bookkeeping ones.
  const std::set<std::string> no_panel{"datdot_node_info", "datdot_node_start_time_seconds",
                                       "datdot_node_probes_received_total", "datdot_bus_peers"};
  for (const auto& name : exported) {
    bool shown = used.contains(name) || no_panel.contains(name);
    CHECK_MESSAGE(shown, name, " has no panel");
  }
}

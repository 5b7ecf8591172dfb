#include "actors/metrics/health.hpp"

#include <nlohmann/json.hpp>

namespace datdot {

std::string health_report::to_json() const {
  nlohmann::json j{{"ready", ready}, {"checks", nlohmann::json::object()}};
  for (const auto& [name, r] : checks) j["checks"][name] = {{"ok", r.ok}, {"detail", r.detail}};
  return j.dump();
}

void health_checks::add(std::string name, std::function<check_result()> check) {
  std::lock_guard lock{mutex_};
  checks_.emplace_back(std::move(name), std::move(check));
}

health_report health_checks::run() const {
  decltype(checks_) checks;
  {
    std::lock_guard lock{mutex_};
    checks = checks_;
  }
  health_report report;
  report.ready = !checks.empty();
  for (const auto& [name, check] : checks) {
    auto r = check();
    report.ready = report.ready && r.ok;
    report.checks.emplace_back(name, std::move(r));
  }
  return report;
}

}  // namespace datdot

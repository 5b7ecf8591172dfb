// A local devnet for a test: deploy/devnet.sh up in a temp directory on its
// own ports, and down when the test ends, pass or fail.
#pragma once

#include <nlohmann/json.hpp>

#include "support/http_get.hpp"
#include "support/run_command.hpp"

namespace datdot::testing {

struct devnet_counts {
  int validators = 3, publishers = 1, encoders = 1, hosters = 2, attesters = 1;
  int total() const { return validators + publishers + encoders + hosters + attesters; }
};

class devnet {
 public:
  devnet(int base_port, devnet_counts counts, bool with_prometheus) : base_port_(base_port) {
    auto r = run({"up", with_prometheus ? "--prometheus" : ""}, counts);
    REQUIRE_MESSAGE(r.exit_code == 0, r.out, r.err);
    status_ = r.out;
  }
  ~devnet() { run({"down"}, {}); }
  devnet(const devnet&) = delete;

  const std::string& status_table() const { return status_; }
  std::string metrics_address(int node_index) const { return "127.0.0.1:" + std::to_string(base_port_ + 100 + node_index); }
  std::string prometheus_address() const { return "127.0.0.1:" + std::to_string(base_port_ + 99); }
  std::filesystem::path dir() const { return dir_.path(); }

  // One instant query against the devnet's Prometheus: the result vector.
  nlohmann::json query(const std::string& promql) const {
    std::string encoded;
    for (unsigned char c : promql) {
      if (std::isalnum(c) || c == '_' || c == '.' || c == '-') {
        encoded += static_cast<char>(c);
      } else {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%%%02X", c);
        encoded += buf;
      }
    }
    auto r = http_get(prometheus_address(), "/api/v1/query?query=" + encoded);
    if (r.status != 200) return nlohmann::json::array();
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (j.is_discarded() || j.value("status", "") != "success") return nlohmann::json::array();
    return j["data"]["result"];
  }
  // The single value of a query that aggregates to one sample; -1 when there is none.
  double scalar(const std::string& promql) const {
    auto v = query(promql);
    return v.size() == 1 ? std::stod(v[0]["value"][1].get<std::string>()) : -1;
  }

 private:
  command_result run(std::vector<std::string> args, devnet_counts c) {
    std::vector<std::string> argv{"/usr/bin/env",
                                  "DEVNET_DIR=" + dir_.path().string(),
                                  "DEVNET_BASE_PORT=" + std::to_string(base_port_),
                                  "DATDOT=" DATDOT_BINARY,
                                  "DEVNET_VALIDATORS=" + std::to_string(c.validators),
                                  "DEVNET_PUBLISHERS=" + std::to_string(c.publishers),
                                  "DEVNET_ENCODERS=" + std::to_string(c.encoders),
                                  "DEVNET_HOSTERS=" + std::to_string(c.hosters),
                                  "DEVNET_ATTESTERS=" + std::to_string(c.attesters),
                                  "bash",
                                  DATDOT_SOURCE_DIR "/deploy/devnet.sh"};
    for (auto& a : args)
      if (!a.empty()) argv.push_back(a);
    return run_command(argv, std::chrono::seconds{40});
  }

  storage::testing::temp_dir dir_;
  int base_port_;
  std::string status_;
};

}  // namespace datdot::testing

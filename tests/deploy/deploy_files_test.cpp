// Static checks of what deploy/ ships: promtool accepts both Prometheus
// configs, the swarm stack parses (and, where a docker client is installed,
// passes its own stack loader) with the services, health checks and volumes
// it promises, the validators' seeds and bootstrap ids follow the devnet rule,
// and the Dockerfile builds with the README's commands. No Docker engine here:
// nothing is built or deployed.
#include <doctest/doctest.h>

#include <sodium.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "crypto/keys.hpp"
#include "support/run_command.hpp"

using json = nlohmann::json;
using datdot::testing::run_command;
using datdot::testing::slurp;

namespace {

const std::string source_dir = DATDOT_SOURCE_DIR;

json load_yaml(const std::string& path) {
  auto r = run_command({DATDOT_PYTHON3, "-c",
                        "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", path});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return json::parse(r.out);
}

std::string devnet_seed_hex(int validator) {
  auto text = "datdot devnet validator " + std::to_string(validator);
  std::array<unsigned char, crypto_hash_sha256_BYTES> h{};
  crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(text.data()), text.size());
  return datdot::to_hex(datdot::byte_view{h});
}

}  // namespace

TEST_CASE("promtool accepts the shipped Prometheus configs") {
  for (auto file : {"prometheus.yml", "prometheus-devnet.yml"}) {
    auto r = run_command({DATDOT_PROMTOOL, "check", "config", source_dir + "/deploy/prometheus/" + file});
    CHECK_MESSAGE(r.exit_code == 0, file, ": ", r.out, r.err);
  }
}

TEST_CASE("the swarm stack file parses with validators, scalable roles, Prometheus and Grafana") {
  auto stack = load_yaml(source_dir + "/deploy/docker-stack.yml");
  auto& services = stack.at("services");
  for (auto name : {"validator-1", "validator-2", "validator-3", "publisher", "encoder", "hoster", "attester"}) {
    INFO(name);
    REQUIRE(services.contains(name));
    auto& s = services[name];
    CHECK(s.at("image") == "datdot:latest");
    CHECK(s.at("healthcheck").at("test").dump().find("/health") != std::string::npos);
    CHECK(s.at("volumes").at(0).get<std::string>().ends_with(":/var/lib/datdot"));
    CHECK(s.at("deploy").at("replicas").get<int>() >= 1);
    // Validators run the chain; role nodes follow it (the validator role
    // without a key in the genesis) and so act on it.
    auto roles = s.at("environment").at("DATDOT_ROLES").get<std::string>();
    const bool validator = std::string{name}.starts_with("validator-");
    CHECK(roles == (validator ? std::string{"validator"} : std::string{name} + ",validator"));
    CHECK(s.at("configs").at(0).at("source") == "genesis");
    CHECK(s.at("configs").at(0).at("target") == "/etc/datdot/genesis.json");
  }
  CHECK(services.at("hoster").at("environment").contains("DATDOT_CAPACITY_BYTES"));
  CHECK(services.at("hoster").at("environment").at("DATDOT_SLOT") == "{{.Task.Slot}}");
  CHECK(services.contains("prometheus"));
  CHECK(services.contains("grafana"));
  for (auto& [name, config] : stack.at("configs").items()) {
    INFO(name);
    CHECK(std::filesystem::exists(source_dir + "/deploy/" + config.at("file").get<std::string>()));
  }
  // Prometheus discovers every datdot service through swarm DNS.
  auto prometheus = load_yaml(source_dir + "/deploy/prometheus/prometheus.yml");
  auto names = prometheus.at("scrape_configs").at(0).at("dns_sd_configs").at(0).at("names");
  for (auto& [name, s] : services.items())
    if (s.value("image", "") == "datdot:latest") CHECK(std::find(names.begin(), names.end(), "tasks." + name) != names.end());
}

TEST_CASE("docker's own stack loader accepts the stack file (when a docker client is installed)") {
  std::string docker = DATDOT_DOCKER;
  if (docker.empty() || docker.ends_with("NOTFOUND")) {
    MESSAGE("no docker client on this machine: the stack file was checked by the YAML parser only");
    return;
  }
  auto r = run_command({docker, "stack", "config", "-c", source_dir + "/deploy/docker-stack.yml"});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
}

TEST_CASE("validators use the devnet seeds and role nodes bootstrap to their ids") {
  datdot::crypto_init();
  auto stack = load_yaml(source_dir + "/deploy/docker-stack.yml");
  auto bootstrap = stack.at("services").at("hoster").at("environment").at("DATDOT_BOOTSTRAP").get<std::string>();
  for (int i = 1; i <= 3; ++i) {
    auto& env = stack.at("services").at("validator-" + std::to_string(i)).at("environment");
    auto seed_hex = env.at("DATDOT_KEY_SEED").get<std::string>();
    CHECK(seed_hex == devnet_seed_hex(i));
    auto seed = datdot::from_hex_fixed<32>(seed_hex);
    REQUIRE(seed);
    auto id = datdot::to_hex(datdot::key_pair_from_seed(*seed).pk);
    CHECK(bootstrap.find(id + "@tcp://validator-" + std::to_string(i) + ":7000") != std::string::npos);
  }
  // The devnet launcher derives its validators' keys the same way.
  CHECK(slurp(source_dir + "/deploy/devnet.sh").find("printf 'datdot devnet validator %d' \"$1\" | sha256sum") !=
        std::string::npos);
}

TEST_CASE("the stack's genesis is what `datdot chain genesis` makes from the flags the stack file names") {
  const auto stack_text = slurp(source_dir + "/deploy/docker-stack.yml");
  std::smatch m;
  REQUIRE(std::regex_search(stack_text, m, std::regex{R"(#\s+datdot chain genesis ([^\n\\]*)\\\n#\s+([^\n]*))"}));
  std::vector<std::string> argv{DATDOT_BINARY, "chain", "genesis"};
  std::istringstream flags(m[1].str() + " " + m[2].str());
  for (std::string f; flags >> f;) argv.push_back(f);
  auto made = run_command(argv);
  REQUIRE_MESSAGE(made.exit_code == 0, made.err);
  CHECK(json::parse(made.out) == json::parse(slurp(source_dir + "/deploy/devnet-genesis.json")));
  CHECK(json::parse(made.out).at("validators").size() == 3);
}

TEST_CASE("the swarm entrypoint passes the genesis, capacity, key seed and bootstrap peers to `datdot node`") {
  datdot::storage::testing::temp_dir tmp;
  const auto fake = (tmp / "datdot").string();
  {
    std::ofstream out(fake);
    out << "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n";
  }
  std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
  const auto genesis = (tmp / "genesis.json").string();
  std::ofstream{genesis} << "{}";
  auto r = run_command({"/usr/bin/env", "DATDOT_BIN=" + fake, "DATDOT_ROLES=hoster,validator", "DATDOT_SLOT=2",
                        "DATDOT_GENESIS=" + genesis, "DATDOT_CAPACITY_BYTES=12345", "DATDOT_KEY_SEED=ab",
                        "DATDOT_BOOTSTRAP=a@tcp://x:7000 b@tcp://y:7000", "sh",
                        source_dir + "/deploy/docker-entrypoint.sh"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  std::vector<std::string> args;
  std::istringstream lines(r.out);
  for (std::string l; std::getline(lines, l);) args.push_back(l);
  auto value_of = [&](const std::string& flag) {
    auto i = std::find(args.begin(), args.end(), flag);
    return i == args.end() || i + 1 == args.end() ? std::string{"(missing)"} : *(i + 1);
  };
  REQUIRE(!args.empty());
  CHECK(args[0] == "node");
  CHECK(value_of("--data-dir") == "/var/lib/datdot/2");
  CHECK(value_of("--roles") == "hoster,validator");
  CHECK(value_of("--genesis") == genesis);
  CHECK(value_of("--capacity-bytes") == "12345");
  CHECK(value_of("--key-seed") == "ab");
  CHECK(std::count(args.begin(), args.end(), "--bootstrap") == 2);
  // Every flag it passes is one `datdot node` takes.
  const auto help = run_command({DATDOT_BINARY, "node", "--help"}).out;
  for (const auto& a : args)
    if (a.starts_with("--")) CHECK_MESSAGE(help.find(a) != std::string::npos, a);

  // Without a genesis file the node runs no chain rather than failing to start.
  auto bare = run_command({"/usr/bin/env", "DATDOT_BIN=" + fake, "DATDOT_ROLES=validator",
                           "DATDOT_GENESIS=" + (tmp / "absent.json").string(), "sh",
                           source_dir + "/deploy/docker-entrypoint.sh"});
  CHECK(bare.exit_code == 0);
  CHECK(bare.out.find("--genesis") == std::string::npos);
}

TEST_CASE("the Dockerfile builds with the README's steps on Debian bookworm") {
  auto dockerfile = slurp(source_dir + "/deploy/Dockerfile");
  auto readme = slurp(source_dir + "/README.md");
  CHECK(dockerfile.find("FROM debian:bookworm AS build") != std::string::npos);
  CHECK(dockerfile.find("FROM debian:bookworm-slim") != std::string::npos);
  std::vector<std::string> runs;
  std::regex run_line{R"(^RUN (bash deploy/\S+\.sh.*)$)", std::regex::multiline};
  for (std::sregex_iterator i{dockerfile.begin(), dockerfile.end(), run_line}, end; i != end; ++i)
    runs.push_back((*i)[1]);
  REQUIRE(runs.size() == 2);
  CHECK(runs[0] == "bash deploy/setup.sh");
  CHECK(runs[1].starts_with("bash deploy/build.sh build"));
  CHECK(readme.find("bash deploy/setup.sh") != std::string::npos);
  CHECK(readme.find("bash deploy/build.sh build ") != std::string::npos);
  CHECK(dockerfile.find("HEALTHCHECK") != std::string::npos);
  CHECK(dockerfile.find("VOLUME /var/lib/datdot") != std::string::npos);
}

// `datdot node --config FILE`: a node started from a config file alone listens
// where the file says, takes its roles and bootstrap peers from it and finds a
// second node; the command line wins over the file; unknown keys, sections and
// bad values are refused. And `datdot node --help` documents every option.
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "process/node_process.hpp"
#include "support/run_command.hpp"

using namespace datdot::testing;

namespace {

std::filesystem::path write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream{path} << text;
  return path;
}

std::string quoted(const std::filesystem::path& p) { return "\"" + p.string() + "\""; }

}  // namespace

TEST_CASE("a node started only from a config file reports the endpoint and roles it was given") {
  datdot::storage::testing::temp_dir tmp;
  for (auto n : {"a", "b"}) std::filesystem::create_directories(tmp / n);
  auto a_config = write_file(tmp / "a" / "node.toml",
                             "# node a: everything from this file\n"
                             "data-dir = " + quoted(tmp / "a" / "data") + "\n"
                             "listen = \"tcp://127.0.0.1:0\"\n"
                             "roles = \"hoster,attester\"\n"
                             "bootstrap = []\n"
                             "ping-interval-ms = 200\n"
                             "request-timeout-ms = 1000\n"
                             "max-frame-bytes = 200000\n"
                             "metrics-listen = \"off\"\n");
  node_process a(tmp / "a", {"--config", a_config.string()}, node_process::exact_args{});
  auto a_info = a.started();
  CHECK(a_info["roles"] == "hoster,attester");
  const std::string endpoint = a_info["endpoint"];
  CHECK(endpoint.rfind("tcp://127.0.0.1:", 0) == 0);
  CHECK(endpoint != "tcp://127.0.0.1:7000");  // the default, so the file's listen was used
  CHECK(a_info["metrics"].is_null());         // metrics-listen = "off"
  CHECK(std::filesystem::exists(tmp / "a" / "data" / "node.key"));

  // Node b: an INI-style [node] section, a bootstrap list naming a, and roles
  // overridden on the command line.
  auto b_config = write_file(tmp / "b" / "node.ini",
                             "[node]\n"
                             "data-dir = " + quoted(tmp / "b" / "data") + "\n"
                             "listen = \"tcp://127.0.0.1:0\"\n"
                             "roles = \"encoder\"\n"
                             "bootstrap = [\"" + address(a_info) + "\"]\n"
                             "ping-interval-ms = 200\n"
                             "metrics-listen = \"off\"\n");
  node_process b(tmp / "b", {"--config", b_config.string(), "--roles", "validator"}, node_process::exact_args{});
  auto b_info = b.started();
  CHECK(b_info["roles"] == "validator");
  const std::string a_id = a_info["node"], b_id = b_info["node"];
  CHECK(eventually([&] { return a.count("pong", b_id) > 0 && b.count("pong", a_id) > 0; }));
  bool a_saw_b_as_validator = false;
  for (auto& e : a.events())
    if (e["event"] == "peer" && e["peer"] == b_id) a_saw_b_as_validator = e["roles"] == "validator";
  CHECK(a_saw_b_as_validator);
}

TEST_CASE("a config file with an unknown key or section or a bad value is refused") {
  datdot::storage::testing::temp_dir tmp;
  auto data = quoted(tmp / "data");
  auto run = [&](const std::string& name, const std::string& text) {
    auto path = write_file(tmp / name, text);
    return run_command({DATDOT_BINARY, "node", "--config", path.string()}, std::chrono::seconds{20});
  };
  auto typo = run("typo.toml", "data-dir = " + data + "\nlistn = \"tcp://127.0.0.1:0\"\n");
  CHECK(typo.exit_code == 2);
  CHECK(typo.err.find("unknown key listn") != std::string::npos);
  auto section = run("section.toml", "[feed]\ndata-dir = " + data + "\n");
  CHECK(section.exit_code == 2);
  CHECK(section.err.find("unknown section") != std::string::npos);
  auto bad_value = run("value.toml", "data-dir = " + data + "\nping-interval-ms = \"soon\"\n");
  CHECK(bad_value.exit_code != 0);
  CHECK(bad_value.err.find("ping-interval-ms") != std::string::npos);
  auto no_data_dir = run("empty.toml", "# nothing\n");
  CHECK(no_data_dir.exit_code == 2);
  CHECK(no_data_dir.err.find("--data-dir is required") != std::string::npos);
  auto missing = run_command({DATDOT_BINARY, "node", "--config", (tmp / "nope.toml").string()});
  CHECK(missing.exit_code != 0);
  CHECK_FALSE(std::filesystem::exists(tmp / "data"));  // nothing was started or created
}

TEST_CASE("datdot node --help documents every option") {
  auto help = run_command({DATDOT_BINARY, "node", "--help"});
  REQUIRE(help.exit_code == 0);
  // Each option line is "  [-x,]--name [TYPE[=DEFAULT]] [REQUIRED]  description"; a long
  // default pushes the description to the next, deeper-indented line.
  std::istringstream lines{help.out};
  std::vector<std::string> all;
  for (std::string line; std::getline(lines, line);) all.push_back(line);
  const std::regex option_line{R"(^  (?:-\w,)?--([a-z][a-z0-9-]*)(?:\s\S+)*?(?:\s{2,}(\S.*))?$)"};
  std::set<std::string> documented, undocumented;
  for (std::size_t i = 0; i < all.size(); ++i) {
    std::smatch m;
    if (!std::regex_match(all[i], m, option_line)) continue;
    bool described = m[2].matched && m[2].length() > 10;
    if (!described && i + 1 < all.size()) {
      auto next = all[i + 1];
      auto indent = next.find_first_not_of(' ');
      described = indent != std::string::npos && indent > 4 && next.size() - indent > 10;
    }
    (described ? documented : undocumented).insert(m[1]);
  }
  INFO(help.out);
  CHECK(undocumented.empty());
  for (auto name : {"help", "config", "data-dir", "listen", "bootstrap", "roles", "max-frame-bytes",
                    "ping-interval-ms", "request-timeout-ms"})
    CHECK(documented.contains(name));
  // The config file's format is part of the help, not folklore.
  CHECK(help.out.find("TOML/INI") != std::string::npos);
  CHECK(help.out.find("without the dashes") != std::string::npos);
}

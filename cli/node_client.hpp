// What every command that talks to a running node shares: where the node's
// HTTP endpoint is, --json, a timeout, and one JSON round trip whose failures
// become command errors with the node's own reason.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace datdot::cli {

struct client_options {
  std::string node = "127.0.0.1:17100";
  bool json_out = false;
  int timeout_ms = 5000;
};

void add_client_options(CLI::App* cmd, client_options& o);

// One request; the JSON answer, or command_failed with the node's "error".
// With `absent_ok`, a 404 answers null instead: for things not there yet.
nlohmann::json ask(const client_options& o, const std::string& method, const std::string& path,
                   const std::string& body = {}, int extra_ms = 0, bool absent_ok = false);

// --json: the whole answer on one line; otherwise `summary_keys` as "key: value"
// lines (all of it, indented, when there are none).
void print(const client_options& o, const nlohmann::json& j, const std::vector<std::string>& summary_keys);

}  // namespace datdot::cli

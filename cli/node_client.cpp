#include "cli/node_client.hpp"

#include <iostream>

#include "cli/commands.hpp"
#include "cli/http_client.hpp"

namespace datdot::cli {

using json = nlohmann::json;

void add_client_options(CLI::App* cmd, client_options& o) {
  cmd->add_option("--node", o.node,
                  "The node's HTTP endpoint, HOST:PORT (the \"metrics\" address of its started line)")
      ->capture_default_str();
  cmd->add_flag("--json", o.json_out, "Print the node's JSON answer");
  cmd->add_option("--timeout-ms", o.timeout_ms, "Give up after this long")->capture_default_str();
}

json ask(const client_options& o, const std::string& method, const std::string& path, const std::string& body,
         int extra_ms, bool absent_ok) {
  auto answer = http_call(o.node, method, path, body, o.timeout_ms + extra_ms);
  if (!answer) throw command_failed{1, answer.err().describe()};
  if (absent_ok && answer->status == 404) return nullptr;
  auto j = json::parse(answer->body, nullptr, false);
  if (j.is_discarded()) throw command_failed{1, "the node answered something that is not JSON"};
  if (answer->status >= 400)
    throw command_failed{1, j.value("error", "the node answered " + std::to_string(answer->status)),
                         answer->status == 503};
  return j;
}

void print(const client_options& o, const json& j, const std::vector<std::string>& summary_keys) {
  if (o.json_out || summary_keys.empty()) {
    std::cout << (o.json_out ? j.dump() : j.dump(2)) << "\n";
    return;
  }
  for (const auto& k : summary_keys)
    if (j.contains(k)) std::cout << k << ": " << (j[k].is_string() ? j[k].get<std::string>() : j[k].dump()) << "\n";
}

}  // namespace datdot::cli

// Each subcommand family of the `datdot` binary registers itself on the root
// CLI11 app; main() only wires them together and maps failures to exit codes.
#pragma once

#include <CLI/CLI.hpp>

namespace datdot::cli {

// A subcommand's callback reports failure by throwing this; main prints it and exits with `code`.
struct command_failed {
  int code;
  std::string message;
  bool busy = false;  // the node answered 503: up, but a subsystem did not answer in time
};

void add_feed_commands(CLI::App& app);
void add_node_command(CLI::App& app);
void add_chain_commands(CLI::App& app);
void add_hosting_commands(CLI::App& app);
void add_sim_command(CLI::App& app);

}  // namespace datdot::cli

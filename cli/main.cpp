// Entry point of the `datdot` command.
#include <iostream>

#include "cli/commands.hpp"
#include "crypto/keys.hpp"

int main(int argc, char** argv) {
  datdot::crypto_init();
  CLI::App app{"datdot — a decentralized pinning service for hypercores"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "datdot 0.1.0");
  datdot::cli::add_feed_commands(app);
  datdot::cli::add_node_command(app);
  datdot::cli::add_chain_commands(app);
  datdot::cli::add_hosting_commands(app);
  datdot::cli::add_sim_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const datdot::cli::command_failed& f) {
    if (!f.message.empty()) std::cerr << "datdot: " << f.message << "\n";
    return f.code;
  }
  return 0;
}

// Reads a scenario file the way `datdot sim --scenario` does, for the tests
// that run the files in scenarios/ and scenarios/regressions/.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "actors/sim/sim_scenario.hpp"

namespace datdot::testing {

inline sim_scenario scenario_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in, "cannot read " << path.string());
  std::stringstream text;
  text << in.rdbuf();
  auto s = parse_scenario(text.str());
  REQUIRE_MESSAGE(s.has_value(), path.string() << ": " << s.err().describe());
  return *s;
}

// A file of scenarios/ by name.
inline sim_scenario scenario_named(const std::string& name) {
  return scenario_file(std::filesystem::path{DATDOT_SCENARIOS_DIR} / name);
}

}  // namespace datdot::testing

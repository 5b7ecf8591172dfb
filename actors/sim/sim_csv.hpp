// The per-slot samples of a run as CSV (`datdot sim --csv FILE`): a header
// line, then one line per slot, for plotting finality and traffic over time.
#pragma once

#include <string>

#include "actors/sim/scenario_driver.hpp"

namespace datdot {

std::string csv_header();
std::string csv_row(const sim_slot_sample& s);

}  // namespace datdot

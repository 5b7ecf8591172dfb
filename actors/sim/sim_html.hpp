// A run as one self-contained HTML page (`datdot sim --html FILE`): the
// summary, finalized height and finality lag per slot as inline SVG plots
// with the slots adversaries were caught at marked, and the adversaries'
// table. No script, style sheet or image from elsewhere: it opens offline.
#pragma once

#include <string>
#include <vector>

#include "actors/sim/scenario_driver.hpp"

namespace datdot {

// `replay` as for report_text.
std::string report_html(const sim_report& r, const std::vector<sim_slot_sample>& samples, const std::string& replay);

}  // namespace datdot

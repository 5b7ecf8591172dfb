#include "actors/sim/sim_csv.hpp"

namespace datdot {

std::string csv_header() {
  return "slot,best_height_max,best_height_min,finalized_height_max,finalized_height_min,finality_lag_blocks,"
         "frames_delivered,frames_lost,frames_duplicated,events,adversaries_caught,challenges_passed_honest,"
         "challenges_failed_honest,challenges_passed_adversary,challenges_failed_adversary,paid_units_honest,"
         "paid_units_adversary\n";
}

std::string csv_row(const sim_slot_sample& s) {
  // The service so far, honest nodes against all adversaries together.
  behaviour_tally honest, adversaries;
  for (const auto& [behaviour, t] : s.by_behaviour) {
    auto& into = behaviour == "honest" ? honest : adversaries;
    into.challenges_passed += t.challenges_passed;
    into.challenges_failed += t.challenges_failed;
    into.paid_units += t.paid_units;
  }
  std::string out;
  for (auto v : {s.slot, s.best_height_max, s.best_height_min, s.finalized_height_max, s.finalized_height_min,
                 s.finality_lag_blocks, s.frames_delivered, s.frames_lost, s.frames_duplicated, s.events,
                 s.adversaries_caught, honest.challenges_passed, honest.challenges_failed,
                 adversaries.challenges_passed, adversaries.challenges_failed, honest.paid_units,
                 adversaries.paid_units}) {
    if (!out.empty()) out += ',';
    out += std::to_string(v);
  }
  return out + "\n";
}

}  // namespace datdot

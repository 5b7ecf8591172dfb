#include "protocol/chain/epoch_transition.hpp"

#include <algorithm>

#include "protocol/chain/leader.hpp"

namespace datdot {
namespace {

std::vector<account_id> next_members(const chain_state& s) {
  std::set<account_id> next(s.validators.members.begin(), s.validators.members.end());
  next.insert(s.joining.begin(), s.joining.end());
  for (const auto& a : s.leaving) next.erase(a);
  for (const auto& [offender, record] : s.offences) next.erase(offender);
  if (next.empty()) return s.validators.members;
  return {next.begin(), next.end()};
}

}  // namespace

validator_set validators_for_slot(const chain_state& s, slot_number slot) {
  if (epoch_of(slot, s.params) <= s.epoch) return s.validators;
  auto members = next_members(s);
  if (members == s.validators.members) return s.validators;
  return validator_set{set_id{s.validators.id.value + 1}, std::move(members)};
}

void enter_slot(chain_state& s, slot_number slot, std::vector<chain_event>& events) {
  const auto epoch = epoch_of(slot, s.params);
  if (epoch <= s.epoch) return;
  auto next = validators_for_slot(s, slot);
  s.epoch = epoch;
  s.joining.clear();
  s.leaving.clear();
  if (next == s.validators) return;
  s.validators = std::move(next);
  events.push_back(validator_set_changed{s.validators.id, epoch, s.validators.members});
}

}  // namespace datdot

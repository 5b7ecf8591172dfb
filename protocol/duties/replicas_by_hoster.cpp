#include "protocol/duties/replicas_by_hoster.hpp"

#include <deque>
#include <mutex>

namespace datdot {

replicas_by_hoster::replicas_by_hoster(const chain_state& s) {
  for (const auto& entry : s.feeds)
    for (std::size_t i = 0; i < entry.second.replicas.size(); ++i)
      by_hoster_[entry.second.replicas[i].hoster].emplace_back(&entry, static_cast<std::uint32_t>(i));
}

const std::vector<replica_ref>& replicas_by_hoster::of(const account_id& hoster) const {
  static const std::vector<replica_ref> none;
  const auto i = by_hoster_.find(hoster);
  return i == by_hoster_.end() ? none : i->second;
}

namespace {

// Nodes learn of a block's finality at different moments, so asks for the
// last few states interleave; a role actor asks once per finalized block.
constexpr std::size_t states_kept = 8;

}  // namespace

std::shared_ptr<const replicas_by_hoster> replicas_by_hoster_of(const std::shared_ptr<const chain_state>& s) {
  static std::mutex mutex;
  // A weak reference cannot be mistaken for a later state at the same address:
  // it locks only while its own state lives.
  static std::deque<std::pair<std::weak_ptr<const chain_state>, std::shared_ptr<const replicas_by_hoster>>> recent;
  std::lock_guard lock{mutex};
  for (const auto& [state, index] : recent)
    if (state.lock() == s) return index;
  auto index = std::make_shared<const replicas_by_hoster>(*s);
  recent.emplace_back(s, index);
  if (recent.size() > states_kept) recent.pop_front();
  return index;
}

}  // namespace datdot

#include "protocol/duties/duties.hpp"

#include <algorithm>

namespace datdot {
namespace {

template <class Pick>
std::vector<replica_duty> replicas_where(const chain_state& s, Pick pick) {
  std::vector<replica_duty> out;
  for (const auto& entry : s.feeds) {
    const auto& f = entry.second;
    for (std::size_t i = 0; i < f.replicas.size(); ++i)
      if (f.replicas[i].state == replica_state::encoding && pick(f.replicas[i]))
        out.push_back({entry.first, static_cast<std::uint32_t>(i), f.replicas[i], f});
  }
  return out;
}

template <class Pick>
std::vector<challenge_duty> challenges_where(const chain_state& s, Pick pick) {
  std::vector<challenge_duty> out;
  for (const auto& entry : s.challenges) {
    const auto& c = entry.second;
    const auto& f = s.feeds.at(c.feed);
    const auto& r = f.replicas.at(c.replica);
    if (r.state == replica_state::active && pick(c, r)) out.push_back({entry.first, c, r, f});
  }
  return out;
}

}  // namespace

std::vector<replica_duty> sealing_duties(const chain_state& s, const account_id& me) {
  return replicas_where(s, [&](const replica_record& r) { return r.encoder == me && !r.encoder_root; });
}

std::vector<replica_duty> intake_duties(const chain_state& s, const account_id& me) {
  return replicas_where(s, [&](const replica_record& r) { return r.hoster == me; });
}

std::vector<challenge_duty> proof_duties(const chain_state& s, const account_id& me) {
  return challenges_where(s, [&](const challenge_record& c, const replica_record& r) { return r.hoster == me && !c.proved; });
}

std::vector<challenge_duty> attestation_duties(const chain_state& s, const account_id& me) {
  return challenges_where(s, [&](const challenge_record& c, const replica_record&) {
    return std::find(c.attesters.begin(), c.attesters.end(), me) != c.attesters.end() &&
           std::none_of(c.attestations.begin(), c.attestations.end(),
                        [&](const attestation_record& a) { return a.attester == me; });
  });
}

}  // namespace datdot

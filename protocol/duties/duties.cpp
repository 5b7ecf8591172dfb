#include "protocol/duties/duties.hpp"

#include <algorithm>

#include "protocol/duties/replicas_by_hoster.hpp"

namespace datdot {
namespace {

// The feed record as it was at `head` (a replica's covered head or its extension's target).
feed_record at_head(feed_record f, const feed_head& head) {
  f.length = head.length;
  f.byte_size = head.byte_size;
  f.tree_hash = head.tree_hash;
  return f;
}

// A replica's sealing work, if it has any: its first sealing, or its extension.
std::optional<replica_duty> work_of(const feed_key& key, std::uint32_t i, const feed_record& f) {
  const auto& r = f.replicas[i];
  if (r.state == replica_state::encoding)
    return replica_duty{key, i, r, at_head(f, r.covers), 0, r.encoder_root, r.hoster_root};
  if (r.state == replica_state::active && r.extension)
    return replica_duty{key,
                        i,
                        r,
                        at_head(f, r.extension->target),
                        r.covers.length,
                        r.extension->encoder_root,
                        r.extension->hoster_root};
  return std::nullopt;
}

// The encoder's root of a replica's sealing work so far (see work_of), or
// none when the replica has no such work.
const std::optional<replica_commitment>* work_encoder_root(const replica_record& r) {
  if (r.state == replica_state::encoding) return &r.encoder_root;
  if (r.state == replica_state::active && r.extension) return &r.extension->encoder_root;
  return nullptr;
}

// Every hoster and encoder asks this of each finalized state, and a duty
// copies its feed's record: only the replicas `mine` names (one compare each)
// are looked at further, and only those `wanted` are made into duties.
template <class Mine, class Wanted>
std::vector<replica_duty> replicas_where(const chain_state& s, Mine mine, Wanted wanted) {
  std::vector<replica_duty> out;
  for (const auto& entry : s.feeds)
    for (std::size_t i = 0; i < entry.second.replicas.size(); ++i) {
      const auto& r = entry.second.replicas[i];
      if (!mine(r)) continue;
      const auto* encoder_root = work_encoder_root(r);
      if (encoder_root && wanted(*encoder_root))
        out.push_back(*work_of(entry.first, static_cast<std::uint32_t>(i), entry.second));
    }
  return out;
}

// The replicas `me` hosts that have sealing work (see work_of).
std::vector<replica_duty> receiving(const replicas_by_hoster& index, const account_id& me) {
  std::vector<replica_duty> out;
  for (const auto& [entry, i] : index.of(me))
    if (auto work = work_of(entry->first, i, entry->second)) out.push_back(std::move(*work));
  return out;
}

template <class Pick>
std::vector<challenge_duty> challenges_where(const chain_state& s, Pick pick) {
  std::vector<challenge_duty> out;
  for (const auto& entry : s.challenges) {
    const auto& c = entry.second;
    const auto& f = s.feeds.at(c.feed);
    const auto& r = f.replicas.at(c.replica);
    if (r.state == replica_state::active && pick(c, r)) out.push_back({entry.first, c, r, at_head(f, r.covers)});
  }
  return out;
}

}  // namespace

std::vector<replica_duty> sealing_duties(const chain_state& s, const account_id& me) {
  return replicas_where(
      s, [&](const replica_record& r) { return r.encoder == me; },
      [](const std::optional<replica_commitment>& encoder_root) { return !encoder_root; });
}

std::vector<replica_duty> intake_duties(const chain_state& s, const account_id& me) {
  return receiving(replicas_by_hoster{s}, me);
}

std::vector<replica_duty> intake_duties(const std::shared_ptr<const chain_state>& s, const account_id& me) {
  return receiving(*replicas_by_hoster_of(s), me);
}

std::vector<challenge_duty> proof_duties(const chain_state& s, const account_id& me) {
  return challenges_where(s, [&](const challenge_record& c, const replica_record& r) { return r.hoster == me && !c.proved; });
}

std::vector<challenge_duty> proofs_answered::due(const chain_state& s, const account_id& me) {
  std::vector<challenge_duty> out;
  for (auto& d : proof_duties(s, me)) {
    const auto length = d.replica.covers.length;
    const auto [it, fresh] = length_of_.try_emplace(d.id, length);
    if (!fresh && it->second == length) continue;
    it->second = length;
    out.push_back(std::move(d));
  }
  std::erase_if(length_of_, [&](const auto& answered) { return !s.challenges.contains(answered.first); });
  return out;
}

std::vector<challenge_duty> attestation_duties(const chain_state& s, const account_id& me) {
  return challenges_where(s, [&](const challenge_record& c, const replica_record&) {
    return std::find(c.attesters.begin(), c.attesters.end(), me) != c.attesters.end() &&
           std::none_of(c.attestations.begin(), c.attestations.end(),
                        [&](const attestation_record& a) { return a.attester == me; });
  });
}

}  // namespace datdot

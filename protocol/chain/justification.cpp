#include "protocol/chain/justification.hpp"

#include <map>
#include <set>

#include "protocol/chain/chain_limits.hpp"

namespace datdot {

bytes encode_justification(const justification& j) {
  canonical_writer w;
  w.u64(j.round.value).fixed(j.target.bytes).u64(j.target_number.value);
  w.u32(static_cast<std::uint32_t>(j.precommits.size()));
  for (const auto& v : j.precommits) encode(w, v);
  w.u32(static_cast<std::uint32_t>(j.ancestry.size()));
  for (const auto& h : j.ancestry) encode(w, h);
  return w.take();
}

chain_result<justification> decode_justification(byte_view in) {
  canonical_reader r{in};
  justification j;
  j.round.value = r.u64();
  j.target.bytes = r.fixed<32>();
  j.target_number.value = r.u64();
  const auto votes = r.u32();
  if (votes > chain_limits::validators_max) return chain_fail(chain_errc::oversize, "too many precommits");
  for (std::uint32_t i = 0; i < votes && !r.failed(); ++i) j.precommits.push_back(decode_signed_vote(r));
  const auto headers = r.u32();
  if (headers > chain_limits::justification_ancestry_max) return chain_fail(chain_errc::oversize, "ancestry too long");
  for (std::uint32_t i = 0; i < headers && !r.failed(); ++i) j.ancestry.push_back(decode_header(r));
  DATDOT_CHAIN_CHECK(r.finish());
  return j;
}

chain_status verify_justification(const chain_id& chain, const validator_set& set, const justification& j) {
  if (j.precommits.size() > set.members.size() || j.ancestry.size() > chain_limits::justification_ancestry_max)
    return chain_fail(chain_errc::oversize, "justification larger than the set allows");
  std::map<block_hash, const block_header*> headers;
  for (const auto& h : j.ancestry) headers.emplace(hash_of(h), &h);
  std::set<account_id> voters;
  for (const auto& sv : j.precommits) {
    const auto& v = sv.body;
    if (v.kind != vote_kind::precommit || v.round != j.round) return chain_fail(chain_errc::malformed, "not a precommit of the round");
    if (v.set != set.id) return chain_fail(chain_errc::wrong_chain, "precommit for another validator set");
    if (!set.contains(v.voter)) return chain_fail(chain_errc::not_a_voter, "precommit by a non-member");
    if (!voters.insert(v.voter).second) return chain_fail(chain_errc::malformed, "two precommits by one voter");
    if (!verify_vote(sv, chain)) return chain_fail(chain_errc::bad_signature, "precommit signature");
    // Walk from the vote's target down to the justified block's height.
    auto at = v.target;
    auto number = v.target_number;
    while (number > j.target_number) {
      const auto it = headers.find(at);
      if (it == headers.end() || it->second->number != number)
        return chain_fail(chain_errc::malformed, "precommit target not linked to the block");
      at = it->second->parent;
      number = block_number{number.value - 1};
    }
    if (number != j.target_number || at != j.target)
      return chain_fail(chain_errc::malformed, "precommit for a block not above the target");
  }
  if (voters.size() < supermajority(set.members.size()))
    return chain_fail(chain_errc::insufficient_votes, std::to_string(voters.size()) + " of " +
                                                         std::to_string(set.members.size()) + " precommits");
  return chain_ok();
}

}  // namespace datdot

// report_equivocation / report_double_vote: anyone may submit the two signed
// messages; the chain verifies them itself and records one offence per
// (offender, slot) or (offender, set, round, kind). Offenders leave the
// validator set at the next epoch boundary; the next issue adds penalties.
#include "crypto/blake2b.hpp"
#include "protocol/chain/call_handlers.hpp"

namespace datdot {
namespace {

chain_status record(call_context& c, const account_id& offender, offence_kind kind, const hash32& offence) {
  if (!c.state.accounts.contains(offender)) return chain_fail(chain_errc::unknown_account, "offender has no account");
  if (c.state.reported_offences.contains(offence)) return chain_fail(chain_errc::invalid_call, "already reported");
  c.state.reported_offences.insert(offence);
  auto& r = c.state.offences[offender];
  ++(kind == offence_kind::equivocation ? r.equivocations : r.double_votes);
  c.events.push_back(offence_recorded{offender, kind});
  return chain_ok();
}

}  // namespace

chain_status apply_call(call_context& c, const report_equivocation& x) {
  const auto& a = x.first.header;
  const auto& b = x.second.header;
  if (a.author != b.author || a.slot != b.slot || a == b)
    return chain_fail(chain_errc::invalid_call, "not two different headers of one author for one slot");
  if (!verify_seal(x.first, c.state.chain) || !verify_seal(x.second, c.state.chain))
    return chain_fail(chain_errc::bad_signature, "header seal");
  canonical_writer key;
  key.u8(static_cast<std::uint8_t>(offence_kind::equivocation)).fixed(a.author.key).u64(a.slot.value);
  return record(c, a.author, offence_kind::equivocation, blake2b_256(key.data()));
}

chain_status apply_call(call_context& c, const report_double_vote& x) {
  if (!is_double_vote(x.first, x.second))
    return chain_fail(chain_errc::invalid_call, "not two different votes of one voter, kind and round");
  if (!verify_vote(x.first, c.state.chain) || !verify_vote(x.second, c.state.chain))
    return chain_fail(chain_errc::bad_signature, "vote signature");
  const auto& v = x.first.body;
  canonical_writer key;
  key.u8(static_cast<std::uint8_t>(offence_kind::double_vote)).fixed(v.voter.key).u64(v.set.value);
  key.u64(v.round.value).u8(static_cast<std::uint8_t>(v.kind));
  return record(c, v.voter, offence_kind::double_vote, blake2b_256(key.data()));
}

}  // namespace datdot

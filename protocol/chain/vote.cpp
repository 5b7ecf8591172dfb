#include "protocol/chain/vote.hpp"

#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/signing_domain.hpp"

namespace datdot {

void encode(canonical_writer& w, const vote& v) {
  w.u8(static_cast<std::uint8_t>(v.kind)).u64(v.set.value).u64(v.round.value);
  w.fixed(v.target.bytes).u64(v.target_number.value).fixed(v.voter.key);
}

void encode(canonical_writer& w, const signed_vote& v) {
  encode(w, v.body);
  w.fixed(v.sig);
}

signed_vote decode_signed_vote(canonical_reader& r) {
  signed_vote v;
  const auto kind = r.u8();
  if (kind > 1) r.fail("vote kind " + std::to_string(kind));
  v.body.kind = static_cast<vote_kind>(kind);
  v.body.set.value = r.u64();
  v.body.round.value = r.u64();
  v.body.target.bytes = r.fixed<32>();
  v.body.target_number.value = r.u64();
  v.body.voter.key = r.fixed<32>();
  v.sig = r.fixed<64>();
  return v;
}

bytes encode_signed_vote(const signed_vote& v) {
  canonical_writer w;
  encode(w, v);
  return w.take();
}

chain_result<signed_vote> decode_signed_vote(byte_view in) {
  if (in.size() != chain_limits::signed_vote_bytes)
    return chain_fail(chain_errc::malformed, "a signed vote is " +
                                                 std::to_string(chain_limits::signed_vote_bytes) + " bytes");
  canonical_reader r{in};
  auto v = decode_signed_vote(r);
  DATDOT_CHAIN_CHECK(r.finish());
  return v;
}

namespace {
bytes vote_payload(const vote& v) {
  canonical_writer w;
  encode(w, v);
  return w.take();
}
}  // namespace

signed_vote sign_vote(const vote& v, const chain_id& chain, const secret_key& sk) {
  return signed_vote{v, sign(signing_message(signing_domain::vote, chain, vote_payload(v)), sk)};
}

bool verify_vote(const signed_vote& v, const chain_id& chain) {
  return verify(signing_message(signing_domain::vote, chain, vote_payload(v.body)), v.sig, v.body.voter.key);
}

bool is_double_vote(const signed_vote& a, const signed_vote& b) {
  return a.body.voter == b.body.voter && a.body.kind == b.body.kind && a.body.set == b.body.set &&
         a.body.round == b.body.round && a.body.target != b.body.target;
}

}  // namespace datdot

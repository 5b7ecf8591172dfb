// A finality vote: prevote or precommit for a block (and so for all its
// ancestors) in one round of one validator set. Two different signed votes of
// one kind by one voter in one round are a double vote (report_double_vote).
#pragma once

#include <cstdint>

#include "crypto/keys.hpp"
#include "protocol/chain/canonical_encoding.hpp"
#include "protocol/chain/chain_ids.hpp"

namespace datdot {

enum class vote_kind : std::uint8_t { prevote = 0, precommit = 1 };

struct vote {
  vote_kind kind = vote_kind::prevote;
  set_id set;
  round_number round;
  block_hash target;
  block_number target_number;
  account_id voter;
  bool operator==(const vote&) const = default;
};

struct signed_vote {
  vote body;
  signature sig{};
  bool operator==(const signed_vote&) const = default;
};

void encode(canonical_writer& w, const vote& v);
void encode(canonical_writer& w, const signed_vote& v);
signed_vote decode_signed_vote(canonical_reader& r);
bytes encode_signed_vote(const signed_vote& v);
chain_result<signed_vote> decode_signed_vote(byte_view in);

signed_vote sign_vote(const vote& v, const chain_id& chain, const secret_key& sk);
bool verify_vote(const signed_vote& v, const chain_id& chain);

// One voter, one kind, one round of one set, two different targets.
bool is_double_vote(const signed_vote& a, const signed_vote& b);

}  // namespace datdot

// The leader's candidate order: signers with a call due by the nearest
// challenge deadline first, each signer's calls kept in nonce order.
#include <doctest/doctest.h>

#include "protocol/chain/candidate_order.hpp"

using namespace datdot;

namespace {

account_id account(byte b) {
  account_id a{};
  a.key.fill(b);
  return a;
}

extrinsic call_of(byte signer, std::uint64_t nonce, call c) { return extrinsic{account(signer), nonce, std::move(c), {}}; }

challenge_record due_at(std::uint64_t deadline) {
  challenge_record c;
  c.deadline = block_number{deadline};
  return c;
}

}  // namespace

TEST_CASE("a leader offers the calls with the nearest challenge deadline first and keeps each signer's nonce order") {
  chain_state s;
  s.challenges.emplace(1, due_at(50));
  s.challenges.emplace(2, due_at(20));
  // In the pool's order: by signer, then nonce.
  const std::vector<extrinsic> pool{
      call_of(1, 0, transfer_ratio{account(9), ratio{1}}),
      call_of(2, 0, submit_storage_proof{1, {}, {}}),
      call_of(3, 0, transfer_ratio{account(9), ratio{1}}),
      call_of(3, 1, submit_attestation{2, true, 5, 1000}),
      call_of(4, 0, submit_storage_proof{7, {}, {}}),  // its challenge is no longer open
  };
  std::vector<const extrinsic*> pooled;
  for (const auto& x : pool) pooled.push_back(&x);

  CHECK(deadline_of(s, pool[1].body) == block_number{50});
  CHECK(deadline_of(s, pool[3].body) == block_number{20});
  CHECK_FALSE(deadline_of(s, pool[0].body));
  CHECK_FALSE(deadline_of(s, pool[4].body));
  const auto ordered = order_candidates(s, pooled);
  REQUIRE(ordered.size() == pool.size());
  CHECK(ordered[0] == &pool[2]);  // signer 3's attestation is due first; its nonce 0 goes before it
  CHECK(ordered[1] == &pool[3]);
  CHECK(ordered[2] == &pool[1]);
  CHECK(ordered[3] == &pool[0]);  // no deadline: the pool's order
  CHECK(ordered[4] == &pool[4]);
}

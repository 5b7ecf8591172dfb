// Shared by the sealing tests (disputes, root disputes, deadlines): one feed
// with one replica being encoded by one of three encoders, its encoder and
// hoster with some ratio, and the evidence either side can sign.
#pragma once

#include "chain/hosting_fixture.hpp"
#include "protocol/chain/replica_commitment_claim.hpp"
#include "protocol/chain/sealed_block_claim.hpp"

namespace datdot::test {

inline constexpr std::uint64_t sealing_price = 1000;  // one sealing of a test feed (under 1 MiB)

struct sealing {
  hosting_fixture h{4, 10 * feed_bytes, 3};
  feed_key key = h.publish(300, 1'000'000, 1);
  replica_record r;
  std::uint64_t seed;

  explicit sealing(std::uint64_t first_seed = 1) : seed{first_seed} {
    h.next_block(seed);
    r = h.s.feeds.at(key).replicas.at(0);
    h.s.accounts.at(r.encoder).balance = ratio{5 * sealing_price};
    h.s.accounts.at(r.hoster).balance = ratio{300};
  }
  const key_pair& encoder() const { return h.signer_of(r.encoder); }
  const key_pair& hoster() const { return h.signer_of(r.hoster); }
  const test_feed& feed() const { return h.feeds.at(key); }
  const replica_record& replica() const { return h.s.feeds.at(key).replicas.at(0); }
  ratio balance(const account_id& a) const { return h.s.accounts.at(a).balance; }

  // Block `index` sealed over `plain` (777: bytes no test feed holds).
  bytes sealed_over(std::uint64_t index, const bytes& plain) const {
    return test_sealer().seal(r.replica_key, index, plain).value();
  }
  dispute_sealing dispute(std::uint64_t index, const bytes& sealed, const key_pair& signer) const {
    return {key,
            0,
            index,
            sealed,
            sign_sealed_block(h.f.chain(), {key, 0, r.replica_key, index, sealed}, signer.sk),
            leaf_node(index, feed().blocks.at(index)),
            feed().tree.path(index),
            feed().tree.tree.roots()};
  }
  dispute_sealing bad_block_dispute(std::uint64_t index) const {
    return dispute(index, sealed_over(index, feed_block(777, index)), encoder());
  }
  // `c` as `signer` signs it for replica `slot` under replica key `key_signed`.
  dispute_replica_root root_dispute(const replica_commitment& c, const key_pair& signer, std::uint32_t slot,
                                    const hash32& key_signed) const {
    return {key, 0, c, sign_replica_commitment(h.f.chain(), {key, slot, key_signed, c}, signer.sk)};
  }
  // The encoder's signature over commitment `c` of this replica, as its last push carried it.
  dispute_replica_root root_dispute(const replica_commitment& c) const {
    return root_dispute(c, encoder(), 0, r.replica_key);
  }
  void run_blocks(std::uint64_t n) {
    for (std::uint64_t i = 0; i < n; ++i) h.next_block(++seed);
  }
  // Jumps to just before block `due` (nothing else comes due meanwhile), then runs it.
  void run_until(block_number due) {
    REQUIRE(due.value > h.s.number.value + 1);
    h.s.number = block_number{due.value - 2};
    run_blocks(2);
  }
};

}  // namespace datdot::test

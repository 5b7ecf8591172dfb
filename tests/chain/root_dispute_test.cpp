// Root disputes on chain (root_dispute.hpp): an encoder that signed the
// commitment of the whole replica and submitted another root is convicted on
// the hoster's dispute, where before the honest hoster was named; a dispute
// with the wrong signer, slot, replica key, assignment or length, or of the
// root the encoder did submit, is refused and changes nothing.
#include <doctest/doctest.h>

#include "chain/sealing_fixture.hpp"
#include "protocol/chain/chain_limits.hpp"

using namespace datdot;
using namespace datdot::test;

namespace {

const hash32 bogus_root = blake2b_256(as_bytes("the encoder's other root"));

}  // namespace

TEST_CASE("an encoder that signed the replica's commitment but submitted another root is convicted, the hoster is not") {
  sealing t;
  const auto total = t.h.total_ratio();
  const auto backing = t.h.s.feeds.at(t.key).backing;
  const auto honest = seal_replica(t.feed(), t.r.replica_key).commitment();
  t.h.apply(t.hoster(), submit_replica_root{t.key, 0, honest.tree_hash, honest.length});
  t.h.apply(t.encoder(), submit_replica_root{t.key, 0, bogus_root, feed_length});
  t.h.events.clear();
  t.h.apply(t.hoster(), t.root_dispute(honest));

  const auto convicted = events_of<encoder_convicted>(t.h.events);
  REQUIRE(convicted.size() == 1);
  CHECK(convicted[0] == encoder_convicted{t.key, 0, t.r.encoder, feed_length, ratio{sealing_price}});
  CHECK(t.balance(t.r.encoder) == ratio{4 * sealing_price});
  CHECK(t.h.s.feeds.at(t.key).backing.units == backing.units + sealing_price);
  CHECK(t.balance(t.r.hoster) == ratio{300});
  CHECK(t.h.total_ratio() == total);
  CHECK(t.replica().state == replica_state::badly_sealed);
  t.h.check_capacity();
  // The window closed with the conviction: the hoster is never named.
  t.run_blocks(chain_limits::hoster_answer_blocks + 1);
  CHECK(count_events<hoster_convicted>(t.h.events) == 0);
  const auto again = t.replica();
  REQUIRE(again.state == replica_state::encoding);
  CHECK(again.encoder != t.r.encoder);
  CHECK(decode_state(encode_state(t.h.s)).value() == t.h.s);
}

TEST_CASE("false root disputes are refused without effect") {
  sealing t;
  const auto honest = seal_replica(t.feed(), t.r.replica_key).commitment();
  // Nothing to dispute before the encoder has a root on chain.
  CHECK(t.h.rejected(t.hoster(), t.root_dispute(honest)) == chain_errc::invalid_call);
  t.h.apply(t.encoder(), submit_replica_root{t.key, 0, bogus_root, feed_length});

  // Signed by someone else than the encoder: the hoster itself.
  CHECK(t.h.rejected(t.hoster(), t.root_dispute(honest, t.hoster(), 0, t.r.replica_key)) == chain_errc::bad_signature);
  // The encoder's signature, but for another slot or another replica key.
  CHECK(t.h.rejected(t.hoster(), t.root_dispute(honest, t.encoder(), 1, t.r.replica_key)) == chain_errc::bad_signature);
  hash32 other_key = t.r.replica_key;
  other_key[0] ^= 0xff;
  CHECK(t.h.rejected(t.hoster(), t.root_dispute(honest, t.encoder(), 0, other_key)) == chain_errc::bad_signature);
  // A commitment after a run, not of the whole replica.
  const auto part = seal_replica(prefix(t.feed(), 5), t.r.replica_key).commitment();
  CHECK(t.h.rejected(t.hoster(), t.root_dispute(part)) == chain_errc::invalid_call);
  // The very root the encoder submitted.
  CHECK(t.h.rejected(t.hoster(), t.root_dispute({bogus_root, feed_length})) == chain_errc::invalid_call);
  // A changed commitment under the encoder's signature of the honest one.
  auto altered = t.root_dispute(honest);
  altered.commitment.tree_hash[3] ^= 1;
  CHECK(t.h.rejected(t.hoster(), altered) == chain_errc::bad_signature);
  // From anyone but the replica's hoster, the encoder included.
  const auto& other_hoster = t.h.hosters.front().pk == t.r.hoster.key ? t.h.hosters.back() : t.h.hosters.front();
  CHECK(t.h.rejected(other_hoster, t.root_dispute(honest)) == chain_errc::invalid_call);
  CHECK(t.h.rejected(t.encoder(), t.root_dispute(honest)) == chain_errc::invalid_call);
  CHECK(count_events<encoder_convicted>(t.h.events) == 0);
  CHECK(t.balance(t.r.encoder) == ratio{5 * sealing_price});
}

TEST_CASE("a commitment signed for a slot's earlier assignment does not convict its next encoder") {
  sealing t;
  const auto stale = t.root_dispute(seal_replica(t.feed(), t.r.replica_key).commitment());
  // The first assignment times out; the slot is re-created with another encoder and replica key.
  t.run_until(t.r.root_due);
  const auto now = t.replica();
  REQUIRE(now.state == replica_state::encoding);
  REQUIRE(now.encoder != t.r.encoder);
  const auto& now_hoster = t.h.signer_of(now.hoster);
  t.h.apply(t.h.signer_of(now.encoder), submit_replica_root{t.key, 0, bogus_root, feed_length});
  CHECK(t.h.rejected(now_hoster, stale) == chain_errc::bad_signature);
  // Nor does the new encoder's signature over the old replica key.
  const auto old_key = t.root_dispute(seal_replica(t.feed(), t.r.replica_key).commitment(),
                                      t.h.signer_of(now.encoder), 0, t.r.replica_key);
  CHECK(t.h.rejected(now_hoster, old_key) == chain_errc::bad_signature);
}

TEST_CASE("in an extension, the encoder's signed commitment of the grown replica convicts it, the agreed one does not") {
  sealing t;
  const auto agreed = t.h.activate(t.key, 0).commitment();
  const auto& publisher = t.h.signer_of(t.h.s.feeds.at(t.key).publisher);
  t.h.apply(publisher, append(t.h, t.key, 4));
  REQUIRE(t.replica().extension);
  const auto grown = seal_replica(t.feed(), t.r.replica_key).commitment();
  // Once the replica is active there is nothing to dispute until the encoder commits to the extension.
  CHECK(t.h.rejected(t.hoster(), t.root_dispute(grown)) == chain_errc::invalid_call);
  t.h.apply(t.encoder(), submit_replica_root{t.key, 0, bogus_root, grown.length});
  // The commitment the first sealing ended with is not of the grown replica.
  CHECK(t.h.rejected(t.hoster(), t.root_dispute(agreed)) == chain_errc::invalid_call);
  t.h.events.clear();
  t.h.apply(t.hoster(), t.root_dispute(grown));
  CHECK(count_events<encoder_convicted>(t.h.events) == 1);
  CHECK(count_events<replica_extended>(t.h.events) == 0);
  CHECK(t.replica().state == replica_state::badly_sealed);
  t.h.check_capacity();
}

TEST_CASE("a root dispute round-trips through the extrinsic encoding in the small bound, truncations are refused") {
  sealing t;
  const auto x = make_extrinsic(t.h.f.chain(), t.hoster(), 0, t.root_dispute({bogus_root, feed_length}));
  const auto encoded = encode_extrinsic(x);
  CHECK(extrinsic_bytes_max_of(x.body) == chain_limits::small_extrinsic_bytes_max);
  CHECK(encoded.size() <= extrinsic_bytes_max_of(x.body));
  CHECK(decode_extrinsic(encoded).value() == x);
  for (std::size_t cut = 1; cut < encoded.size(); cut += 7)
    CHECK_FALSE(decode_extrinsic(byte_view{encoded.data(), encoded.size() - cut}));
}

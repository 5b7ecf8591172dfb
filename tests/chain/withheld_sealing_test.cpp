// Withheld sealings on chain (sealing_dispute.hpp): a hoster whose encoder
// submitted a root but never pushed the whole replica reports it in its
// answer window and is not named; neither side is paid or charged, and the
// replica is re-created without either. A report the chain can rule out
// (before the encoder's root, after the hoster's, of every block, or from
// anyone but the hoster) is refused and changes nothing.
#include <doctest/doctest.h>

#include "chain/sealing_fixture.hpp"
#include "protocol/chain/chain_limits.hpp"

using namespace datdot;
using namespace datdot::test;

TEST_CASE("a hoster that reports its sealing withheld is not named, and neither side is paid or charged") {
  sealing t;
  const auto total = t.h.total_ratio();
  const auto backing = t.h.s.feeds.at(t.key).backing;
  const auto whole = seal_replica(t.feed(), t.r.replica_key).commitment();
  t.h.apply(t.encoder(), submit_replica_root{t.key, 0, whole.tree_hash, whole.length});
  t.h.events.clear();
  t.h.apply(t.hoster(), report_withheld_sealing{t.key, 0, 5});

  CHECK(events_of<sealing_withheld>(t.h.events) ==
        std::vector{sealing_withheld{t.key, 0, t.r.encoder, t.r.hoster, 5}});
  CHECK(count_events<encoder_convicted>(t.h.events) == 0);
  CHECK(count_events<replica_activated>(t.h.events) == 0);
  CHECK(t.replica().state == replica_state::sealing_withheld);
  CHECK(t.balance(t.r.encoder) == ratio{5 * sealing_price});
  CHECK(t.balance(t.r.hoster) == ratio{300});
  CHECK(t.h.s.feeds.at(t.key).backing == backing);
  CHECK(t.h.total_ratio() == total);
  t.h.check_capacity();
  CHECK(decode_state(encode_state(t.h.s)).value() == t.h.s);
  // The window closed with the report: the hoster is never named, and the slot goes to two others.
  t.run_blocks(chain_limits::hoster_answer_blocks + 1);
  CHECK(count_events<hoster_convicted>(t.h.events) == 0);
  const auto again = t.replica();
  REQUIRE(again.state == replica_state::encoding);
  CHECK(again.encoder != t.r.encoder);
  CHECK(again.hoster != t.r.hoster);
}

TEST_CASE("reports of a withheld sealing the chain can rule out are refused without effect") {
  sealing t;
  // Before the encoder's root it may still be sealing.
  CHECK(t.h.rejected(t.hoster(), report_withheld_sealing{t.key, 0, 0}) == chain_errc::invalid_call);
  const auto whole = seal_replica(t.feed(), t.r.replica_key).commitment();
  // A hoster that committed to the replica holds all of it (here the encoder's root differs).
  t.h.apply(t.hoster(), submit_replica_root{t.key, 0, whole.tree_hash, whole.length});
  t.h.apply(t.encoder(), submit_replica_root{t.key, 0, blake2b_256(as_bytes("another root")), whole.length});
  CHECK(t.h.rejected(t.hoster(), report_withheld_sealing{t.key, 0, 3}) == chain_errc::invalid_call);

  sealing u{7};
  const auto sealed = seal_replica(u.feed(), u.r.replica_key).commitment();
  u.h.apply(u.encoder(), submit_replica_root{u.key, 0, sealed.tree_hash, sealed.length});
  // Every block of the sealing received: nothing was withheld.
  CHECK(u.h.rejected(u.hoster(), report_withheld_sealing{u.key, 0, feed_length}) == chain_errc::invalid_call);
  // From anyone but the replica's hoster, the encoder included; of a slot the feed does not have.
  const auto& other_hoster = u.h.hosters.front().pk == u.r.hoster.key ? u.h.hosters.back() : u.h.hosters.front();
  CHECK(u.h.rejected(other_hoster, report_withheld_sealing{u.key, 0, 3}) == chain_errc::invalid_call);
  CHECK(u.h.rejected(u.encoder(), report_withheld_sealing{u.key, 0, 3}) == chain_errc::invalid_call);
  CHECK(u.h.rejected(u.hoster(), report_withheld_sealing{u.key, 9, 3}) == chain_errc::invalid_call);
  CHECK(count_events<sealing_withheld>(t.h.events) + count_events<sealing_withheld>(u.h.events) == 0);
  CHECK(u.replica().state == replica_state::encoding);
}

TEST_CASE("a withheld-sealing report round-trips through the extrinsic encoding, truncations are refused") {
  sealing t;
  const auto x = make_extrinsic(t.h.f.chain(), t.hoster(), 0, report_withheld_sealing{t.key, 0, 5});
  const auto encoded = encode_extrinsic(x);
  CHECK(extrinsic_bytes_max_of(x.body) == chain_limits::small_extrinsic_bytes_max);
  CHECK(decode_extrinsic(encoded).value() == x);
  for (std::size_t cut = 1; cut < encoded.size(); ++cut)
    CHECK_FALSE(decode_extrinsic(byte_view{encoded.data(), encoded.size() - cut}));
}

// The runtime: canonical encoding, every extrinsic kind valid and invalid,
// apply_block's typed rejections, state roots and determinism, genesis, queries.
#include <doctest/doctest.h>

#include "chain/chain_fixture.hpp"
#include "crypto/blake2b.hpp"
#include "protocol/chain/apply_extrinsic.hpp"
#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/chain_queries.hpp"
#include "protocol/chain/randomness.hpp"

using namespace datdot;
using namespace datdot::test;

namespace {

publish_feed signed_publish(const key_pair& feed, std::uint64_t length, std::uint32_t replicas = 2) {
  publish_feed p;
  p.signer = feed.pk;
  p.mode = signing_mode::manifest_v1;
  p.length = length;
  p.byte_size = length * 1000;
  p.tree_hash = blake2b_256(as_bytes("tree of " + std::to_string(length)));
  const feed_identity identity{feed.pk, p.mode};
  p.tree_signature = sign(identity.signable(p.tree_hash, p.length, p.fork), feed.sk);
  p.replicas = replicas;
  return p;
}

register_node registration(std::initializer_list<role> roles) {
  role_set set;
  for (auto x : roles) set.add(x);
  return test_registration(set, 1 << 30, "tcp://127.0.0.1:7000");
}

chain_errc apply_error(chain_state& s, const extrinsic& x) {
  std::vector<chain_event> events;
  auto before = s;
  auto r = apply_extrinsic(s, x, events);
  REQUIRE_FALSE(r);
  CHECK(s == before);  // a rejected extrinsic changes nothing
  CHECK(events.empty());
  return r.err().code;
}

void apply_ok(chain_state& s, const extrinsic& x) {
  std::vector<chain_event> events;
  auto r = apply_extrinsic(s, x, events);
  if (!r) FAIL(r.err().describe());
}

}  // namespace

TEST_CASE("every call kind round-trips through the strict canonical encoding") {
  chain_fixture f{4};
  const auto& k = f.users[0];
  block_header h{};
  h.slot = slot_number{3};
  h.author = id_of(f.validators[3]);
  auto h2 = h;
  h2.state_root[0] = 1;
  vote v{vote_kind::precommit, set_id{0}, round_number{2}, block_hash{}, block_number{1}, id_of(k)};
  auto v2 = v;
  v2.target.bytes[0] = 9;
  std::vector<call> calls{registration({role::hoster, role::attester}),
                          unregister_node{},
                          transfer_ratio{id_of(f.users[1]), ratio{5}},
                          signed_publish(test_key(77), 10),
                          join_validators{},
                          leave_validators{},
                          report_equivocation{seal_header(h, f.chain(), f.validators[3].sk),
                                              seal_header(h2, f.chain(), f.validators[3].sk)},
                          report_double_vote{sign_vote(v, f.chain(), k.sk), sign_vote(v2, f.chain(), k.sk)},
                          submit_replica_root{feed_key{blake2b_256(as_bytes("feed"))}, 2, blake2b_256(as_bytes("root")), 10},
                          submit_storage_proof{7,
                                               storage_proof{3, bytes(300, 0x11), 290, {{2, 9, {}}}, {{3, 40, {}}},
                                                             {{6, 20, {}}}},
                                               {{3, 40, blake2b_256(as_bytes("root"))}}},
                          submit_attestation{7, true, 15, 1'000'000},
                          back_feed{feed_key{blake2b_256(as_bytes("feed"))}, ratio{9}},
                          update_feed{feed_key{blake2b_256(as_bytes("feed"))},
                                      {{7, 40, blake2b_256(as_bytes("root"))}},
                                      6,
                                      {{8, 10, {}}, {10, 10, {}}},
                                      {}},
                          dispute_sealing{feed_key{blake2b_256(as_bytes("feed"))},
                                          1,
                                          3,
                                          bytes(300, 0x22),
                                          {},
                                          {6, 290, blake2b_256(as_bytes("leaf"))},
                                          {{4, 300, {}}},
                                          {{3, 40, blake2b_256(as_bytes("root"))}}},
                          dispute_replica_root{feed_key{blake2b_256(as_bytes("feed"))},
                                               1,
                                               replica_commitment{blake2b_256(as_bytes("signed tree")), 10},
                                               {}},
                          report_withheld_sealing{feed_key{blake2b_256(as_bytes("feed"))}, 2, 7}};
  REQUIRE(calls.size() == std::variant_size_v<call>);
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const auto x = make_extrinsic(f.chain(), k, i, calls[i]);
    const auto wire = encode_extrinsic(x);
    auto back = decode_extrinsic(wire);
    REQUIRE(back);
    CHECK(*back == x);
    CHECK(encode_extrinsic(*back) == wire);
    CHECK(verify_extrinsic_signature(*back, f.chain()));
    auto longer = wire;
    longer.push_back(0);
    CHECK(decode_extrinsic(longer).err().code == chain_errc::malformed);
    CHECK(decode_extrinsic(byte_view{wire}.first(wire.size() - 1)).err().code == chain_errc::malformed);
  }
  auto bad_tag = encode_extrinsic(make_extrinsic(f.chain(), k, 0, unregister_node{}));
  bad_tag[40] = 200;  // the call tag follows signer (32) and nonce (8)
  CHECK(decode_extrinsic(bad_tag).err().code == chain_errc::malformed);
  CHECK(decode_extrinsic(bytes(chain_limits::extrinsic_bytes_max + 1)).err().code == chain_errc::oversize);
}

TEST_CASE("register and unregister and transfer and publish and join and leave apply and emit events") {
  chain_fixture f{4};
  auto s = f.gen.state;
  const auto& publisher = f.users[0];
  const auto newcomer = test_key(5000);  // no account yet: a first registration opens one
  std::vector<chain_event> events;

  REQUIRE(apply_extrinsic(s, make_extrinsic(f.chain(), newcomer, 0, registration({role::hoster, role::validator})), events));
  CHECK(s.accounts.at(id_of(newcomer)).nonce == 1);
  CHECK(s.nodes.at(id_of(newcomer)).roles.contains(role::hoster));
  CHECK(std::get<node_registered>(events.back()).node == id_of(newcomer));

  REQUIRE(apply_extrinsic(s, make_extrinsic(f.chain(), publisher, 0, registration({role::publisher})), events));
  REQUIRE(apply_extrinsic(s, make_extrinsic(f.chain(), publisher, 1, transfer_ratio{id_of(newcomer), ratio{250}}), events));
  CHECK(s.accounts.at(id_of(newcomer)).balance.units == 250);
  CHECK(s.accounts.at(id_of(publisher)).balance.units == 5'000'000 - 250);

  const auto feed = test_key(9000);
  REQUIRE(apply_extrinsic(s, make_extrinsic(f.chain(), publisher, 2, signed_publish(feed, 42)), events));
  const auto feeds = list_feeds(s);
  REQUIRE(feeds.size() == 1);
  CHECK(feeds[0].key.bytes == feed_identity(feed.pk, signing_mode::manifest_v1).core_key());
  CHECK(feeds[0].record.length == 42);
  CHECK(feeds[0].record.state == hosting_state::queued);
  CHECK(feeds[0].record.publisher == id_of(publisher));

  REQUIRE(apply_extrinsic(s, make_extrinsic(f.chain(), newcomer, 1, join_validators{}), events));
  CHECK(s.joining.contains(id_of(newcomer)));
  REQUIRE(apply_extrinsic(s, make_extrinsic(f.chain(), f.validators[1], 0, leave_validators{}), events));
  CHECK(s.leaving.contains(id_of(f.validators[1])));
  REQUIRE(apply_extrinsic(s, make_extrinsic(f.chain(), newcomer, 2, unregister_node{}), events));
  CHECK_FALSE(s.nodes.contains(id_of(newcomer)));

  const auto view = find_account(s, id_of(publisher));
  REQUIRE(view);
  CHECK(view->account.nonce == 3);
  CHECK(view->node->roles.contains(role::publisher));
  CHECK_FALSE(view->validator);
  CHECK(find_account(s, id_of(f.validators[0]))->validator);
  CHECK_FALSE(find_account(s, id_of(test_key(424242))));
}

TEST_CASE("bad signature and wrong nonce and replay and oversize and unknown account are typed rejections") {
  chain_fixture f{4};
  auto s = f.gen.state;
  const auto& u = f.users[0];

  auto forged = make_extrinsic(f.chain(), u, 0, transfer_ratio{id_of(f.users[1]), ratio{1}});
  forged.sig[0] ^= 1;
  CHECK(apply_error(s, forged) == chain_errc::bad_signature);
  auto other_chain = f.chain();
  other_chain.bytes[0] ^= 1;
  CHECK(apply_error(s, make_extrinsic(other_chain, u, 0, transfer_ratio{id_of(f.users[1]), ratio{1}})) ==
        chain_errc::bad_signature);

  CHECK(apply_error(s, make_extrinsic(f.chain(), u, 1, transfer_ratio{id_of(f.users[1]), ratio{1}})) ==
        chain_errc::wrong_nonce);
  const auto first = make_extrinsic(f.chain(), u, 0, transfer_ratio{id_of(f.users[1]), ratio{1}});
  apply_ok(s, first);
  CHECK(apply_error(s, first) == chain_errc::wrong_nonce);  // replay

  auto huge = registration({role::hoster});
  huge.bus_address.assign(chain_limits::small_extrinsic_bytes_max, 'x');
  CHECK(apply_error(s, make_extrinsic(f.chain(), u, 1, huge)) == chain_errc::oversize);

  const auto stranger = test_key(31337);
  CHECK(apply_error(s, make_extrinsic(f.chain(), stranger, 0, transfer_ratio{id_of(u), ratio{1}})) ==
        chain_errc::unknown_account);
  CHECK(apply_error(s, make_extrinsic(f.chain(), stranger, 1, registration({role::hoster}))) ==
        chain_errc::wrong_nonce);
}

TEST_CASE("calls that are well-formed but not allowed are rejected without effect") {
  chain_fixture f{4};
  auto s = f.gen.state;
  const auto& u = f.users[0];
  const auto& v = f.users[1];
  std::uint64_t n = 0;
  auto x = [&](call c) { return make_extrinsic(f.chain(), u, n, std::move(c)); };

  CHECK(apply_error(s, x(transfer_ratio{id_of(v), ratio{6'000'000}})) == chain_errc::insufficient_ratio);
  CHECK(apply_error(s, x(transfer_ratio{id_of(u), ratio{1}})) == chain_errc::invalid_call);
  CHECK(apply_error(s, x(transfer_ratio{id_of(v), ratio{0}})) == chain_errc::invalid_call);
  CHECK(apply_error(s, x(register_node{})) == chain_errc::invalid_call);  // no roles
  CHECK(apply_error(s, x(unregister_node{})) == chain_errc::invalid_call);
  CHECK(apply_error(s, x(signed_publish(test_key(1), 3))) == chain_errc::invalid_call);  // not a publisher
  CHECK(apply_error(s, x(join_validators{})) == chain_errc::invalid_call);  // not a validator node
  CHECK(apply_error(s, x(leave_validators{})) == chain_errc::invalid_call);

  apply_ok(s, x(registration({role::publisher})));
  ++n;
  auto forged = signed_publish(test_key(1), 3);
  forged.length = 4;  // the tree signature covered length 3
  CHECK(apply_error(s, x(forged)) == chain_errc::bad_signature);
  CHECK(apply_error(s, x(signed_publish(test_key(1), 0))) == chain_errc::invalid_call);
  CHECK(apply_error(s, x(signed_publish(test_key(1), 3, 0))) == chain_errc::invalid_call);
  CHECK(apply_error(s, x(signed_publish(test_key(1), 3, f.gen.state.params.replicas_per_feed + 1))) ==
        chain_errc::invalid_call);
  apply_ok(s, x(signed_publish(test_key(1), 3)));
  ++n;
  CHECK(apply_error(s, x(signed_publish(test_key(1), 3))) == chain_errc::invalid_call);  // already published
}

TEST_CASE("equivocation and double-vote reports are verified and recorded once") {
  chain_fixture f{4};
  auto s = f.gen.state;
  const auto& reporter = f.users[0];
  const auto& offender = f.validators[2];
  block_header a{};
  a.slot = slot_number{6};
  a.author = id_of(offender);
  auto b = a;
  b.state_root[5] = 7;
  const auto sa = seal_header(a, f.chain(), offender.sk);
  const auto sb = seal_header(b, f.chain(), offender.sk);
  std::uint64_t n = 0;
  auto x = [&](call c) { return make_extrinsic(f.chain(), reporter, n, std::move(c)); };

  CHECK(apply_error(s, x(report_equivocation{sa, sa})) == chain_errc::invalid_call);
  auto forged = sb;
  forged.seal[1] ^= 1;
  CHECK(apply_error(s, x(report_equivocation{sa, forged})) == chain_errc::bad_signature);
  auto other_slot = b;
  other_slot.slot = slot_number{7};
  CHECK(apply_error(s, x(report_equivocation{sa, seal_header(other_slot, f.chain(), offender.sk)})) ==
        chain_errc::invalid_call);
  apply_ok(s, x(report_equivocation{sa, sb}));
  ++n;
  CHECK(s.offences.at(id_of(offender)).equivocations == 1);
  CHECK(apply_error(s, x(report_equivocation{sb, sa})) == chain_errc::invalid_call);  // already reported

  vote v{vote_kind::prevote, set_id{0}, round_number{4}, block_hash{}, block_number{2}, id_of(offender)};
  auto w = v;
  w.target.bytes[3] = 1;
  const auto sv = sign_vote(v, f.chain(), offender.sk);
  const auto sw = sign_vote(w, f.chain(), offender.sk);
  auto other_round = w;
  other_round.round = round_number{5};
  CHECK(apply_error(s, x(report_double_vote{sv, sign_vote(other_round, f.chain(), offender.sk)})) ==
        chain_errc::invalid_call);
  auto other_voter = w;
  other_voter.voter = id_of(f.validators[0]);
  CHECK(apply_error(s, x(report_double_vote{sv, sign_vote(other_voter, f.chain(), f.validators[0].sk)})) ==
        chain_errc::invalid_call);
  CHECK(apply_error(s, x(report_double_vote{sv, sign_vote(w, f.chain(), f.validators[0].sk)})) ==
        chain_errc::bad_signature);
  apply_ok(s, x(report_double_vote{sv, sw}));
  ++n;
  CHECK(s.offences.at(id_of(offender)).double_votes == 1);
  CHECK(apply_error(s, x(report_double_vote{sw, sv})) == chain_errc::invalid_call);
  CHECK(find_account(s, id_of(offender))->offences->equivocations == 1);
}

TEST_CASE("apply_block accepts what build_block makes and gives the same state root twice") {
  chain_fixture f{4};
  const auto& u = f.users[0];
  std::vector<block> chain;
  auto state = f.gen.state;
  auto hash = f.gen.hash;
  std::uint64_t nonce = 0;
  for (std::uint64_t slot = 1; slot <= 12; ++slot) {
    if (slot % 3 == 0) continue;  // skipped slots are fine
    std::vector<extrinsic> xs;
    for (int i = 0; i < 3; ++i)
      xs.push_back(make_extrinsic(f.chain(), u, nonce++, transfer_ratio{id_of(f.users[1 + i]), ratio{10}}));
    auto built = f.build(state, hash, slot_number{slot}, xs);
    CHECK(built.rejected.empty());
    chain.push_back(built.b);
    state = built.applied.state;
    hash = hash_of(built.b);
  }
  auto replay = [&] {
    auto s = f.gen.state;
    auto h = f.gen.hash;
    for (const auto& b : chain) {
      auto wire = encode_block(b);
      auto decoded = decode_block(wire);
      REQUIRE(decoded);
      auto applied = apply_block(s, h, *decoded);
      REQUIRE(applied);
      s = applied->state;
      h = hash_of(*decoded);
    }
    return std::pair{state_root(s), h};
  };
  const auto first = replay();
  const auto second = replay();
  CHECK(first == second);
  CHECK(first.first == state_root(state));
  CHECK(first.first == chain.back().header.header.state_root);
  CHECK(state.accounts.at(id_of(u)).nonce == nonce);
}

TEST_CASE("apply_block rejects each kind of bad block with its own error") {
  chain_fixture f{4};
  const auto& s = f.gen.state;
  const auto parent = f.gen.hash;
  const auto& u = f.users[0];
  const std::vector<extrinsic> xs{make_extrinsic(f.chain(), u, 0, transfer_ratio{id_of(f.users[1]), ratio{1}})};
  const auto good = f.build(s, parent, slot_number{5}, xs).b;
  REQUIRE(apply_block(s, parent, good));
  const auto& leader = f.leader_key(s, slot_number{5});
  auto code = [&](const block& b, const block_hash& p) {
    auto r = apply_block(s, p, b);
    REQUIRE_FALSE(r);
    return r.err().code;
  };
  auto resealed = [&](block_header h, const key_pair& k) {
    block b = good;
    b.header = seal_header(h, f.chain(), k.sk);
    return b;
  };

  CHECK(code(good, block_hash{}) == chain_errc::unknown_parent);
  auto h = good.header.header;
  h.number = block_number{2};
  CHECK(code(resealed(h, leader), parent) == chain_errc::wrong_number);
  h = good.header.header;
  h.state_root[0] ^= 1;
  CHECK(code(resealed(h, leader), parent) == chain_errc::bad_state_root);
  h = good.header.header;
  h.extrinsics_root[0] ^= 1;
  CHECK(code(resealed(h, leader), parent) == chain_errc::bad_extrinsics_root);
  auto bad_seal = good;
  bad_seal.header.seal[0] ^= 1;
  CHECK(code(bad_seal, parent) == chain_errc::bad_signature);
  h = good.header.header;
  h.randomness_proof[0] ^= 1;
  CHECK(code(resealed(h, leader), parent) == chain_errc::bad_signature);
  // Another validator signing for the slot is the wrong leader.
  const auto& other = f.leader_key(s, slot_number{6});
  h = good.header.header;
  h.author = id_of(other);
  h.randomness_proof = randomness_proof(f.chain(), s.randomness, other.sk);
  CHECK(code(resealed(h, other), parent) == chain_errc::wrong_leader);
  // A replayed extrinsic inside a block makes the whole block invalid.
  auto twice = good;
  twice.extrinsics.push_back(xs[0]);
  h = good.header.header;
  h.extrinsics_root = extrinsics_root(twice.extrinsics);
  twice.header = seal_header(h, f.chain(), leader.sk);
  CHECK(code(twice, parent) == chain_errc::wrong_nonce);
  // Slots must increase: a child at the same slot fails.
  const auto after = apply_block(s, parent, good).value();
  CHECK(build_block(after.state, hash_of(good), slot_number{5}, leader, {}).err().code ==
        chain_errc::slot_not_increasing);
  CHECK(build_block(s, parent, slot_number{5}, other, {}).err().code == chain_errc::wrong_leader);
  // The leader's randomness follows the rule: BLAKE2b of its signature over the previous randomness.
  CHECK(after.state.randomness == next_randomness(randomness_proof(f.chain(), s.randomness, leader.sk)));
}

TEST_CASE("a block leader drops invalid candidates and the block stays valid") {
  chain_fixture f{4};
  const auto& u = f.users[0];
  std::vector<extrinsic> xs{make_extrinsic(f.chain(), u, 0, transfer_ratio{id_of(f.users[1]), ratio{1}}),
                            make_extrinsic(f.chain(), u, 0, transfer_ratio{id_of(f.users[2]), ratio{1}}),
                            make_extrinsic(f.chain(), u, 1, transfer_ratio{id_of(f.users[2]), ratio{1}})};
  auto built = f.build(f.gen.state, f.gen.hash, slot_number{1}, xs);
  CHECK(built.b.extrinsics.size() == 2);
  REQUIRE(built.rejected.size() == 1);
  CHECK(built.rejected[0].first == 1);
  CHECK(built.rejected[0].second.code == chain_errc::wrong_nonce);
  CHECK(apply_block(f.gen.state, f.gen.hash, built.b));
}

TEST_CASE("a leader stops filling its block at the byte limit so that every block fits one bus frame") {
  chain_fixture f{4};
  std::vector<extrinsic> xs;
  for (std::uint64_t i = 0; i < 800; ++i) {
    auto r = registration({role::hoster});
    r.bus_address = "tcp://" + std::string(chain_limits::bus_address_bytes_max - 6, 'a');
    xs.push_back(make_extrinsic(f.chain(), test_key(20'000 + i), 0, r));
  }
  std::size_t offered = 0;
  for (const auto& x : xs) offered += 4 + encode_extrinsic(x).size();
  REQUIRE(offered > chain_limits::block_bytes_max);  // more than one block's worth

  const auto built = f.build(f.gen.state, f.gen.hash, slot_number{1}, xs);
  CHECK(built.rejected.empty());  // the rest is left for later blocks, not refused
  CHECK(built.b.extrinsics.size() < xs.size());
  const auto encoded = encode_block(built.b);
  CHECK(encoded.size() <= chain_limits::block_bytes_max);
  // Filled: one more registration would not have fit.
  CHECK(encoded.size() + 4 + encode_extrinsic(xs[built.b.extrinsics.size()]).size() > chain_limits::block_bytes_max);
  const auto decoded = decode_block(encoded);
  REQUIRE(decoded);
  CHECK(apply_block(f.gen.state, f.gen.hash, *decoded));
}

TEST_CASE("a leader leaves out a call too large for what is left of its block and fills on with smaller ones") {
  chain_fixture f{4};
  const auto room = chain_limits::block_bytes_max - chain_limits::signed_header_bytes - 4;
  const auto bytes_of = [](const extrinsic& x) { return 4 + encode_extrinsic(x).size(); };
  const auto big = [&](std::uint64_t i, std::size_t address_bytes) {
    auto r = registration({role::hoster});
    r.bus_address = "tcp://" + std::string(address_bytes - 6, 'a');
    return make_extrinsic(f.chain(), test_key(20'000 + i), 0, r);
  };
  const auto small = make_extrinsic(f.chain(), f.users[0], 0, transfer_ratio{id_of(f.users[1]), ratio{1}});
  std::vector<extrinsic> fill;  // the largest registrations, more than a block holds
  for (std::uint64_t i = 1; i < 800; ++i) fill.push_back(big(i, chain_limits::bus_address_bytes_max));
  // A first registration sized so that the largest ones then leave room for the small call but not one more of them.
  std::vector<extrinsic> xs;
  std::size_t used = 0;
  for (std::size_t address = 8; address <= chain_limits::bus_address_bytes_max; ++address) {
    xs = {big(0, address)};
    used = bytes_of(xs[0]);
    for (const auto& x : fill) {
      if (used + bytes_of(x) > room) break;
      xs.push_back(x);
      used += bytes_of(x);
    }
    if (room - used >= bytes_of(small)) break;
  }
  REQUIRE(room - used >= bytes_of(small));
  REQUIRE(xs.size() < fill.size() + 1);
  const auto left_out = fill[xs.size() - 1];
  REQUIRE(used + bytes_of(left_out) > room);
  const auto after = make_extrinsic(f.chain(), test_key(20'000 + xs.size()), 1, transfer_ratio{id_of(f.users[1]), ratio{1}});
  REQUIRE(after.signer == left_out.signer);
  const auto fitting = xs.size();
  xs.push_back(left_out);
  xs.push_back(small);
  xs.push_back(after);  // the left-out signer's next call waits with it

  const auto built = f.build(f.gen.state, f.gen.hash, slot_number{1}, xs);
  CHECK(built.rejected.empty());
  REQUIRE(built.b.extrinsics.size() == fitting + 1);
  CHECK(built.b.extrinsics.back() == small);
  const auto encoded = encode_block(built.b);
  CHECK(encoded.size() <= chain_limits::block_bytes_max);
  const auto decoded = decode_block(encoded);
  REQUIRE(decoded);
  CHECK(apply_block(f.gen.state, f.gen.hash, *decoded));
}

TEST_CASE("a state snapshot decodes to the same state and only canonical bytes decode") {
  chain_fixture f{4};
  auto s = f.gen.state;
  const auto& publisher = f.users[0];
  apply_ok(s, make_extrinsic(f.chain(), publisher, 0, registration({role::publisher, role::hoster})));
  apply_ok(s, make_extrinsic(f.chain(), f.users[1], 0, registration({role::attester, role::validator})));
  apply_ok(s, make_extrinsic(f.chain(), publisher, 1, signed_publish(test_key(9000), 42)));
  apply_ok(s, make_extrinsic(f.chain(), publisher, 2, signed_publish(test_key(9001), 7, 1)));
  apply_ok(s, make_extrinsic(f.chain(), publisher, 3, transfer_ratio{id_of(test_key(77)), ratio{5}}));
  apply_ok(s, make_extrinsic(f.chain(), f.users[1], 1, join_validators{}));
  apply_ok(s, make_extrinsic(f.chain(), f.validators[1], 0, leave_validators{}));
  s.offences[id_of(f.validators[2])] = offence_record{1, 2};
  s.reported_offences.insert(blake2b_256(as_bytes("an offence")));
  s.randomness = blake2b_256(as_bytes("randomness"));

  const auto encoded = encode_state(s);
  const auto decoded = decode_state(encoded);
  REQUIRE(decoded);
  CHECK(*decoded == s);
  CHECK(state_root(*decoded) == state_root(s));
  CHECK(decode_state(encode_state(f.gen.state)).value() == f.gen.state);

  // Truncated or extended bytes, and a byte changed so the order of two
  // entries breaks, are refused rather than read as another state.
  for (std::size_t cut : {std::size_t{1}, std::size_t{8}, encoded.size() / 2})
    CHECK(decode_state(byte_view{encoded}.first(encoded.size() - cut)).err().code == chain_errc::malformed);
  auto longer = encoded;
  longer.push_back(0);
  CHECK_FALSE(decode_state(longer));
  REQUIRE(s.accounts.size() >= 2);
  // The first account key starts right after chain id, params (8+8+4+8 for
  // slots and replicas, 8+4+4 for challenges, 8+8 for prices), number, slot,
  // epoch, randomness and the count: make it sort after the second.
  auto reordered = encoded;
  const std::size_t first_key = 32 + (28 + 16 + 16) + 24 + 32 + 8;
  reordered[first_key] = 0xff;
  CHECK_FALSE(decode_state(reordered));
  // Random damage never crashes and never decodes to a different state that re-encodes differently.
  for (std::size_t i = 0; i < encoded.size(); i += 7) {
    auto damaged = encoded;
    damaged[i] ^= 0x5a;
    if (auto d = decode_state(damaged)) CHECK(encode_state(*d) == damaged);
  }
}

TEST_CASE("genesis from JSON with parameters and validators and accounts and bad configs refused") {
  const auto a = to_hex(byte_view{test_key(0).pk});
  const auto b = to_hex(byte_view{test_key(1).pk});
  const std::string json = R"({"params":{"slot_duration_ms":1000,"epoch_length_slots":20,"replicas_per_feed":2,
    "challenge_period_slots":10,"challenge_deadline_blocks":4},"validators":[")" + b + R"(",")" + a + R"("],
    "accounts":[{"id":")" + a + R"(","ratio_units":7}]})";
  auto config = parse_genesis_config(json);
  REQUIRE(config);
  auto g = make_genesis(*config);
  REQUIRE(g);
  CHECK(g->state.params.epoch_length_slots == 20);
  CHECK(g->state.validators.members.size() == 2);
  CHECK(g->state.validators.members[0] < g->state.validators.members[1]);
  CHECK(g->state.accounts.at(id_of(test_key(0))).balance.units == 7);
  CHECK(g->header.state_root == state_root(g->state));
  CHECK(make_genesis(*config).value().hash == g->hash);

  auto defaults = parse_genesis_config(R"({"params":{},"validators":[")" + a + R"("]})");
  REQUIRE(defaults);
  CHECK(defaults->params.epoch_length_slots == 600);
  CHECK(make_genesis(*defaults).value().state.chain != g->state.chain);

  CHECK(parse_genesis_config("{").err().code == chain_errc::bad_config);
  CHECK(parse_genesis_config(R"({"params":{},"validators":["zz"]})").err().code == chain_errc::bad_config);
  auto twice = *config;
  twice.validators.push_back(twice.validators[0]);
  CHECK(make_genesis(twice).err().code == chain_errc::bad_config);
  auto none = *config;
  none.validators.clear();
  CHECK(make_genesis(none).err().code == chain_errc::bad_config);
  auto short_epoch = *config;
  short_epoch.params.epoch_length_slots = 1;
  CHECK(make_genesis(short_epoch).err().code == chain_errc::bad_config);
  CHECK(config->params.challenge_deadline_blocks == 4);
  auto late_deadline = *config;  // a challenge must be over before its replica can be due again
  late_deadline.params.challenge_deadline_blocks = 6;
  CHECK(make_genesis(late_deadline).err().code == chain_errc::bad_config);
  auto too_many_attesters = *config;
  too_many_attesters.params.attesters_per_challenge = chain_limits::attesters_per_challenge_max + 1;
  CHECK(make_genesis(too_many_attesters).err().code == chain_errc::bad_config);
}

TEST_CASE("validator set changes are enacted by the first block of the next epoch") {
  chain_params params;
  params.epoch_length_slots = 10;
  chain_fixture f{4, 4, params};
  auto s = f.gen.state;
  const auto newcomer = f.users[0];
  std::vector<chain_event> events;
  REQUIRE(apply_extrinsic(s, make_extrinsic(f.chain(), newcomer, 0, registration({role::validator})), events));
  REQUIRE(apply_extrinsic(s, make_extrinsic(f.chain(), newcomer, 1, join_validators{}), events));
  REQUIRE(apply_extrinsic(s, make_extrinsic(f.chain(), f.validators[0], 0, leave_validators{}), events));
  // An offender is dropped too.
  block_header a{};
  a.slot = slot_number{3};
  a.author = id_of(f.validators[1]);
  auto b = a;
  b.state_root[0] = 1;
  REQUIRE(apply_extrinsic(s, make_extrinsic(f.chain(), f.users[1], 0,
                                            report_equivocation{seal_header(a, f.chain(), f.validators[1].sk),
                                                                seal_header(b, f.chain(), f.validators[1].sk)}),
                          events));

  CHECK(validators_for_slot(s, slot_number{9}) == s.validators);  // same epoch: unchanged
  const auto next = validators_for_slot(s, slot_number{10});
  CHECK(next.id == set_id{1});
  CHECK(next.members.size() == 3);
  CHECK(next.contains(id_of(newcomer)));
  CHECK_FALSE(next.contains(id_of(f.validators[0])));
  CHECK_FALSE(next.contains(id_of(f.validators[1])));

  events.clear();
  auto entered = s;
  enter_slot(entered, slot_number{25}, events);  // skipped epochs enact once
  CHECK(entered.validators == next);
  CHECK(entered.epoch == epoch_number{2});
  CHECK(entered.joining.empty());
  CHECK(entered.leaving.empty());
  REQUIRE(events.size() == 1);
  CHECK(std::get<validator_set_changed>(events[0]).members == next.members);

  // The boundary block is led by the new set, and applies.
  auto built = f.build(s, f.gen.hash, slot_number{10});
  CHECK(next.contains(built.b.header.header.author));
  CHECK(built.applied.state.validators == next);
}

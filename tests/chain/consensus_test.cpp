// Block production and finality rules in isolation: fork choice, ancestry and
// pruning; justification verification; the validator deferring future
// blocks, holding orphans, and reporting an equivocating leader on chain.
#include <doctest/doctest.h>

#include "chain/chain_fixture.hpp"
#include "protocol/chain/block_tree.hpp"
#include "protocol/chain/gossip_key.hpp"
#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/import_memo.hpp"
#include "protocol/chain/justification.hpp"
#include "protocol/chain/validator.hpp"

using namespace datdot;
using namespace datdot::test;

namespace {

template <class T>
std::vector<T> effects_of(const effects& out) {
  std::vector<T> found;
  for (const auto& e : out)
    if (const auto* x = std::get_if<T>(&e)) found.push_back(*x);
  return found;
}

}  // namespace

TEST_CASE("fork choice is the longest chain through the finalized block with ties to the lower hash and finality prunes the rest") {
  chain_fixture f{4};
  block_tree tree{f.gen};
  const auto a1 = f.build(f.gen.state, f.gen.hash, slot_number{1});
  const auto b1 = f.build(f.gen.state, f.gen.hash, slot_number{2});
  REQUIRE(tree.import(a1.b));
  REQUIRE(tree.import(b1.b));
  const auto ha = hash_of(a1.b), hb = hash_of(b1.b);
  CHECK(tree.best().hash == std::min(ha, hb));
  const auto a2 = f.build(a1.applied.state, ha, slot_number{3});
  REQUIRE(tree.import(a2.b));
  const auto ha2 = hash_of(a2.b);
  CHECK(tree.best().hash == ha2);
  CHECK(tree.descends_from(ha2, ha));
  CHECK_FALSE(tree.descends_from(ha2, hb));
  CHECK(tree.best_descendant(hb) == hb);
  CHECK(tree.ancestor_at(ha2, block_number{1}) == ha);
  CHECK(tree.import(a2.b));  // importing twice is harmless
  auto same_slot = a2.b;
  same_slot.header.header.parent = ha2;
  same_slot.header.header.number = block_number{3};
  CHECK(tree.import(same_slot).err().code == chain_errc::slot_not_increasing);

  tree.finalize(ha);
  CHECK_FALSE(tree.contains(hb));
  CHECK_FALSE(tree.contains(f.gen.hash));
  CHECK(tree.finalized().hash == ha);
  CHECK(tree.best().hash == ha2);
  CHECK(tree.import(b1.b).err().code == chain_errc::unknown_parent);  // below finality now
}

TEST_CASE("a justification needs more than 2/3 distinct precommits of one round and set linked to the block") {
  chain_fixture f{4};
  block_tree tree{f.gen};
  const auto b1 = f.build(f.gen.state, f.gen.hash, slot_number{1});
  const auto b2 = f.build(b1.applied.state, hash_of(b1.b), slot_number{2});
  REQUIRE(tree.import(b1.b));
  REQUIRE(tree.import(b2.b));
  const auto h1 = hash_of(b1.b), h2 = hash_of(b2.b);
  const auto& set = f.gen.state.validators;
  auto precommit = [&](std::size_t i, const block_hash& target, block_number number, round_number round = {3}) {
    return sign_vote(vote{vote_kind::precommit, set.id, round, target, number, id_of(f.validators[i])}, f.chain(),
                     f.validators[i].sk);
  };
  // Two vote for b1, one for its child b2 (linked by b2's header).
  justification j{round_number{3}, h1, block_number{1},
                  {precommit(0, h1, block_number{1}), precommit(1, h1, block_number{1}),
                   precommit(2, h2, block_number{2})},
                  {b2.b.header.header}};
  CHECK(verify_justification(f.chain(), set, j));
  CHECK(decode_justification(encode_justification(j)).value() == j);

  auto fewer = j;
  fewer.precommits.pop_back();
  CHECK(verify_justification(f.chain(), set, fewer).err().code == chain_errc::insufficient_votes);
  auto unlinked = j;
  unlinked.ancestry.clear();
  CHECK(verify_justification(f.chain(), set, unlinked).err().code == chain_errc::malformed);
  auto twice = fewer;
  twice.precommits.push_back(precommit(1, h1, block_number{1}));
  CHECK(verify_justification(f.chain(), set, twice).err().code == chain_errc::malformed);
  auto other_round = fewer;
  other_round.precommits.push_back(precommit(3, h1, block_number{1}, round_number{4}));
  CHECK(verify_justification(f.chain(), set, other_round).err().code == chain_errc::malformed);
  auto forged = j;
  forged.precommits[0].sig[0] ^= 1;
  CHECK(verify_justification(f.chain(), set, forged).err().code == chain_errc::bad_signature);
  auto stranger = fewer;
  const auto outsider = test_key(999);
  stranger.precommits.push_back(sign_vote(
      vote{vote_kind::precommit, set.id, round_number{3}, h1, block_number{1}, id_of(outsider)}, f.chain(), outsider.sk));
  CHECK(verify_justification(f.chain(), set, stranger).err().code == chain_errc::not_a_voter);
  auto wrong_set = set;
  wrong_set.id = set_id{1};
  CHECK(verify_justification(f.chain(), wrong_set, j).err().code == chain_errc::wrong_chain);
}

TEST_CASE("a validator defers blocks from future slots and holds orphans and reports an equivocating leader") {
  chain_fixture f{4};
  effects out;
  // The observer is validator 3; blocks come from the leaders of slots 1 and 2.
  validator v{f.gen, f.validators[3], finality_timing{250, 500}, out};
  CHECK(effects_of<start_timer>(out).size() == 2);
  const auto b1 = f.build(f.gen.state, f.gen.hash, slot_number{1});
  const auto b2 = f.build(b1.applied.state, hash_of(b1.b), slot_number{2});

  // Slot 2's block arrives before its parent and before slot 2: deferred, then orphaned.
  CHECK(v.on_block(b2.b).empty());
  CHECK(effects_of<block_imported>(v.on_slot(slot_number{1})).empty());
  auto at2 = v.on_slot(slot_number{2});
  REQUIRE(effects_of<request_blocks>(at2).size() == 1);
  CHECK(effects_of<request_blocks>(at2)[0].hash == hash_of(b1.b));
  CHECK_FALSE(v.knows(b1.b.header.header));
  const auto imported = effects_of<block_imported>(v.on_block(b1.b));
  REQUIRE(imported.size() == 2);
  CHECK(v.tree().best().hash == hash_of(b2.b));
  // What it holds now, it knows from the header alone at the front of the bytes.
  const auto header = decode_block_header(encode_block(b2.b));
  REQUIRE(header);
  CHECK(*header == b2.b.header);
  CHECK(v.knows(header->header));
  CHECK(v.on_block(b2.b).empty());
  CHECK(decode_block_header(bytes(chain_limits::signed_header_bytes - 1, 0)).err().code == chain_errc::malformed);

  // The leader of slot 3 signs two different blocks: the second is reported.
  const auto& leader = f.leader_key(b2.applied.state, slot_number{3});
  const std::vector<extrinsic> xs{
      make_extrinsic(f.chain(), f.users[0], 0, transfer_ratio{id_of(f.users[1]), ratio{1}})};
  const auto c1 = build_block(b2.applied.state, hash_of(b2.b), slot_number{3}, leader, {}).value();
  const auto c2 = build_block(b2.applied.state, hash_of(b2.b), slot_number{3}, leader, xs).value();
  REQUIRE(hash_of(c1.b) != hash_of(c2.b));
  CHECK(effects_of<block_imported>(v.on_slot(slot_number{3})).empty());
  CHECK(effects_of<gossip_transaction>(v.on_block(c1.b)).empty());
  const auto reported = effects_of<gossip_transaction>(v.on_block(c2.b));
  REQUIRE(reported.size() == 1);
  CHECK(reported[0].x.signer == v.id());
  CHECK(std::holds_alternative<report_equivocation>(reported[0].x.body));
  CHECK(v.pool_size() == 1);

  // A forged seal is counted, not imported.
  (void)v.on_slot(slot_number{4});
  auto forged = build_block(c1.applied.state, hash_of(c1.b), slot_number{4},
                            f.leader_key(c1.applied.state, slot_number{4}), {}).value().b;
  forged.header.seal[0] ^= 1;
  const auto rejected = effects_of<input_rejected>(v.on_block(forged));
  REQUIRE(rejected.size() == 1);
  CHECK(rejected[0].code == chain_errc::bad_signature);
}

TEST_CASE("the second precommit of an equivocator completes a justification its first does not support") {
  // An equivocator counts for every block (its votes cannot be trusted either
  // way), so two honest precommits and its two make a supermajority for b1 of
  // four: the commit must carry the one of its precommits that supports b1.
  // With only its first (for the fork) the node saw finality but could never
  // justify it, and with one honest voter behind, finality stalled for good.
  chain_fixture f{4};
  const auto b1 = f.build(f.gen.state, f.gen.hash, slot_number{1});
  const auto fork = f.build(f.gen.state, f.gen.hash, slot_number{2});
  effects out;
  validator observer{f.gen, f.users[0], finality_timing{250, 500}, out};  // not a voter: it only counts
  (void)observer.on_slot(slot_number{2});
  (void)observer.on_block(b1.b);
  (void)observer.on_block(fork.b);
  const auto& set = f.gen.state.validators;
  const auto vote_of = [&](vote_kind kind, std::size_t voter, const built_block& target) {
    return sign_vote(vote{kind, set.id, round_number{1}, hash_of(target.b), target.b.header.header.number,
                          id_of(f.validators[voter])},
                     f.chain(), f.validators[voter].sk);
  };
  std::vector<block_finalized> finalized;
  for (auto kind : {vote_kind::prevote, vote_kind::precommit}) {
    for (const auto& v : {vote_of(kind, 0, fork), vote_of(kind, 0, b1), vote_of(kind, 1, b1), vote_of(kind, 2, b1)})
      for (const auto& e : effects_of<block_finalized>(observer.on_vote(v))) finalized.push_back(e);
  }
  REQUIRE(finalized.size() == 1);
  CHECK(finalized[0].hash == hash_of(b1.b));
  CHECK(finalized[0].j.precommits.size() == 3);
  CHECK(verify_justification(f.chain(), set, finalized[0].j));
  CHECK(observer.tree().finalized().hash == hash_of(b1.b));
}

TEST_CASE("followers announce no commit of their own and pass on the first commit that finalizes a block") {
  // Votes travel among voters only; followers learn finality from commits,
  // so a follower must pass on the one that finalized a block for it (once),
  // and never make one of its own that would repeat the voters'.
  chain_fixture f{4};
  const auto b1 = f.build(f.gen.state, f.gen.hash, slot_number{1});
  const auto& set = f.gen.state.validators;
  const auto vote_of = [&](vote_kind kind, std::size_t voter) {
    return sign_vote(vote{kind, set.id, round_number{1}, hash_of(b1.b), b1.b.header.header.number,
                          id_of(f.validators[voter])},
                     f.chain(), f.validators[voter].sk);
  };
  const justification j{round_number{1}, hash_of(b1.b), b1.b.header.header.number,
                        {vote_of(vote_kind::precommit, 0), vote_of(vote_kind::precommit, 1),
                         vote_of(vote_kind::precommit, 2)},
                        {}};
  REQUIRE(verify_justification(f.chain(), set, j));
  effects ignored;
  const auto node = [&](const key_pair& k) {
    auto v = std::make_unique<validator>(f.gen, k, finality_timing{250, 500}, ignored);
    (void)v->on_slot(slot_number{1});
    (void)v->on_block(b1.b);
    return v;
  };

  SUBCASE("a follower that counted the votes itself finalizes and announces nothing") {
    auto follower = node(f.users[0]);
    effects out;
    for (auto kind : {vote_kind::prevote, vote_kind::precommit})
      for (std::size_t voter = 0; voter < 3; ++voter)
        for (auto& e : follower->on_vote(vote_of(kind, voter))) out.push_back(std::move(e));
    CHECK(effects_of<block_finalized>(out).size() == 1);
    CHECK(effects_of<gossip_commit>(out).empty());
    CHECK(effects_of<relay_commit>(out).empty());
  }
  SUBCASE("a follower passes on the commit that finalized, and not a repeat of it") {
    auto follower = node(f.users[0]);
    const auto first = follower->on_commit(j);
    CHECK(effects_of<block_finalized>(first).size() == 1);
    REQUIRE(effects_of<relay_commit>(first).size() == 1);
    CHECK(effects_of<relay_commit>(first)[0].j == j);
    CHECK(effects_of<gossip_commit>(first).empty());
    CHECK(effects_of<relay_commit>(follower->on_commit(j)).empty());
  }
  SUBCASE("a voter finalizing on a commit announces its own") {
    auto voter = node(f.validators[3]);
    const auto out = voter->on_commit(j);
    CHECK(effects_of<block_finalized>(out).size() == 1);
    CHECK(effects_of<gossip_commit>(out).size() == 1);
    CHECK(effects_of<relay_commit>(out).empty());
  }
}

TEST_CASE("a restarted voter casts the vote it signed before its crash instead of a new one") {
  chain_fixture f{4};
  const auto b1 = f.build(f.gen.state, f.gen.hash, slot_number{1});
  const auto fork = f.build(f.gen.state, f.gen.hash, slot_number{2});
  const finality_timer prevote_timer{f.gen.state.validators.id, round_number{1}, vote_kind::prevote};
  const auto prevote_after = [&](validator& v, const built_block& seen, slot_number slot) {
    (void)v.on_slot(slot);
    (void)v.on_block(seen.b);
    const auto votes = effects_of<gossip_vote>(v.on_timeout(prevote_timer));
    REQUIRE(votes.size() == 1);
    return votes[0].v;
  };

  effects out;
  validator before{f.gen, f.validators[3], finality_timing{250, 500}, out};
  const auto signed_before = prevote_after(before, b1, slot_number{1});
  CHECK(signed_before.body.target == hash_of(b1.b));

  // After the restart the node sees another best block: without its stored
  // vote it would prevote that one (a double vote) ...
  validator forgetful{f.gen, f.validators[3], finality_timing{250, 500}, out};
  const auto fresh = prevote_after(forgetful, fork, slot_number{2});
  CHECK(fresh.body.target == hash_of(fork.b));
  CHECK(is_double_vote(signed_before, fresh));

  // ... with it, it sends the same vote again.
  validator restarted{f.gen, f.validators[3], finality_timing{250, 500}, out};
  restarted.restore_own_vote(signed_before);
  CHECK(prevote_after(restarted, fork, slot_number{2}) == signed_before);
  // Another voter's vote is no pledge of this one's.
  validator other{f.gen, f.validators[2], finality_timing{250, 500}, out};
  other.restore_own_vote(signed_before);
  CHECK(prevote_after(other, fork, slot_number{2}).body.target == hash_of(fork.b));
}

TEST_CASE("an own call the chain refuses does not hold the node's later own calls back") {
  chain_fixture f{1, 0};
  effects ignored;
  validator v{f.gen, f.validators[0], finality_timing{}, ignored};
  const account_id to{test_key(77).pk};
  // Nonce 0 cannot apply (more than the balance); nonce 1 could, once nonce 0 is taken.
  v.on_own_call(transfer_ratio{to, ratio{1'000'000'000'000}});
  v.on_own_call(transfer_ratio{to, ratio{5}});
  for (std::uint64_t slot = 1; slot <= 8; ++slot) v.on_slot(slot_number{slot});
  const auto& accounts = v.tree().best().state().accounts;
  REQUIRE(accounts.contains(to));
  CHECK(accounts.at(to).balance.units == 5);
}

TEST_CASE("a pooled call is replaced by another under its nonce only after a re-gossip period and only when signed") {
  // A signer whose call stopped applying signs its next call with that nonce
  // (tend_own_calls); a node keeping the stale call would never pass the new
  // one on, and a challenged hoster's proof then missed its deadline.
  chain_fixture f{1, 2};
  effects ignored;
  validator node{f.gen, f.users[1], finality_timing{}, ignored};
  const account_id to{test_key(77).pk};
  const auto stale = make_extrinsic(f.chain(), f.users[0], 0, transfer_ratio{to, ratio{5}});
  const auto next = make_extrinsic(f.chain(), f.users[0], 0, transfer_ratio{to, ratio{7}});
  auto forged = next;
  forged.body = transfer_ratio{to, ratio{9}};
  const auto gossiped = [](const effects& out) { return effects_of<gossip_transaction>(out).size(); };
  (void)node.on_slot(slot_number{1});
  CHECK(gossiped(node.on_transaction(stale)) == 1);
  CHECK(gossiped(node.on_transaction(next)) == 0);  // too soon: a signer cannot churn a nonce
  (void)node.on_slot(slot_number{1 + chain_limits::own_calls_regossip_slots});
  CHECK(effects_of<input_rejected>(node.on_transaction(forged)).size() == 1);
  CHECK(gossiped(node.on_transaction(next)) == 1);
  CHECK(node.pool_size() == 1);
  CHECK(gossiped(node.on_transaction(stale)) == 0);  // the replaced call does not come back at once
}

TEST_CASE("an own call that stopped applying is dropped even when this node never leads") {
  // A follower (its key is a funded account, not a validator) never builds a
  // block, so only tending its own pool can drop the call.
  chain_fixture f{1, 1};
  effects ignored;
  validator follower{f.gen, f.users[0], finality_timing{}, ignored};
  const account_id to{test_key(77).pk};
  follower.on_own_call(transfer_ratio{to, ratio{1'000'000'000'000}});  // more than it has: never applies
  follower.on_own_call(transfer_ratio{to, ratio{7}});
  std::size_t resent = 0;
  for (std::uint64_t slot = 1; slot <= 8; ++slot)
    for (const auto& e : follower.on_slot(slot_number{slot}))
      if (const auto* g = std::get_if<gossip_transaction>(&e))
        resent += g->x.nonce == 0 && std::get<transfer_ratio>(g->x.body).amount.units == 7 ? 1 : 0;
  // The refused call is gone; the transfer of 7 now carries nonce 0 and went out.
  CHECK(resent >= 1);
  CHECK(follower.pool_size() == 1);
}

TEST_CASE("a leader keeps the block it built without applying it again, and the other nodes find it in the memo") {
  chain_fixture f{4};
  sim_memo_scope scope;
  const auto& leader = f.leader_key(f.gen.state, slot_number{1});
  effects out;
  validator v{f.gen, leader, finality_timing{250, 500}, out};
  const auto before = import_memo_counts();
  const auto produced = effects_of<gossip_block>(v.on_slot(slot_number{1}));
  REQUIRE(produced.size() == 1);
  CHECK(v.tree().best().hash == hash_of(produced[0].b));
  CHECK(import_memo_counts().misses == before.misses);  // built once, not applied on import
  CHECK(import_memo_counts().built == before.built + 1);
  block_tree other{f.gen};
  const auto imported = other.import(produced[0].b);
  REQUIRE(imported);
  CHECK(import_memo_counts().hits == before.hits + 1);
  CHECK(other.find(hash_of(produced[0].b))->state_after == v.tree().best().state_after);
}

TEST_CASE("a block is keyed for the copy filter by its seal and a commit by its target and nothing else is keyed") {
  chain_fixture f{4};
  const auto b1 = f.build(f.gen.state, f.gen.hash, slot_number{1});
  const auto b2 = f.build(b1.applied.state, hash_of(b1.b), slot_number{2});
  const auto word = [](const auto& bytes, std::size_t at) {
    std::uint64_t w = 0;
    for (std::size_t i = 0; i < 8; ++i) w |= std::uint64_t{bytes[at + i]} << (8 * i);
    return w;
  };
  const auto seal_s = [&](const block& b) { return word(b.header.seal, 32); };
  const auto hash_word = [&](const block& b) { return word(hash_of(b).bytes, 0); };
  using kind = gossip_key::kind;
  const auto key1 = gossip_key_of(message_body{chain_block{encode_block(b1.b)}});
  CHECK(key1 == gossip_key{kind::block, seal_s(b1.b)});
  CHECK(gossip_key_of(message_body{chain_block{encode_block(b2.b)}}) == gossip_key{kind::block, seal_s(b2.b)});
  CHECK(seal_s(b1.b) != seal_s(b2.b));
  // The key reads only the header: a block cut short after it keeps its key
  // (the chain actor, not the copy filter, rejects the body).
  auto cut = encode_block(b1.b);
  cut.resize(chain_limits::signed_header_bytes);
  CHECK(gossip_key_of(message_body{chain_block{cut}}) == key1);
  CHECK_FALSE(gossip_key_of(message_body{chain_block{bytes(chain_limits::signed_header_bytes - 1, 0)}}));

  const auto& set = f.gen.state.validators;
  const auto precommit = [&](std::size_t voter, const block& b) {
    return sign_vote(vote{vote_kind::precommit, set.id, round_number{1}, hash_of(b), b.header.header.number,
                          id_of(f.validators[voter])},
                     f.chain(), f.validators[voter].sk);
  };
  const justification three{round_number{1}, hash_of(b1.b), b1.b.header.header.number,
                            {precommit(0, b1.b), precommit(1, b1.b), precommit(2, b1.b)}, {}};
  auto four = three;
  four.precommits.push_back(precommit(3, b1.b));
  auto later_round = three;
  later_round.round = round_number{2};
  const justification of_b2{round_number{1}, hash_of(b2.b), b2.b.header.header.number,
                            {precommit(0, b2.b), precommit(1, b2.b), precommit(2, b2.b)}, {}};
  const auto commit = [](const justification& j) { return gossip_key_of(message_body{chain_commit{encode_justification(j)}}); };
  // Every commit of a block is one key, kept apart from the block's own.
  CHECK(commit(three) == gossip_key{kind::commit, hash_word(b1.b)});
  CHECK(commit(four) == commit(three));
  CHECK(commit(later_round) == commit(three));
  CHECK(commit(of_b2) == gossip_key{kind::commit, hash_word(b2.b)});
  CHECK(commit(three) != key1);
  CHECK_FALSE(gossip_key_of(message_body{chain_commit{bytes(15, 0)}}));
  CHECK_FALSE(gossip_key_of(message_body{chain_vote{encode_signed_vote(precommit(0, b1.b))}}));
  CHECK_FALSE(gossip_key_of(message_body{chain_transaction{bytes(40, 1)}}));
}

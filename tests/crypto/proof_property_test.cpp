// Properties of proofs over random trees: honest proofs always verify, and a
// single flipped bit anywhere (block, node, signature, length, fork) never does.
#include <doctest/doctest.h>

#include <map>
#include <random>

#include "crypto/keys.hpp"
#include "crypto/proof.hpp"

using namespace datdot;

namespace {

struct random_feed {
  key_pair kp = key_pair_from_seed(key_seed{9});
  feed_identity id{kp.pk, signing_mode::manifest_v1};
  merkle_tree tree;
  std::map<std::uint64_t, tree_node> nodes;
  std::vector<bytes> blocks;
  bytes stored_sig;

  random_feed(std::uint64_t length, std::mt19937_64& rng) {
    std::vector<tree_node> created;
    for (std::uint64_t i = 0; i < length; ++i) {
      bytes b(rng() % 64);
      for (auto& x : b) x = static_cast<byte>(rng());
      created.clear();
      tree.append(b, created);
      for (const auto& n : created) nodes[n.index] = n;
      blocks.push_back(std::move(b));
    }
    stored_sig = id.encode_signature(sign(id.signable(tree.hash(), length, 0), kp.sk));
  }
  node_lookup lookup() const {
    return [this](std::uint64_t i) -> result<tree_node> {
      auto it = nodes.find(i);
      if (it == nodes.end()) return make_error(errc::not_found, "node");
      return it->second;
    };
  }
};

void flip(byte& b, unsigned bit) { b = static_cast<byte>(b ^ (1u << (bit % 8))); }

}  // namespace

TEST_CASE("random block proofs verify, and every single-bit corruption is rejected") {
  const std::uint64_t seed = 20261123;
  std::mt19937_64 rng(seed);
  CAPTURE(seed);
  for (int round = 0; round < 40; ++round) {
    const std::uint64_t length = 1 + rng() % 300;
    random_feed feed(length, rng);
    const std::uint64_t index = rng() % length;
    CAPTURE(length);
    CAPTURE(index);
    const auto proof =
        prove_block(feed.lookup(), length, 0, index, feed.blocks[index], feed.stored_sig).value();
    REQUIRE(verify_proof(proof, feed.id));

    auto rejected = [&](const feed_proof& p) { return !verify_proof(p, feed.id); };
    if (!proof.block->value.empty()) {
      auto p = proof;
      flip(p.block->value[rng() % p.block->value.size()], static_cast<unsigned>(rng()));
      CHECK(rejected(p));
    }
    {
      auto p = proof;
      p.block->value.push_back(0);
      CHECK(rejected(p));
    }
    for (auto* list : {&proof.block->nodes, &proof.upgrade->nodes}) {
      for (std::size_t k = 0; k < list->size(); ++k) {
        auto p = proof;
        auto& target = (list == &proof.block->nodes ? p.block->nodes : p.upgrade->nodes)[k];
        switch (rng() % 3) {
          case 0: flip(target.hash[rng() % 32], static_cast<unsigned>(rng())); break;
          case 1: target.size ^= std::uint64_t{1} << (rng() % 20); break;
          default: target.index ^= std::uint64_t{1} << (rng() % 10); break;
        }
        CHECK(rejected(p));
      }
    }
    {
      auto p = proof;
      flip(p.upgrade->signature[2 + rng() % 64], static_cast<unsigned>(rng()));
      CHECK(rejected(p));
    }
    {
      auto p = proof;
      p.upgrade->length ^= std::uint64_t{1} << (rng() % 9);
      CHECK(rejected(p));
    }
    {
      auto p = proof;
      p.fork ^= 1;
      CHECK(rejected(p));
    }
    {
      auto p = proof;
      p.block->index ^= std::uint64_t{1} << (rng() % 9);
      CHECK(rejected(p));
    }
  }
}

TEST_CASE("random upgrade proofs from any start verify and reject corruption") {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 40; ++round) {
    const std::uint64_t length = 2 + rng() % 300;
    random_feed feed(length, rng);
    const std::uint64_t start = rng() % length;
    const std::uint64_t count = 1 + rng() % (length - start);
    CAPTURE(length);
    CAPTURE(start);
    CAPTURE(count);
    const auto known = roots_at(feed.lookup(), start).value();
    const feed_proof proof{0, std::nullopt,
                           prove_upgrade(feed.lookup(), length, start, count, feed.stored_sig).value()};
    const auto ok = verify_proof(proof, feed.id, known);
    REQUIRE_MESSAGE(ok.has_value(), (ok ? std::string{} : ok.err().describe()));
    CHECK(ok->roots == feed.tree.roots());
    for (auto which : {0, 1}) {
      const auto& list = which == 0 ? proof.upgrade->nodes : proof.upgrade->additional_nodes;
      for (std::size_t k = 0; k < list.size(); ++k) {
        auto p = proof;
        auto& target = (which == 0 ? p.upgrade->nodes : p.upgrade->additional_nodes)[k];
        flip(target.hash[rng() % 32], static_cast<unsigned>(rng()));
        CHECK_FALSE(verify_proof(p, feed.id, known));
      }
    }
    if (!known.empty()) {
      auto wrong = known;
      flip(wrong.back().hash[0], 0);
      CHECK_FALSE(verify_proof(proof, feed.id, wrong));
    }
  }
}

TEST_CASE("proofs for an index past the end are an error, not a crash") {
  std::mt19937_64 rng(1);
  random_feed feed(5, rng);
  const auto p = prove_block(feed.lookup(), 5, 0, 5, {}, feed.stored_sig);
  REQUIRE_FALSE(p);
  CHECK(p.err().code == errc::out_of_range);
  CHECK_FALSE(prove_upgrade(feed.lookup(), 5, 3, 3, feed.stored_sig));
  CHECK_FALSE(prove_upgrade(feed.lookup(), 5, 0, 0, feed.stored_sig));
  CHECK_FALSE(verify_proof({0, std::nullopt, std::nullopt}, feed.id));
}

TEST_CASE("lengths and indices past the tree arithmetic's range are rejected before any math") {
  std::mt19937_64 rng(2);
  random_feed feed(3, rng);
  const auto proof = prove_block(feed.lookup(), 3, 0, 1, feed.blocks[1], feed.stored_sig).value();
  REQUIRE(verify_proof(proof, feed.id).has_value());
  auto changed = [&](auto&& change) {
    feed_proof p = proof;
    change(p);
    return verify_proof(p, feed.id);
  };
  for (const std::uint64_t huge : {std::uint64_t{1} << 57, ~std::uint64_t{0}}) {
    CHECK(changed([&](feed_proof& p) { p.upgrade->length = huge; }).err().code == errc::verification_failed);
    CHECK_FALSE(changed([&](feed_proof& p) { p.block->index = huge; }));
    CHECK_FALSE(changed([&](feed_proof& p) { p.upgrade->additional_nodes.push_back({huge, 1, {}}); }));
  }
}

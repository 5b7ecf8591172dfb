// Storage proofs over sealed replicas: an honest hoster's proofs verify; the
// spec's attacks (data dropped, another replica's bytes, the original block
// instead of the sealed one, a forged sealing) are each rejected.
#include <doctest/doctest.h>

#include <map>
#include <random>

#include "crypto/rabin_williams.hpp"
#include "protocol/hosting/storage_proof.hpp"
#include "support/tree_with_nodes.hpp"

using namespace datdot;
using datdot::test::tree_with_nodes;

namespace {

// A feed, and one replica of it sealed by one encoder for one replica key.
struct hosted_replica {
  std::vector<bytes> blocks;
  tree_with_nodes feed;
  std::vector<bytes> sealed;
  tree_with_nodes replica;
  replica_key key{};

  hosted_replica(const sealer& encoder, byte key_tag, std::size_t length, std::mt19937_64& rng) {
    key.fill(key_tag);
    for (std::size_t i = 0; i < length; ++i) {
      bytes b(1 + rng() % 700);
      for (auto& x : b) x = static_cast<byte>(rng());
      feed.append(b);
      sealed.push_back(encoder.seal(key, i, b).value());
      replica.append(sealed.back());
      blocks.push_back(std::move(b));
    }
  }

  storage_proof prove(std::uint64_t index) const {
    return {index,
            sealed[index],
            blocks[index].size(),
            replica.path(index),
            replica.tree.roots(),
            feed.path(index)};
  }
  replica_commitment commitment() const { return commit_replica(replica.tree.roots()); }
};

const sealer& encoder_a() {
  static const auto k = rabin_williams::from_seed(key_seed{1});
  return *k;
}

}  // namespace

TEST_CASE("an honest hoster's storage proofs verify for every block") {
  std::mt19937_64 rng(1);
  const hosted_replica r(encoder_a(), 1, 37, rng);
  for (std::uint64_t i = 0; i < 37; ++i) {
    CAPTURE(i);
    const auto ok = verify_storage_proof(r.prove(i), r.commitment(), r.feed.tree.roots(), encoder_a().public_part(), r.key);
    CHECK_MESSAGE(ok.has_value(), (ok ? std::string{} : ok.err().describe()));
  }
}

TEST_CASE("attacks on storage proofs are caught") {
  std::mt19937_64 rng(2);
  const hosted_replica mine(encoder_a(), 1, 20, rng);
  const auto& feed_roots = mine.feed.tree.roots();
  const auto& pub = encoder_a().public_part();
  auto rejected = [&](const storage_proof& p) {
    return !verify_storage_proof(p, mine.commitment(), feed_roots, pub, mine.key);
  };

  SUBCASE("sybil: the sealed bytes of another replica of the same feed") {
    // Same feed, same encoder, another replica key: what one disk copy shared between identities gives.
    std::mt19937_64 same_feed(2);
    const hosted_replica other(encoder_a(), 2, 20, same_feed);
    REQUIRE(other.blocks == mine.blocks);
    CHECK(rejected(other.prove(5)));
    auto p = mine.prove(5);
    p.sealed = other.sealed[5];
    CHECK(rejected(p));
  }
  SUBCASE("outsourcing / lazy: the original block where the sealed one belongs") {
    auto p = mine.prove(7);
    p.sealed = mine.blocks[7];
    CHECK(rejected(p));
  }
  SUBCASE("a sealing made with the hoster's own key instead of the encoder's") {
    const auto own = rabin_williams::from_seed(key_seed{99});
    auto p = mine.prove(3);
    p.sealed = own->seal(mine.key, 3, mine.blocks[3]).value();
    CHECK(rejected(p));
  }
  SUBCASE("the right sealed block presented for another index") {
    auto p = mine.prove(4);
    p.index = 5;
    CHECK(rejected(p));
  }
  SUBCASE("any flipped bit or changed field") {
    const auto honest = mine.prove(9);
    REQUIRE_FALSE(rejected(honest));
    for (int trial = 0; trial < 20; ++trial) {
      auto p = honest;
      switch (trial % 5) {
        case 0: p.sealed[rng() % p.sealed.size()] ^= 1; break;
        case 1: p.replica_path[rng() % p.replica_path.size()].hash[rng() % 32] ^= 1; break;
        case 2: p.feed_path[rng() % p.feed_path.size()].hash[rng() % 32] ^= 1; break;
        case 3: p.plain_bytes += 1; break;
        default: p.replica_roots.back().size += 1; break;
      }
      CHECK(rejected(p));
    }
    CHECK_FALSE(verify_storage_proof(honest, mine.commitment(), feed_roots, pub, replica_key{}));
    auto past_end = honest;
    past_end.index = 1000;
    CHECK(rejected(past_end));
  }
}

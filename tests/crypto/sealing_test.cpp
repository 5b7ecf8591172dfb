// The four properties DESIGN.md section 5 asks of a sealing codec, for the
// default (Rabin-Williams) codec: unrelated replicas, sealing needs the
// secret, unsealing is public and exact, and the overhead is small.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "crypto/blake2b.hpp"
#include "crypto/rabin_williams.hpp"

using namespace datdot;

namespace {

const sealer& test_key() {
  static const auto key = rabin_williams::from_seed(key_seed{42});
  return *key;
}

bytes random_block(std::mt19937_64& rng, std::size_t size) {
  bytes b(size);
  for (auto& x : b) x = static_cast<byte>(rng());
  return b;
}

replica_key replica(byte tag) {
  replica_key r{};
  r.fill(tag);
  return r;
}

// Fraction of differing bits between two equally long byte strings.
double bit_distance(const bytes& a, const bytes& b) {
  std::size_t diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff += static_cast<std::size_t>(__builtin_popcount(a[i] ^ b[i]));
  return static_cast<double>(diff) / static_cast<double>(8 * a.size());
}

// How often each of the four tweaks opens one of the first `chunks` sealed chunks.
void count_tweaks(const bytes& sealed, std::size_t chunks, std::array<int, 4>& tweaks) {
  for (std::size_t k = 0; k < chunks; ++k) ++tweaks.at(sealed[k * rabin_williams::chunk_sealed_bytes]);
}

}  // namespace

TEST_CASE("sealing round trips blocks of every size class, deterministically") {
  std::mt19937_64 rng(11);
  const auto& key = test_key();
  for (const std::size_t size : {0, 1, 254, 255, 256, 510, 4096, 65536}) {
    CAPTURE(size);
    const auto block = random_block(rng, size);
    const auto sealed = key.seal(replica(1), 7, block).value();
    CHECK(sealed.size() == key.public_part().sealed_size(size));
    CHECK(key.seal(replica(1), 7, block).value() == sealed);
    const auto plain = key.public_part().unseal(replica(1), 7, sealed, size);
    REQUIRE(plain.has_value());
    CHECK(*plain == block);
  }
}

TEST_CASE("blocks of all zeros and all ones seal and unseal (every tweak is exercised)") {
  const auto& key = test_key();
  std::array<int, 4> tweaks{};
  for (const byte fill : {0x00, 0xff, 0x01}) {
    const bytes block(255 * 40, fill);
    for (std::uint64_t index = 0; index < 4; ++index) {
      const auto sealed = key.seal(replica(2), index, block).value();
      count_tweaks(sealed, 40, tweaks);
      CHECK(key.public_part().unseal(replica(2), index, sealed, block.size()).value() == block);
    }
  }
  for (const int count : tweaks) CHECK(count > 0);
}

TEST_CASE("a seeded key seals a fixed block to the same bytes as every earlier version") {
  // Replicas already on disk and in storage proofs were sealed by earlier builds:
  // a faster sealing must produce the very same bytes, every tweak included.
  std::mt19937_64 rng(3);
  bytes block = random_block(rng, 255 * 64);
  std::fill(block.begin(), block.begin() + 255 * 8, byte{0});
  const auto sealed = test_key().seal(replica(9), 12345, block).value();
  std::array<int, 4> tweaks{};
  count_tweaks(sealed, 64, tweaks);
  for (const int count : tweaks) CHECK(count > 0);
  CHECK(to_hex(blake2b_256(sealed)) == "678c79f3f83729ba564f764bc35821b10facd14e3d0ef9d1ffadf5a9d85a75e5");
}

TEST_CASE("two replicas of one block are unrelated byte strings (no dedup)") {
  std::mt19937_64 rng(12);
  const auto block = random_block(rng, 4096);
  const auto& key = test_key();
  const auto other_encoder = rabin_williams::from_seed(key_seed{43});
  const auto a = key.seal(replica(3), 0, block).value();
  const auto b = key.seal(replica(4), 0, block).value();              // same encoder, other replica
  const auto c = other_encoder->seal(replica(3), 0, block).value();   // other encoder, same replica key
  const auto d = key.seal(replica(3), 1, block).value();              // same block data at another index
  for (const auto* other : {&b, &c, &d}) {
    const double dist = bit_distance(a, *other);
    CHECK(dist > 0.45);
    CHECK(dist < 0.55);
  }
  // A block of zeros is not visible as structure either.
  const bytes zeros(4096, 0);
  const auto z = key.seal(replica(3), 0, zeros).value();
  std::array<std::size_t, 256> histogram{};
  for (std::size_t i = 0; i < z.size(); ++i)
    if (i % rabin_williams::chunk_sealed_bytes > 1) ++histogram[z[i]];  // skip tweak and top byte
  for (const auto count : histogram) CHECK(count < 60);  // ~16 expected per value
}

TEST_CASE("unsealing is public and rejects everything that is not a sealing") {
  std::mt19937_64 rng(13);
  const auto& key = test_key();
  const auto pub = rabin_williams::public_from_bytes(key.public_part().public_key_bytes()).value();
  const auto block = random_block(rng, 1000);
  const auto sealed = key.seal(replica(5), 9, block).value();
  CHECK(pub->unseal(replica(5), 9, sealed, 1000).value() == block);

  auto rejected = [&](const bytes& s, const replica_key& r, std::uint64_t index, std::size_t size) {
    const auto out = pub->unseal(r, index, s, size);
    return !out || *out != block;
  };
  CHECK(rejected(sealed, replica(6), 9, 1000));  // another replica's key
  CHECK(rejected(sealed, replica(5), 8, 1000));  // another index
  CHECK(pub->unseal(replica(5), 9, sealed, 2000).err().code == errc::verification_failed);  // wrong size
  for (int trial = 0; trial < 32; ++trial) {
    auto damaged = sealed;
    const auto at = rng() % damaged.size();
    damaged[at] = static_cast<byte>(damaged[at] ^ (1u << (rng() % 8)));
    CHECK(rejected(damaged, replica(5), 9, 1000));
  }
}

TEST_CASE("without the secret, forged sealed bytes do not unseal to the block") {
  // What a hoster holding the public feed and public key can try: random roots,
  // the plain block itself in the sealed layout, another encoder's sealing.
  std::mt19937_64 rng(14);
  const auto& key = test_key();
  const auto& pub = key.public_part();
  const auto block = random_block(rng, 255);
  bytes plain_as_sealed(rabin_williams::chunk_sealed_bytes, 0);
  std::copy(block.begin(), block.end(), plain_as_sealed.begin() + 2);
  const auto other = rabin_williams::from_seed(key_seed{44})->seal(replica(7), 0, block).value();
  for (const auto& forged : {plain_as_sealed, other, random_block(rng, rabin_williams::chunk_sealed_bytes)}) {
    const auto out = pub.unseal(replica(7), 0, forged, block.size());
    CHECK((!out || *out != block));
  }
}

TEST_CASE("overhead is small and as stated") {
  const auto& pub = test_key().public_part();
  const double overhead_64k = static_cast<double>(pub.sealed_size(65536)) / 65536.0 - 1;
  MESSAGE("sealed overhead at 64 KiB blocks: " << overhead_64k * 100 << "%");
  CHECK(overhead_64k < 0.012);
  CHECK(pub.sealed_size(255) == 257);
  CHECK(pub.sealed_size(0) == 0);
}

TEST_CASE("keys: seeded keys replay, secrets round trip, malformed keys are refused") {
  const auto a = rabin_williams::from_seed(key_seed{42});
  CHECK(a->public_part().public_key_bytes() == test_key().public_part().public_key_bytes());
  const auto restored = rabin_williams::from_secret(a->secret_key_bytes());
  REQUIRE(restored.has_value());
  CHECK((*restored)->public_part().public_key_bytes() == a->public_part().public_key_bytes());
  CHECK_FALSE(rabin_williams::from_secret(bytes(10, 1)));
  auto swapped = a->secret_key_bytes();
  std::rotate(swapped.begin(), swapped.begin() + rabin_williams::prime_bytes, swapped.end());
  CHECK(rabin_williams::from_secret(swapped).err().code == errc::corrupt_data);  // q and p: wrong residues
  CHECK_FALSE(rabin_williams::public_from_bytes(bytes(256, 0xff)));
  CHECK_FALSE(make_unsealer(static_cast<seal_codec_id>(99), a->public_part().public_key_bytes()));
  const auto fresh = rabin_williams::generate();
  CHECK(fresh->public_part().public_key_bytes() != a->public_part().public_key_bytes());
  CHECK(make_unsealer(seal_codec_id::rabin_williams_2048, fresh->public_part().public_key_bytes()).has_value());
}

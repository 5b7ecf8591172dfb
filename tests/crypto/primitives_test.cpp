#include <doctest/doctest.h>

#include "crypto/blake2b.hpp"
#include "crypto/feed_identity.hpp"
#include "crypto/keys.hpp"
#include "crypto/sim_memo.hpp"

using namespace datdot;

TEST_CASE("hex round trip and rejection of malformed text") {
  const bytes data{0x00, 0x7f, 0x80, 0xff};
  CHECK(to_hex(data) == "007f80ff");
  CHECK(from_hex("007F80ff").value() == data);
  CHECK_FALSE(from_hex("abc"));
  CHECK_FALSE(from_hex("zz"));
  CHECK(from_hex("0g").err().code == errc::invalid_argument);
  CHECK_FALSE(from_hex_fixed<32>("00"));
}

TEST_CASE("BLAKE2b-256 matches the RFC 7693-derived libsodium results") {
  // blake2b-256 of "" and "abc" (reference values from the BLAKE2 test suite).
  CHECK(to_hex(blake2b_256({})) == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  CHECK(to_hex(blake2b_256(as_bytes("abc"))) ==
        "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  CHECK(blake2b_stream{}.update(as_bytes("a")).update(as_bytes("bc")).finish() ==
        blake2b_256(as_bytes("abc")));
  const bytes key(32, 7);
  CHECK(blake2b_256_keyed(as_bytes("abc"), key) != blake2b_256(as_bytes("abc")));
}

TEST_CASE("ed25519 sign and verify, and a wrong key, message or signature fails") {
  const auto kp = generate_key_pair();
  const auto other = generate_key_pair();
  const auto msg = as_bytes("datdot");
  auto sig = sign(msg, kp.sk);
  CHECK(verify(msg, sig, kp.pk));
  CHECK_FALSE(verify(msg, sig, other.pk));
  CHECK_FALSE(verify(as_bytes("datdoT"), sig, kp.pk));
  sig[10] ^= 1;
  CHECK_FALSE(verify(msg, sig, kp.pk));
}

TEST_CASE("the simulation's verify memo answers as ed25519 does, and only while a scope is open") {
  const auto kp = generate_key_pair();
  const auto other = generate_key_pair();
  const auto msg = as_bytes("datdot");
  const auto sig = sign(msg, kp.sk);
  auto bad = sig;
  bad[10] ^= 1;
  const auto before = verify_memo_counts();
  {
    sim_memo_scope outer;
    CHECK(verify(msg, sig, kp.pk));
    {
      sim_memo_scope inner;  // scopes nest: the memo outlives the inner one
      CHECK(verify(msg, sig, kp.pk));
    }
    CHECK(verify(msg, sig, kp.pk));
    // Only true results are kept, keyed by key, message and signature together.
    CHECK_FALSE(verify(msg, sig, other.pk));
    CHECK_FALSE(verify(as_bytes("datdoT"), sig, kp.pk));
    CHECK_FALSE(verify(msg, bad, kp.pk));
    CHECK_FALSE(verify(msg, bad, kp.pk));
  }
  const auto during = verify_memo_counts();
  CHECK(during.hits - before.hits == 2);
  CHECK(during.misses - before.misses == 5);
  CHECK(verify(msg, sig, kp.pk));
  CHECK_FALSE(verify(msg, bad, kp.pk));
  CHECK(verify_memo_counts().hits == during.hits);  // closed: every call verifies for real
  CHECK(verify_memo_counts().misses == during.misses);
}

TEST_CASE("x25519 keys derived from the ed25519 identity agree with the public half") {
  const auto kp = generate_key_pair();
  const auto curve = to_curve(kp).value();
  CHECK(to_curve_public(kp.pk).value() == curve.pk);
}

TEST_CASE("compact-encoding varints") {
  auto enc = [](std::uint64_t v) {
    bytes out;
    put_varint(out, v);
    return to_hex(out);
  };
  CHECK(enc(0) == "00");
  CHECK(enc(0xfc) == "fc");
  CHECK(enc(0xfd) == "fdfd00");
  CHECK(enc(0x10000) == "fe00000100");
  CHECK(enc(0x100000000ULL) == "ff0000000001000000");
}

TEST_CASE("stored signatures are checked for their exact form") {
  const auto kp = generate_key_pair();
  const feed_identity v11{kp.pk, signing_mode::manifest_v1};
  const feed_identity v10{kp.pk, signing_mode::compat};
  const signature sig{};
  CHECK(v11.encode_signature(sig).size() == 68);
  CHECK(v10.encode_signature(sig).size() == 64);
  CHECK(v11.decode_signature(v11.encode_signature(sig)).value() == sig);
  CHECK_FALSE(v11.decode_signature(v10.encode_signature(sig)));
  CHECK_FALSE(v10.decode_signature(v11.encode_signature(sig)));
  auto bad = v11.encode_signature(sig);
  bad[67] = 1;
  CHECK(v11.decode_signature(bad).err().code == errc::corrupt_data);
}

// The bus messages that carry another layer's canonical bytes (the chain's and
// the data plane's): each round-trips through the frame codec, is byte for
// byte what protobuf would write, goes to its family's inbox, and bad kinds,
// counts or sizes are rejected at the boundary (the bytes inside are the
// chain's or the data plane's decoders' to check).
#include <doctest/doctest.h>

#include "crypto/keys.hpp"
#include "protocol/bus.pb.h"
#include "protocol/frame_codec.hpp"

using namespace datdot;

namespace {

struct sender {
  node_id id;
  authenticated_peer auth;
};

sender make_sender_from(byte fill) {
  key_seed seed{};
  seed.fill(fill);
  auto keys = key_pair_from_seed(seed);
  return sender{node_id{keys.pk}, authenticated_peer{curve_public_key{to_curve(keys)->pk}, std::nullopt}};
}

sender make_sender() { return make_sender_from(9); }

bytes filled(std::size_t n, byte v) { return bytes(n, v); }

std::string as_string(const bytes& b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

// What protobuf itself serializes for the payload.
std::string protobuf_payload(const message_body& body) {
  return std::visit(
      [](const auto& m) -> std::string {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, chain_block>) {
          wire::chain_block w;
          w.set_block(as_string(m.encoded));
          w.set_commit(as_string(m.commit));
          return w.SerializeAsString();
        } else if constexpr (std::is_same_v<T, chain_vote>) {
          wire::chain_vote w;
          w.set_vote(as_string(m.encoded));
          return w.SerializeAsString();
        } else if constexpr (std::is_same_v<T, chain_commit>) {
          wire::chain_commit w;
          w.set_justification(as_string(m.encoded));
          return w.SerializeAsString();
        } else if constexpr (std::is_same_v<T, chain_transaction>) {
          wire::chain_transaction w;
          w.set_extrinsic(as_string(m.encoded));
          return w.SerializeAsString();
        } else if constexpr (std::is_same_v<T, chain_catch_up>) {
          wire::chain_catch_up w;
          w.set_set_id(m.set);
          w.set_round(m.round);
          for (const auto& v : m.prevotes) w.add_prevotes(as_string(v));
          for (const auto& v : m.precommits) w.add_precommits(as_string(v));
          return w.SerializeAsString();
        } else if constexpr (std::is_same_v<T, block_request>) {
          wire::block_request w;
          w.set_hash(std::string(reinterpret_cast<const char*>(m.hash.data()), m.hash.size()));
          w.set_count(m.count);
          return w.SerializeAsString();
        } else if constexpr (std::is_same_v<T, block_response>) {
          wire::block_response w;
          for (const auto& b : m.blocks) w.add_blocks(as_string(b));
          return w.SerializeAsString();
        } else if constexpr (std::is_same_v<T, data_request>) {
          wire::data_request w;
          w.set_payload(as_string(m.payload));
          return w.SerializeAsString();
        } else if constexpr (std::is_same_v<T, data_response>) {
          wire::data_response w;
          w.set_payload(as_string(m.payload));
          return w.SerializeAsString();
        } else {
          return {};
        }
      },
      body);
}

// Encodes, checks the payload against protobuf's, decodes under `limits` and
// compares; returns the decoded message's family.
message_family round_trip(const sender& s, frame_kind kind, const message_body& body,
                          const frame_limits& limits = {}) {
  const std::uint64_t corr = kind == frame_kind::one_way ? 0 : 5;
  auto frame = encode_frame(s.id, kind, corr, body);
  wire::envelope env;
  REQUIRE(env.ParseFromArray(frame.data(), static_cast<int>(frame.size())));
  CHECK(env.payload() == protobuf_payload(body));
  auto decoded = decode_frame(frame, s.auth, limits);
  REQUIRE(std::holds_alternative<inbound_message>(decoded));
  CHECK(std::get<inbound_message>(decoded).body == body);
  return family_of(type_of(body));
}

reject_reason rejection_of(const sender& s, frame_kind kind, std::uint64_t corr, const message_body& body) {
  auto d = decode_frame(encode_frame(s.id, kind, corr, body), s.auth, frame_limits{});
  REQUIRE(std::holds_alternative<frame_rejection>(d));
  return std::get<frame_rejection>(d).reason;
}

}  // namespace

TEST_CASE("chain messages round-trip and match protobuf's bytes") {
  auto s = make_sender();
  hash32 h{};
  h.fill(4);
  const std::vector<std::pair<frame_kind, message_body>> cases{
      {frame_kind::one_way, chain_block{filled(5000, 1)}},
      {frame_kind::one_way, chain_block{filled(5000, 1), filled(700, 3)}},
      {frame_kind::one_way, chain_vote{filled(236, 2)}},
      {frame_kind::one_way, chain_commit{filled(900, 3)}},
      {frame_kind::one_way, chain_transaction{filled(120, 4)}},
      {frame_kind::one_way, chain_catch_up{3, 77, {filled(236, 5), filled(236, 6)}, {filled(236, 7)}}},
      {frame_kind::one_way, chain_catch_up{0, 1, {}, {}}},
      {frame_kind::request, block_request{h, 32}},
      {frame_kind::response, block_response{{filled(300, 8), filled(301, 9)}}},
      {frame_kind::response, block_response{}},
  };
  for (const auto& [kind, body] : cases) CHECK(round_trip(s, kind, body) == message_family::chain);
}

TEST_CASE("data messages round-trip, match protobuf's bytes and go to the data family") {
  auto s = make_sender();
  const std::vector<std::pair<frame_kind, message_body>> cases{
      {frame_kind::request, data_request{filled(45, 1)}},
      {frame_kind::response, data_response{filled(3000, 2)}},
      {frame_kind::response, data_response{filled(bus_limits::data_payload_bytes_max, 3)}},
  };
  for (const auto& [kind, body] : cases) CHECK(round_trip(s, kind, body) == message_family::data);
  // A largest data message still fits the smallest frame limit a node may configure.
  auto smallest = make_frame_limits(bus_limits::frame_bytes_min);
  REQUIRE(smallest);
  CHECK(round_trip(s, frame_kind::request, data_request{filled(bus_limits::data_payload_bytes_max, 4)}, *smallest) ==
        message_family::data);
}

TEST_CASE("data messages with bad kinds or sizes are rejected") {
  auto s = make_sender();
  const auto over = filled(bus_limits::data_payload_bytes_max + 1, 1);
  CHECK(rejection_of(s, frame_kind::request, 3, data_request{over}) == reject_reason::invalid_payload);
  CHECK(rejection_of(s, frame_kind::response, 3, data_response{over}) == reject_reason::invalid_payload);
  CHECK(rejection_of(s, frame_kind::request, 3, data_request{}) == reject_reason::invalid_payload);
  CHECK(rejection_of(s, frame_kind::one_way, 0, data_request{filled(9, 1)}) == reject_reason::bad_kind);
  CHECK(rejection_of(s, frame_kind::response, 3, data_request{filled(9, 1)}) == reject_reason::bad_kind);
  CHECK(rejection_of(s, frame_kind::request, 3, data_response{filled(9, 1)}) == reject_reason::bad_kind);
}

TEST_CASE("chain messages with bad kinds, counts or sizes are rejected") {
  auto s = make_sender();
  hash32 h{};
  CHECK(rejection_of(s, frame_kind::one_way, 0, chain_block{}) == reject_reason::invalid_payload);
  CHECK(rejection_of(s, frame_kind::request, 3, chain_vote{filled(236, 1)}) == reject_reason::bad_kind);
  CHECK(rejection_of(s, frame_kind::one_way, 0, block_request{h, 1}) == reject_reason::bad_kind);
  CHECK(rejection_of(s, frame_kind::request, 3, block_request{h, 0}) == reject_reason::invalid_payload);
  CHECK(rejection_of(s, frame_kind::request, 3, block_request{h, bus_limits::sync_blocks_max + 1}) ==
        reject_reason::invalid_payload);
  chain_catch_up big{1, 1, std::vector<bytes>(bus_limits::catch_up_votes_max + 1, filled(10, 1)), {}};
  CHECK(rejection_of(s, frame_kind::one_way, 0, big) == reject_reason::invalid_payload);
  block_response many{std::vector<bytes>(bus_limits::sync_blocks_max + 1, filled(10, 1))};
  CHECK(rejection_of(s, frame_kind::response, 4, many) == reject_reason::invalid_payload);

  // A 31-byte hash, written by protobuf.
  wire::block_request w;
  w.set_hash(std::string(31, 'x'));
  w.set_count(1);
  wire::envelope env;
  env.set_sender(std::string(reinterpret_cast<const char*>(s.id.key.data()), 32));
  env.set_type(static_cast<std::uint32_t>(message_type::block_request));
  env.set_kind(wire::FRAME_KIND_REQUEST);
  env.set_correlation_id(1);
  env.set_payload(w.SerializeAsString());
  auto raw = env.SerializeAsString();
  auto d = decode_frame(byte_view{reinterpret_cast<const byte*>(raw.data()), raw.size()}, s.auth, frame_limits{});
  REQUIRE(std::holds_alternative<frame_rejection>(d));
  CHECK(std::get<frame_rejection>(d).reason == reject_reason::invalid_payload);
}

TEST_CASE("a gossiped block or commit the receiver knows is a copy before its bytes are read") {
  auto s = make_sender();
  const chain_block block{filled(3000, 7), filled(400, 9)};  // the commit beside it is not asked about
  const chain_commit commit{filled(100, 8)};
  std::vector<std::pair<message_type, bytes>> asked;
  const known_gossip known = [&](message_type type, byte_view canonical) {
    asked.emplace_back(type, bytes(canonical.begin(), canonical.end()));
    return type == message_type::chain_block;
  };
  auto decoded = decode_frame(encode_frame(s.id, frame_kind::one_way, 0, block), s.auth, frame_limits{}, known);
  REQUIRE(std::holds_alternative<gossip_copy>(decoded));
  CHECK(std::get<gossip_copy>(decoded).sender == s.id);
  // Not known: decoded as usual.
  decoded = decode_frame(encode_frame(s.id, frame_kind::one_way, 0, commit), s.auth, frame_limits{}, known);
  REQUIRE(std::holds_alternative<inbound_message>(decoded));
  CHECK(std::get<inbound_message>(decoded).body == message_body{commit});
  REQUIRE(asked.size() == 2);
  CHECK(asked[0] == std::pair{message_type::chain_block, block.encoded});
  CHECK(asked[1] == std::pair{message_type::chain_commit, commit.encoded});
  // Votes, responses and a forged sender are never asked about.
  asked.clear();
  (void)decode_frame(encode_frame(s.id, frame_kind::one_way, 0, chain_vote{filled(10, 1)}), s.auth, frame_limits{},
                     known);
  (void)decode_frame(encode_frame(s.id, frame_kind::response, 3, block_response{{block.encoded}}), s.auth,
                     frame_limits{}, known);
  const auto other = make_sender_from(10);
  decoded = decode_frame(encode_frame(other.id, frame_kind::one_way, 0, block), s.auth, frame_limits{}, known);
  CHECK(std::holds_alternative<frame_rejection>(decoded));
  CHECK(asked.empty());
}

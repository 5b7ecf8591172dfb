#include "protocol/frame_codec.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <exception>
#include <set>

#include <google/protobuf/arena.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include "crypto/keys.hpp"
#include "protocol/bus.pb.h"

namespace datdot {
namespace {

frame_rejection reject(reject_reason reason, std::string detail) {
  return frame_rejection{reason, std::move(detail)};
}

// --- encoding ---------------------------------------------------------------

void put_peer(wire::peer_record& out, const peer_info& p) {
  out.set_node_id(p.id.key.data(), p.id.key.size());
  for (auto r : p.roles.members()) out.add_roles(std::string{to_string(r)});
  out.set_version(p.version);
  out.set_endpoint(p.endpoint);
}

using google::protobuf::Arena;
using google::protobuf::io::CodedInputStream;
using google::protobuf::io::CodedOutputStream;
using wire_format = google::protobuf::internal::WireFormatLite;

// Payloads are written straight into the frame: small messages through their
// protobuf class (on an arena), a ping's padding by hand so its bytes are
// copied once. The output is byte for byte what protobuf would serialize
// (fields in number order, proto3 defaults omitted); a test checks that.
constexpr std::size_t arena_block_bytes = 4096;

std::size_t length_delimited_size(std::uint32_t field, std::size_t length) {
  return CodedOutputStream::VarintSize32(field << 3) + CodedOutputStream::VarintSize64(length) + length;
}
std::size_t varint_field_size(std::uint32_t field, std::uint64_t value) {
  return value == 0 ? 0 : CodedOutputStream::VarintSize32(field << 3) + CodedOutputStream::VarintSize64(value);
}
std::uint8_t* write_varint_field(std::uint32_t field, std::uint64_t value, std::uint8_t* out) {
  return value == 0 ? out : wire_format::WriteUInt64ToArray(static_cast<int>(field), value, out);
}
std::uint8_t* write_bytes_field(std::uint32_t field, byte_view value, std::uint8_t* out) {
  if (value.empty()) return out;
  out = wire_format::WriteTagToArray(static_cast<int>(field), wire_format::WIRETYPE_LENGTH_DELIMITED, out);
  out = CodedOutputStream::WriteVarint64ToArray(value.size(), out);
  return std::copy(value.begin(), value.end(), out);
}

// One payload, sized first, then written into the space reserved for it.
class payload_writer {
 public:
  explicit payload_writer(const message_body& body)
      : body_(body), direct_(family_of(type_of(body)) != message_family::peer) {
    std::visit([this](const auto& m) { prepare(m); }, body_);
  }
  std::size_t size() const noexcept { return size_; }
  // Appends the payload; a ping's padding goes in with one copy and no zero-fill.
  void append_to(bytes& out) const {
    if (direct_) {
      auto at = out.size();
      out.resize(at + size_);
      auto* p = reinterpret_cast<std::uint8_t*>(out.data() + at);
      for (const auto& f : fields_) {
        if (!f.is_bytes) {
          p = write_varint_field(f.field, f.varint, p);
          continue;
        }
        p = wire_format::WriteTagToArray(static_cast<int>(f.field), wire_format::WIRETYPE_LENGTH_DELIMITED, p);
        p = CodedOutputStream::WriteVarint64ToArray(f.data.size(), p);
        p = std::copy(f.data.begin(), f.data.end(), p);
      }
      return;
    }
    if (message_) {
      auto at = out.size();
      out.resize(at + size_);
      message_->SerializeWithCachedSizesToArray(reinterpret_cast<std::uint8_t*>(out.data() + at));
      return;
    }
    const auto& p = std::get<ping>(body_);
    std::array<std::uint8_t, 32> head;
    auto* end = write_varint_field(1, p.nonce, head.data());
    if (!p.padding.empty()) {
      end = wire_format::WriteTagToArray(2, wire_format::WIRETYPE_LENGTH_DELIMITED, end);
      end = CodedOutputStream::WriteVarint64ToArray(p.padding.size(), end);
    }
    out.insert(out.end(), head.data(), end);
    out.insert(out.end(), p.padding.begin(), p.padding.end());
  }

 private:
  void prepare(const hello& m) {
    auto* out = Arena::CreateMessage<wire::hello>(&arena_);
    put_peer(*out->mutable_self(), m.self);
    finish(out);
  }
  void prepare(const welcome& m) {
    auto* out = Arena::CreateMessage<wire::welcome>(&arena_);
    put_peer(*out->mutable_self(), m.self);
    for (const auto& p : m.peers) put_peer(*out->add_peers(), p);
    out->set_full(m.full);
    finish(out);
  }
  void prepare(const ping& m) {
    size_ = varint_field_size(1, m.nonce) + (m.padding.empty() ? 0 : length_delimited_size(2, m.padding.size()));
  }
  void prepare(const pong& m) {
    auto* out = Arena::CreateMessage<wire::pong>(&arena_);
    out->set_nonce(m.nonce);
    finish(out);
  }
  // The chain's and the data plane's messages are varints and bytes fields:
  // written by hand, so a block is copied into the frame once and not first
  // into a protobuf string.
  void prepare(const chain_block& m) {
    direct_bytes(1, m.encoded);
    direct_bytes(2, m.commit);
  }
  void prepare(const chain_vote& m) { direct_bytes(1, m.encoded); }
  void prepare(const chain_commit& m) { direct_bytes(1, m.encoded); }
  void prepare(const chain_transaction& m) { direct_bytes(1, m.encoded); }
  void prepare(const chain_catch_up& m) {
    direct_varint(1, m.set);
    direct_varint(2, m.round);
    for (const auto& v : m.prevotes) direct_bytes(3, v);
    for (const auto& v : m.precommits) direct_bytes(4, v);
  }
  void prepare(const block_request& m) {
    direct_bytes(1, byte_view{m.hash});
    direct_varint(2, m.count);
  }
  void prepare(const block_response& m) {
    for (const auto& b : m.blocks) direct_bytes(1, b, true);
  }
  void prepare(const data_request& m) { direct_bytes(1, m.payload); }
  void prepare(const data_response& m) { direct_bytes(1, m.payload); }
  void direct_varint(std::uint32_t field, std::uint64_t value) {
    size_ += varint_field_size(field, value);
    fields_.push_back(direct_field{field, value, {}, false});
  }
  // proto3 omits an empty singular bytes field but keeps an empty repeated entry.
  void direct_bytes(std::uint32_t field, byte_view value, bool repeated = false) {
    if (value.empty() && !repeated) return;
    size_ += length_delimited_size(field, value.size());
    fields_.push_back(direct_field{field, 0, value, true});
  }
  void finish(google::protobuf::MessageLite* m) {
    message_ = m;
    size_ = m->ByteSizeLong();
  }

  struct direct_field {
    std::uint32_t field;
    std::uint64_t varint;
    byte_view data;  // into body_
    bool is_bytes;
  };

  const message_body& body_;
  bool direct_;
  std::vector<direct_field> fields_;
  std::array<char, arena_block_bytes> block_;
  Arena arena_{block_.data(), block_.size()};
  google::protobuf::MessageLite* message_ = nullptr;
  std::size_t size_ = 0;
};

// A protobuf message's fields as views into the frame, without copying the
// bytes fields; the envelope and the ping are read this way. Follows
// protobuf's rules: unknown fields are skipped, a known field with another
// wire type is treated as unknown, the last occurrence wins.
struct field_reader {
  CodedInputStream in;
  const std::uint8_t* base;
  field_reader(byte_view data)
      : in(reinterpret_cast<const std::uint8_t*>(data.data()), static_cast<int>(data.size())),
        base(reinterpret_cast<const std::uint8_t*>(data.data())) {}

  // Calls on_varint(field, value) / on_bytes(field, view) for each field;
  // false if the message is not well-formed protobuf.
  template <class OnVarint, class OnBytes>
  bool read(OnVarint on_varint, OnBytes on_bytes) {
    for (;;) {
      auto tag = in.ReadTag();
      if (tag == 0) return in.ConsumedEntireMessage();
      auto field = wire_format::GetTagFieldNumber(tag);
      auto type = wire_format::GetTagWireType(tag);
      if (type == wire_format::WIRETYPE_VARINT && on_varint.wants(field)) {
        std::uint64_t v;
        if (!in.ReadVarint64(&v)) return false;
        on_varint(field, v);
      } else if (type == wire_format::WIRETYPE_LENGTH_DELIMITED && on_bytes.wants(field)) {
        std::uint32_t length;
        if (!in.ReadVarint32(&length)) return false;
        auto at = base + in.CurrentPosition();
        if (!in.Skip(static_cast<int>(length))) return false;
        on_bytes(field, byte_view{reinterpret_cast<const byte*>(at), length});
      } else if (!wire_format::SkipField(&in, tag)) {
        return false;
      }
    }
  }
};

template <class F>
struct field_handler {
  std::uint32_t first, last;
  F f;
  bool wants(std::uint32_t field) const { return field >= first && field <= last; }
  template <class V>
  void operator()(std::uint32_t field, V v) { f(field, v); }
};
template <class F>
field_handler<F> fields(std::uint32_t first, std::uint32_t last, F f) {
  return field_handler<F>{first, last, std::move(f)};
}

// --- decoding ---------------------------------------------------------------

using peer_or_rejection = std::variant<peer_info, frame_rejection>;

bool printable_endpoint(const std::string& s) {
  return !s.empty() && s.size() <= bus_limits::endpoint_bytes_max &&
         std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 127; });
}

peer_or_rejection read_peer(const wire::peer_record& in) {
  peer_info out;
  if (in.node_id().size() != out.id.key.size()) return reject(reject_reason::invalid_payload, "node id is not 32 bytes");
  std::copy(in.node_id().begin(), in.node_id().end(), out.id.key.begin());
  if (static_cast<std::size_t>(in.roles_size()) > bus_limits::roles_max)
    return reject(reject_reason::invalid_payload, "too many roles");
  for (const auto& name : in.roles()) {
    auto r = role_from_name(name);
    if (!r) return reject(reject_reason::invalid_payload, "unknown role");
    if (out.roles.contains(*r)) return reject(reject_reason::invalid_payload, "repeated role");
    out.roles.add(*r);
  }
  if (in.version() != bus_protocol_version)
    return reject(reject_reason::unsupported_version, "version " + std::to_string(in.version()));
  out.version = in.version();
  if (!printable_endpoint(in.endpoint())) return reject(reject_reason::invalid_payload, "bad endpoint");
  out.endpoint = in.endpoint();
  return out;
}

template <class Wire>
std::optional<frame_rejection> parse_payload(Wire& out, byte_view payload) {
  if (!out.ParseFromArray(payload.data(), static_cast<int>(payload.size())))
    return reject(reject_reason::malformed_payload, "payload does not parse");
  return std::nullopt;
}

using body_or_rejection = std::variant<message_body, frame_rejection>;

frame_rejection unparsable() { return reject(reject_reason::malformed_payload, "payload does not parse"); }

// The chain's and the data plane's payloads are read in place like the
// envelope; only their canonical bytes are copied out. Their meaning is
// checked by their own decoders; a data message is bounded here already so an
// oversized one is counted against its sender like any bad frame.
std::optional<byte_view> one_bytes_field(byte_view payload) {
  byte_view encoded;
  field_reader in{payload};
  if (!in.read(fields(0, 0, [](std::uint32_t, std::uint64_t) {}),
               fields(1, 1, [&](std::uint32_t, byte_view v) { encoded = v; })))
    return std::nullopt;
  return encoded;
}

// A block's field 1, beside its optional commit (field 2).
std::optional<byte_view> block_field(byte_view payload, byte_view* commit = nullptr) {
  byte_view encoded;
  field_reader in{payload};
  if (!in.read(fields(0, 0, [](std::uint32_t, std::uint64_t) {}), fields(1, 2, [&](std::uint32_t field, byte_view v) {
        if (field == 1) encoded = v;
        if (field == 2 && commit) *commit = v;
      })))
    return std::nullopt;
  return encoded;
}

body_or_rejection read_block(byte_view payload) {
  byte_view commit;
  const auto encoded = block_field(payload, &commit);
  if (!encoded) return unparsable();
  if (encoded->empty()) return reject(reject_reason::invalid_payload, "empty message");
  return chain_block{bytes(encoded->begin(), encoded->end()), bytes(commit.begin(), commit.end())};
}

template <class M>
body_or_rejection read_one_bytes(byte_view payload, std::size_t bytes_max = bus_limits::frame_bytes_max) {
  const auto field = one_bytes_field(payload);
  if (!field) return unparsable();
  const auto encoded = *field;
  if (encoded.empty()) return reject(reject_reason::invalid_payload, "empty message");
  if (encoded.size() > bytes_max)
    return reject(reject_reason::invalid_payload,
                  "message of " + std::to_string(encoded.size()) + " bytes exceeds " + std::to_string(bytes_max));
  return M{bytes(encoded.begin(), encoded.end())};
}

body_or_rejection read_catch_up(byte_view payload) {
  chain_catch_up out;
  bool too_many = false;
  field_reader in{payload};
  if (!in.read(fields(1, 2, [&](std::uint32_t field, std::uint64_t v) { (field == 1 ? out.set : out.round) = v; }),
               fields(3, 4, [&](std::uint32_t field, byte_view v) {
                 auto& list = field == 3 ? out.prevotes : out.precommits;
                 if (list.size() >= bus_limits::catch_up_votes_max) too_many = true;
                 else list.emplace_back(v.begin(), v.end());
               })))
    return unparsable();
  if (too_many) return reject(reject_reason::invalid_payload, "catch-up with too many votes");
  return out;
}

body_or_rejection read_block_request(byte_view payload) {
  block_request out;
  byte_view hash;
  field_reader in{payload};
  if (!in.read(fields(2, 2, [&](std::uint32_t, std::uint64_t v) { out.count = v > bus_limits::sync_blocks_max ? 0 : static_cast<std::uint32_t>(v); }),
               fields(1, 1, [&](std::uint32_t, byte_view v) { hash = v; })))
    return unparsable();
  if (hash.size() != out.hash.size()) return reject(reject_reason::invalid_payload, "block hash is not 32 bytes");
  std::copy(hash.begin(), hash.end(), out.hash.begin());
  if (out.count == 0 || out.count > bus_limits::sync_blocks_max)
    return reject(reject_reason::invalid_payload, "block count out of range");
  return out;
}

body_or_rejection read_block_response(byte_view payload) {
  block_response out;
  bool too_many = false;
  field_reader in{payload};
  if (!in.read(fields(0, 0, [](std::uint32_t, std::uint64_t) {}), fields(1, 1, [&](std::uint32_t, byte_view v) {
                 if (out.blocks.size() >= bus_limits::sync_blocks_max) too_many = true;
                 else out.blocks.emplace_back(v.begin(), v.end());
               })))
    return unparsable();
  if (too_many) return reject(reject_reason::invalid_payload, "too many blocks");
  return out;
}

body_or_rejection read_body(message_type type, byte_view payload, const node_id& sender) {
  std::array<char, arena_block_bytes> block;
  Arena arena{block.data(), block.size()};
  switch (type) {
    case message_type::hello: {
      auto& in = *Arena::CreateMessage<wire::hello>(&arena);
      if (auto bad = parse_payload(in, payload)) return *bad;
      auto self = read_peer(in.self());
      if (auto* bad = std::get_if<frame_rejection>(&self)) return *bad;
      hello out{std::get<peer_info>(std::move(self))};
      if (out.self.id != sender) return reject(reject_reason::invalid_payload, "hello names another node");
      return out;
    }
    case message_type::welcome: {
      auto& in = *Arena::CreateMessage<wire::welcome>(&arena);
      if (auto bad = parse_payload(in, payload)) return *bad;
      auto self = read_peer(in.self());
      if (auto* bad = std::get_if<frame_rejection>(&self)) return *bad;
      welcome out{std::get<peer_info>(std::move(self)), {}, in.full()};
      if (out.self.id != sender) return reject(reject_reason::invalid_payload, "welcome names another node");
      if (static_cast<std::size_t>(in.peers_size()) > bus_limits::welcome_peers_max)
        return reject(reject_reason::invalid_payload, "too many peers");
      std::set<node_id> seen;
      for (const auto& record : in.peers()) {
        auto p = read_peer(record);
        if (auto* bad = std::get_if<frame_rejection>(&p)) return *bad;
        auto& peer = std::get<peer_info>(p);
        if (!seen.insert(peer.id).second) return reject(reject_reason::invalid_payload, "repeated peer");
        out.peers.push_back(std::move(peer));
      }
      return out;
    }
    case message_type::ping: {  // read by hand: the padding is copied once, into the message
      std::uint64_t nonce = 0;
      byte_view padding;
      field_reader in{payload};
      if (!in.read(fields(1, 1, [&](std::uint32_t, std::uint64_t v) { nonce = v; }),
                   fields(2, 2, [&](std::uint32_t, byte_view v) { padding = v; })))
        return reject(reject_reason::malformed_payload, "payload does not parse");
      if (padding.size() > bus_limits::ping_padding_bytes_max)
        return reject(reject_reason::invalid_payload, "ping padding too large");
      return ping{nonce, bytes(padding.begin(), padding.end())};
    }
    case message_type::pong: {
      auto& in = *Arena::CreateMessage<wire::pong>(&arena);
      if (auto bad = parse_payload(in, payload)) return *bad;
      return pong{in.nonce()};
    }
    case message_type::chain_block: return read_block(payload);
    case message_type::chain_vote: return read_one_bytes<chain_vote>(payload);
    case message_type::chain_commit: return read_one_bytes<chain_commit>(payload);
    case message_type::chain_transaction: return read_one_bytes<chain_transaction>(payload);
    case message_type::chain_catch_up: return read_catch_up(payload);
    case message_type::block_request: return read_block_request(payload);
    case message_type::block_response: return read_block_response(payload);
    case message_type::data_request: return read_one_bytes<data_request>(payload, bus_limits::data_payload_bytes_max);
    case message_type::data_response: return read_one_bytes<data_response>(payload, bus_limits::data_payload_bytes_max);
  }
  return reject(reject_reason::unknown_type, "unreachable");
}

bool kind_allowed(message_type type, frame_kind kind) noexcept {
  switch (type) {
    case message_type::hello: return kind == frame_kind::request;
    case message_type::welcome: return kind == frame_kind::response;
    case message_type::ping: return kind == frame_kind::request || kind == frame_kind::one_way;
    case message_type::pong: return kind == frame_kind::response;
    case message_type::chain_block:
    case message_type::chain_vote:
    case message_type::chain_commit:
    case message_type::chain_catch_up:
    case message_type::chain_transaction: return kind == frame_kind::one_way;
    case message_type::block_request:
    case message_type::data_request: return kind == frame_kind::request;
    case message_type::block_response:
    case message_type::data_response: return kind == frame_kind::response;
  }
  return false;
}

bool sender_is_authenticated(const node_id& claimed, const authenticated_peer& from) {
  if (from.bound) return *from.bound == claimed;
  auto curve = to_curve_public(claimed.key);
  return curve && curve_public_key{*curve} == from.curve;
}

decoded_frame decode_checked(byte_view frame, const authenticated_peer& from, const frame_limits& limits,
                             const known_gossip& known) {
  if (frame.size() > limits.frame_bytes_max)
    return reject(reject_reason::oversized, std::to_string(frame.size()) + " bytes");
  // The envelope (wire::envelope) is read in place: the payload stays a view into the frame.
  byte_view sender_bytes, payload;
  std::uint32_t type_number = 0;
  std::int32_t kind_number = 0;
  std::uint64_t correlation_id = 0;
  field_reader in{frame};
  bool parsed = in.read(fields(2, 4,
                               [&](std::uint32_t field, std::uint64_t v) {
                                 if (field == 2) type_number = static_cast<std::uint32_t>(v);
                                 if (field == 3) correlation_id = v;
                                 if (field == 4) kind_number = static_cast<std::int32_t>(v);  // an open enum
                               }),
                        fields(1, 5, [&](std::uint32_t field, byte_view v) {
                          if (field == 1) sender_bytes = v;
                          if (field == 5) payload = v;
                        }));
  if (!parsed) return reject(reject_reason::malformed_envelope, "envelope does not parse");
  node_id sender;
  if (sender_bytes.size() != sender.key.size())
    return reject(reject_reason::malformed_envelope, "sender is not 32 bytes");
  std::copy(sender_bytes.begin(), sender_bytes.end(), sender.key.begin());
  if (!sender_is_authenticated(sender, from))
    return reject(reject_reason::sender_mismatch, "sender " + short_hex(sender) + " is not the authenticated peer");
  if (type_number < 1 || type_number > std::variant_size_v<message_body>)
    return reject(reject_reason::unknown_type, "type " + std::to_string(type_number));
  auto type = static_cast<message_type>(type_number);
  if (kind_number < wire::FRAME_KIND_ONE_WAY || kind_number > wire::FRAME_KIND_RESPONSE)
    return reject(reject_reason::bad_kind, "kind " + std::to_string(kind_number));
  auto kind = static_cast<frame_kind>(kind_number);
  if (!kind_allowed(type, kind)) return reject(reject_reason::bad_kind, "kind not allowed for type");
  if ((kind == frame_kind::one_way) != (correlation_id == 0))
    return reject(reject_reason::bad_kind, "correlation id does not fit the kind");
  if (known && kind == frame_kind::one_way &&
      (type == message_type::chain_block || type == message_type::chain_commit))
    if (const auto canonical = type == message_type::chain_block ? block_field(payload) : one_bytes_field(payload);
        canonical && known(type, *canonical))
      return gossip_copy{sender};
  auto body = read_body(type, payload, sender);
  if (auto* bad = std::get_if<frame_rejection>(&body)) return std::move(*bad);
  return inbound_message{sender, kind, correlation_id, std::get<message_body>(std::move(body))};
}

}  // namespace

std::string_view to_string(reject_reason r) noexcept {
  static constexpr std::array<std::string_view, reject_reason_count> names{
      "oversized",     "malformed_envelope", "sender_mismatch", "unknown_type",
      "bad_kind",      "malformed_payload",  "invalid_payload", "unsupported_version"};
  return names[static_cast<std::size_t>(r)];
}

result<frame_limits> make_frame_limits(std::size_t frame_bytes_max) {
  if (frame_bytes_max < bus_limits::frame_bytes_min || frame_bytes_max > bus_limits::frame_bytes_max)
    return make_error(errc::out_of_range, "max frame bytes must be within [" +
                                              std::to_string(bus_limits::frame_bytes_min) + ", " +
                                              std::to_string(bus_limits::frame_bytes_max) + "]");
  return frame_limits{frame_bytes_max};
}

decoded_frame decode_frame(byte_view frame, const authenticated_peer& from, const frame_limits& limits,
                           const known_gossip& known) {
  // Protobuf and the allocator may throw; nothing from the wire may escape as an exception.
  try {
    return decode_checked(frame, from, limits, known);
  } catch (const std::exception& e) {
    return reject(reject_reason::malformed_envelope, std::string{"decoder threw: "} + e.what());
  }
}

bytes encode_frame(const node_id& sender, frame_kind kind, std::uint64_t correlation_id,
                   const message_body& body) {
  // wire::envelope, written by hand so the payload goes straight into the frame.
  payload_writer payload{body};
  auto type = static_cast<std::uint32_t>(type_of(body));
  auto kind_number = static_cast<std::uint64_t>(kind);
  auto size = length_delimited_size(1, sender.key.size()) + varint_field_size(2, type) +
              varint_field_size(3, correlation_id) + varint_field_size(4, kind_number) +
              (payload.size() == 0 ? 0 : length_delimited_size(5, payload.size()));
  std::array<std::uint8_t, bus_limits::envelope_overhead_bytes_max> head;
  auto* at = write_bytes_field(1, byte_view{sender.key}, head.data());
  at = write_varint_field(2, type, at);
  at = write_varint_field(3, correlation_id, at);
  at = write_varint_field(4, kind_number, at);
  if (payload.size() != 0) {
    at = wire_format::WriteTagToArray(5, wire_format::WIRETYPE_LENGTH_DELIMITED, at);
    at = CodedOutputStream::WriteVarint64ToArray(payload.size(), at);
  }
  bytes out;
  out.reserve(size);
  out.insert(out.end(), head.data(), at);
  payload.append_to(out);
  // A size mismatch is a bug of ours, not bad input: it stays checked in release builds.
  if (out.size() != size) std::abort();
  return out;
}

}  // namespace datdot

#include "protocol/frame_codec.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <set>

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

std::string encode_payload(const message_body& body) {
  return std::visit(
      [](const auto& m) -> std::string {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, hello>) {
          wire::hello out;
          put_peer(*out.mutable_self(), m.self);
          return out.SerializeAsString();
        } else if constexpr (std::is_same_v<T, welcome>) {
          wire::welcome out;
          put_peer(*out.mutable_self(), m.self);
          for (const auto& p : m.peers) put_peer(*out.add_peers(), p);
          return out.SerializeAsString();
        } else if constexpr (std::is_same_v<T, ping>) {
          wire::ping out;
          out.set_nonce(m.nonce);
          out.set_padding(m.padding.data(), m.padding.size());
          return out.SerializeAsString();
        } else {
          wire::pong out;
          out.set_nonce(m.nonce);
          return out.SerializeAsString();
        }
      },
      body);
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
std::optional<frame_rejection> parse_payload(Wire& out, const std::string& payload) {
  if (!out.ParseFromString(payload)) return reject(reject_reason::malformed_payload, "payload does not parse");
  return std::nullopt;
}

using body_or_rejection = std::variant<message_body, frame_rejection>;

body_or_rejection read_body(message_type type, const std::string& payload, const node_id& sender) {
  switch (type) {
    case message_type::hello: {
      wire::hello in;
      if (auto bad = parse_payload(in, payload)) return *bad;
      auto self = read_peer(in.self());
      if (auto* bad = std::get_if<frame_rejection>(&self)) return *bad;
      hello out{std::get<peer_info>(std::move(self))};
      if (out.self.id != sender) return reject(reject_reason::invalid_payload, "hello names another node");
      return out;
    }
    case message_type::welcome: {
      wire::welcome in;
      if (auto bad = parse_payload(in, payload)) return *bad;
      auto self = read_peer(in.self());
      if (auto* bad = std::get_if<frame_rejection>(&self)) return *bad;
      welcome out{std::get<peer_info>(std::move(self)), {}};
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
    case message_type::ping: {
      wire::ping in;
      if (auto bad = parse_payload(in, payload)) return *bad;
      if (in.padding().size() > bus_limits::ping_padding_bytes_max)
        return reject(reject_reason::invalid_payload, "ping padding too large");
      return ping{in.nonce(), bytes(in.padding().begin(), in.padding().end())};
    }
    case message_type::pong: {
      wire::pong in;
      if (auto bad = parse_payload(in, payload)) return *bad;
      return pong{in.nonce()};
    }
  }
  return reject(reject_reason::unknown_type, "unreachable");
}

bool kind_allowed(message_type type, frame_kind kind) noexcept {
  switch (type) {
    case message_type::hello: return kind == frame_kind::request;
    case message_type::welcome: return kind == frame_kind::response;
    case message_type::ping: return kind == frame_kind::request || kind == frame_kind::one_way;
    case message_type::pong: return kind == frame_kind::response;
  }
  return false;
}

bool sender_is_authenticated(const node_id& claimed, const authenticated_peer& from) {
  if (from.bound) return *from.bound == claimed;
  auto curve = to_curve_public(claimed.key);
  return curve && curve_public_key{*curve} == from.curve;
}

decoded_frame decode_checked(byte_view frame, const authenticated_peer& from, const frame_limits& limits) {
  if (frame.size() > limits.frame_bytes_max)
    return reject(reject_reason::oversized, std::to_string(frame.size()) + " bytes");
  wire::envelope env;
  if (!env.ParseFromArray(frame.data(), static_cast<int>(frame.size())))
    return reject(reject_reason::malformed_envelope, "envelope does not parse");
  node_id sender;
  if (env.sender().size() != sender.key.size())
    return reject(reject_reason::malformed_envelope, "sender is not 32 bytes");
  std::copy(env.sender().begin(), env.sender().end(), sender.key.begin());
  if (!sender_is_authenticated(sender, from))
    return reject(reject_reason::sender_mismatch, "sender " + short_hex(sender) + " is not the authenticated peer");
  if (env.type() < 1 || env.type() > std::variant_size_v<message_body>)
    return reject(reject_reason::unknown_type, "type " + std::to_string(env.type()));
  auto type = static_cast<message_type>(env.type());
  if (env.kind() < wire::FRAME_KIND_ONE_WAY || env.kind() > wire::FRAME_KIND_RESPONSE)
    return reject(reject_reason::bad_kind, "kind " + std::to_string(env.kind()));
  auto kind = static_cast<frame_kind>(env.kind());
  if (!kind_allowed(type, kind)) return reject(reject_reason::bad_kind, "kind not allowed for type");
  if ((kind == frame_kind::one_way) != (env.correlation_id() == 0))
    return reject(reject_reason::bad_kind, "correlation id does not fit the kind");
  auto body = read_body(type, env.payload(), sender);
  if (auto* bad = std::get_if<frame_rejection>(&body)) return std::move(*bad);
  return inbound_message{sender, kind, env.correlation_id(), std::get<message_body>(std::move(body))};
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

decoded_frame decode_frame(byte_view frame, const authenticated_peer& from, const frame_limits& limits) {
  // Protobuf and the allocator may throw; nothing from the wire may escape as an exception.
  try {
    return decode_checked(frame, from, limits);
  } catch (const std::exception& e) {
    return reject(reject_reason::malformed_envelope, std::string{"decoder threw: "} + e.what());
  }
}

bytes encode_frame(const node_id& sender, frame_kind kind, std::uint64_t correlation_id,
                   const message_body& body) {
  wire::envelope env;
  env.set_sender(sender.key.data(), sender.key.size());
  env.set_type(static_cast<std::uint32_t>(type_of(body)));
  env.set_correlation_id(correlation_id);
  env.set_kind(static_cast<wire::frame_kind>(kind));
  env.set_payload(encode_payload(body));
  bytes out(env.ByteSizeLong());
  env.SerializeToArray(out.data(), static_cast<int>(out.size()));
  return out;
}

}  // namespace datdot

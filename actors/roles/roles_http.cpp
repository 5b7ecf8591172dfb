#include "actors/roles/roles_http.hpp"

#include <nlohmann/json.hpp>

#include "crypto/bytes.hpp"

namespace datdot {
namespace {

// Creating a feed reads and hashes the whole file, a fetch downloads one: allow for large ones.
constexpr auto long_request_timeout = std::chrono::minutes{30};

http_reply error_reply(int status, const std::string& why) {
  return http_reply{status, "application/json", nlohmann::json{{"error", why}}.dump()};
}


// Asks `who` and turns its answer into a reply: 200 when it worked, 400 with its error otherwise.
template <class Answer, class Actor, class Atom, class Request>
http_reply ask_role(caf::actor_system& sys, const Actor& who, Atom atom, const Request& req, const char* what) {
  http_reply out = error_reply(503, std::string{"the "} + what + " did not answer");
  caf::scoped_actor self{sys};
  self->request(who, long_request_timeout, atom, req)
      .receive([&](Answer& a) { out = http_reply{a.ok ? 200 : 400, "application/json", std::move(a.json)}; },
               [&](caf::error& e) { out = error_reply(503, std::string{what} + ": " + caf::to_string(e)); });
  return out;
}

http_reply publish(caf::actor_system& sys, const std::optional<publisher_actor>& publisher, const nlohmann::json& body) {
  if (!publisher) return error_reply(404, "this node is not a publisher (--roles publisher)");
  if (!body.contains("file") || !body["file"].is_string() || !body.contains("replicas") ||
      !body["replicas"].is_number_unsigned())
    return error_reply(400, "publish wants {\"file\": PATH, \"replicas\": N}");
  return ask_role<publish_answer>(sys, *publisher, publish_atom_v,
                                  publish_request{body["file"].get<std::string>(), body["replicas"].get<std::uint32_t>()},
                                  "publisher");
}

http_reply append(caf::actor_system& sys, const std::optional<publisher_actor>& publisher, const nlohmann::json& body) {
  if (!publisher) return error_reply(404, "this node is not a publisher (--roles publisher)");
  if (!body.contains("key") || !body["key"].is_string() || !body.contains("file") || !body["file"].is_string())
    return error_reply(400, "append wants {\"key\": FEED_KEY, \"file\": PATH}");
  auto key = from_hex_fixed<32>(body["key"].get<std::string>());
  if (!key) return error_reply(400, "key: " + key.err().describe());
  return ask_role<publish_answer>(sys, *publisher, append_atom_v,
                                  append_request{feed_key{*key}, body["file"].get<std::string>()}, "publisher");
}

http_reply fetch(caf::actor_system& sys, const reader_actor& reader, const nlohmann::json& body) {
  if (!body.contains("key") || !body["key"].is_string() || !body.contains("out") || !body["out"].is_string())
    return error_reply(400, "fetch wants {\"key\": FEED_KEY, \"out\": PATH}");
  auto key = from_hex_fixed<32>(body["key"].get<std::string>());
  if (!key) return error_reply(400, "key: " + key.err().describe());
  return ask_role<fetch_answer>(sys, reader, fetch_atom_v, fetch_request{feed_key{*key}, body["out"].get<std::string>()},
                                "reader");
}

}  // namespace

http_route roles_http_route(caf::actor_system& sys, std::optional<publisher_actor> publisher, reader_actor reader) {
  return [&sys, publisher, reader](const http_request& r) {
    const auto body = nlohmann::json::parse(r.body, nullptr, false);
    const std::string prefix = roles_http_prefix;
    if (r.method == "POST" && body.is_object() && r.path == prefix + "/publish") return publish(sys, publisher, body);
    if (r.method == "POST" && body.is_object() && r.path == prefix + "/append") return append(sys, publisher, body);
    if (r.method == "POST" && body.is_object() && r.path == prefix + "/fetch") return fetch(sys, reader, body);
    return error_reply(404, "no such endpoint (POST /roles/publish, /roles/append or /roles/fetch with a JSON body)");
  };
}

}  // namespace datdot

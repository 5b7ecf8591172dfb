#include "actors/roles/roles_http.hpp"

#include <nlohmann/json.hpp>

namespace datdot {
namespace {

// Creating a feed reads and hashes the whole file: allow for large ones.
constexpr auto publish_timeout = std::chrono::minutes{10};

http_reply error_reply(int status, const std::string& why) {
  return http_reply{status, "application/json", nlohmann::json{{"error", why}}.dump()};
}

}  // namespace

http_route roles_http_route(caf::actor_system& sys, publisher_actor publisher) {
  return [&sys, publisher](const http_request& r) {
    if (r.method != "POST" || r.path != std::string{roles_http_prefix} + "/publish")
      return error_reply(404, "no such endpoint (POST /roles/publish)");
    const auto body = nlohmann::json::parse(r.body, nullptr, false);
    if (!body.is_object() || !body.contains("file") || !body["file"].is_string() || !body.contains("replicas") ||
        !body["replicas"].is_number_unsigned())
      return error_reply(400, "publish wants {\"file\": PATH, \"replicas\": N}");
    publish_request req{body["file"].get<std::string>(), body["replicas"].get<std::uint32_t>()};
    http_reply out = error_reply(503, "the publisher did not answer");
    caf::scoped_actor self{sys};
    self->request(publisher, publish_timeout, publish_atom_v, req)
        .receive([&](publish_answer& a) { out = http_reply{a.ok ? 200 : 400, "application/json", std::move(a.json)}; },
                 [&](caf::error& e) { out = error_reply(503, "publisher: " + caf::to_string(e)); });
    return out;
  };
}

}  // namespace datdot

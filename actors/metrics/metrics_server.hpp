// The node's HTTP endpoint for operators: GET /metrics (Prometheus text
// format) and GET /health (JSON; 200 when ready, 503 when not) on one
// configurable HOST:PORT. Served by civetweb threads, apart from the actors.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "actors/metrics/health.hpp"
#include "actors/metrics/metrics_registry.hpp"
#include "crypto/result.hpp"

class CivetServer;

namespace datdot {

// Other subsystems' endpoints on the same server (the chain's client API).
struct http_request {
  std::string method;  // GET or POST
  std::string path;    // e.g. /chain/block/12
  std::string query;   // after '?', undecoded
  std::string body;    // POST only, at most http_body_bytes_max
};
struct http_reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};
using http_route = std::function<http_reply(const http_request&)>;
inline constexpr std::size_t http_body_bytes_max = 64 * 1024;

class metrics_server {
 public:
  // listen: HOST:PORT (port 0 picks a free one). Both references must outlive the server.
  static result<std::unique_ptr<metrics_server>> start(const std::string& listen, const metrics_registry& registry,
                                                       const health_checks& health);
  ~metrics_server();
  metrics_server(const metrics_server&) = delete;
  metrics_server& operator=(const metrics_server&) = delete;

  // Serves `route` for GET and POST under `prefix`; call before clients use it.
  void add_route(const std::string& prefix, http_route route);

  // HOST:PORT actually bound (the chosen port when asked for 0).
  const std::string& address() const noexcept { return address_; }

 private:
  struct handlers;
  metrics_server() = default;
  std::unique_ptr<handlers> handlers_;
  std::unique_ptr<CivetServer> server_;
  std::string address_;
};

}  // namespace datdot

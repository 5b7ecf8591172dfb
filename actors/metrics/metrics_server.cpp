#include "actors/metrics/metrics_server.hpp"

#include <CivetServer.h>

#include <list>

namespace datdot {
namespace {

void respond(mg_connection* conn, int status, const char* status_text, const char* content_type,
             const std::string& body) {
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
            status, status_text, content_type, body.size());
  mg_write(conn, body.data(), body.size());
}

class metrics_handler : public CivetHandler {
 public:
  explicit metrics_handler(const metrics_registry& r) : registry_(r) {}
  bool handleGet(CivetServer*, mg_connection* conn) override {
    respond(conn, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", registry_.serialize());
    return true;
  }

 private:
  const metrics_registry& registry_;
};

class health_handler : public CivetHandler {
 public:
  explicit health_handler(const health_checks& h) : health_(h) {}
  bool handleGet(CivetServer*, mg_connection* conn) override {
    auto report = health_.run();
    respond(conn, report.ready ? 200 : 503, report.ready ? "OK" : "Service Unavailable", "application/json",
            report.to_json() + "\n");
    return true;
  }

 private:
  const health_checks& health_;
};

class route_handler : public CivetHandler {
 public:
  explicit route_handler(http_route r) : route_(std::move(r)) {}
  bool handleGet(CivetServer*, mg_connection* conn) override { return serve(conn, "GET"); }
  bool handlePost(CivetServer*, mg_connection* conn) override { return serve(conn, "POST"); }

 private:
  bool serve(mg_connection* conn, const char* method) {
    const auto* info = mg_get_request_info(conn);
    http_request request{method, info->local_uri ? info->local_uri : "", info->query_string ? info->query_string : "",
                         {}};
    if (request.method == "POST") {
      if (info->content_length > static_cast<long long>(http_body_bytes_max)) {
        respond(conn, 413, "Payload Too Large", "application/json", "{\"error\":\"body too large\"}\n");
        return true;
      }
      char buf[4096];
      for (int n; request.body.size() < http_body_bytes_max && (n = mg_read(conn, buf, sizeof buf)) > 0;)
        request.body.append(buf, static_cast<std::size_t>(n));
    }
    auto reply = route_(request);
    respond(conn, reply.status, reply.status < 400 ? "OK" : "Error", reply.content_type.c_str(), reply.body + "\n");
    return true;
  }
  http_route route_;
};

}  // namespace

struct metrics_server::handlers {
  metrics_handler metrics;
  health_handler health;
  std::list<route_handler> routes;  // list: civetweb keeps pointers to them
};

result<std::unique_ptr<metrics_server>> metrics_server::start(const std::string& listen,
                                                              const metrics_registry& registry,
                                                              const health_checks& health) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size())
    return make_error(errc::invalid_argument, "metrics address wants HOST:PORT, got " + listen);
  std::unique_ptr<metrics_server> s{new metrics_server};
  s->handlers_ = std::make_unique<handlers>(handlers{metrics_handler{registry}, health_handler{health}, {}});
  // A scrape, a health probe and client queries (one may be a long-poll) never wait on each other.
  std::vector<std::string> options{"listening_ports", listen, "num_threads", "4"};
  try {
    s->server_ = std::make_unique<CivetServer>(options);
  } catch (const CivetException& e) {
    return make_error(errc::io_error, "cannot serve metrics on " + listen + ": " + e.what());
  }
  s->server_->addHandler("/metrics", s->handlers_->metrics);
  s->server_->addHandler("/health", s->handlers_->health);
  auto ports = s->server_->getListeningPorts();
  if (ports.empty()) return make_error(errc::io_error, "cannot serve metrics on " + listen + ": no port bound");
  s->address_ = listen.substr(0, colon) + ":" + std::to_string(ports.front());
  return s;
}

void metrics_server::add_route(const std::string& prefix, http_route route) {
  server_->addHandler(prefix, handlers_->routes.emplace_back(std::move(route)));
}

metrics_server::~metrics_server() {
  if (server_) server_->close();
}

}  // namespace datdot

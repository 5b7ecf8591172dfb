#include "actors/metrics/metrics_server.hpp"

#include <CivetServer.h>

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

}  // namespace

struct metrics_server::handlers {
  metrics_handler metrics;
  health_handler health;
};

result<std::unique_ptr<metrics_server>> metrics_server::start(const std::string& listen,
                                                              const metrics_registry& registry,
                                                              const health_checks& health) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size())
    return make_error(errc::invalid_argument, "metrics address wants HOST:PORT, got " + listen);
  std::unique_ptr<metrics_server> s{new metrics_server};
  s->handlers_ = std::make_unique<handlers>(handlers{metrics_handler{registry}, health_handler{health}});
  // Two threads: a scrape and a health probe never wait on each other.
  std::vector<std::string> options{"listening_ports", listen, "num_threads", "2"};
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

metrics_server::~metrics_server() {
  if (server_) server_->close();
}

}  // namespace datdot

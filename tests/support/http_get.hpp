// A minimal HTTP/1.1 GET over a loopback socket for tests of the metrics
// endpoint and the Prometheus API: status and body, with a receive deadline.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <string>

namespace datdot::testing {

struct http_response {
  int status = 0;  // 0: no connection or no answer
  std::string body;
};

// address: "127.0.0.1:PORT"; path starts with '/'.
inline http_response http_get(const std::string& address, const std::string& path, int timeout_ms = 3000) {
  http_response r;
  auto colon = address.rfind(':');
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1))));
  if (::inet_pton(AF_INET, address.substr(0, colon).c_str(), &sa.sin_addr) != 1) return r;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    return r;
  }
  auto request = "GET " + path + " HTTP/1.1\r\nHost: " + address + "\r\nConnection: close\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
    ::close(fd);
    return r;
  }
  std::string raw;
  char buf[16384];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) raw.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  auto end_of_head = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || end_of_head == std::string::npos) return r;
  r.status = std::stoi(raw.substr(9, 3));
  r.body = raw.substr(end_of_head + 4);
  if (raw.find("Transfer-Encoding: chunked") < end_of_head) {  // Prometheus answers chunked
    std::string plain;
    std::size_t at = 0;
    while (at < r.body.size()) {
      auto eol = r.body.find("\r\n", at);
      auto size = std::stoul(r.body.substr(at, eol - at), nullptr, 16);
      if (size == 0) break;
      plain += r.body.substr(eol + 2, size);
      at = eol + 2 + size + 2;
    }
    r.body = plain;
  }
  return r;
}

}  // namespace datdot::testing

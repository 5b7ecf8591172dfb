#include "cli/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace datdot::cli {

namespace {
constexpr std::size_t answer_bytes_max = 64 * 1024 * 1024;  // a node's largest answer (events) is far below
}

result<http_answer> http_call(const std::string& address, const std::string& method, const std::string& path,
                              const std::string& body, int timeout_ms) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos) return make_error(errc::invalid_argument, "--node wants HOST:PORT, got " + address);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  try {
    sa.sin_port = htons(static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1))));
  } catch (const std::exception&) {
    return make_error(errc::invalid_argument, "--node wants HOST:PORT, got " + address);
  }
  if (::inet_pton(AF_INET, address.substr(0, colon).c_str(), &sa.sin_addr) != 1)
    return make_error(errc::invalid_argument, "--node wants an IPv4 HOST:PORT, got " + address);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return make_error(errc::io_error, "socket failed");
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    return make_error(errc::io_error, "cannot connect to the node at " + address);
  }
  auto request = method + " " + path + " HTTP/1.1\r\nHost: " + address + "\r\nConnection: close\r\n";
  if (method == "POST") request += "Content-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  request += "\r\n" + body;
  for (std::size_t sent = 0; sent < request.size();) {
    auto n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      ::close(fd);
      return make_error(errc::io_error, "sending to the node failed");
    }
    sent += static_cast<std::size_t>(n);
  }
  std::string raw;
  char buf[16384];
  for (ssize_t n; raw.size() < answer_bytes_max && (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    raw.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  auto end_of_head = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || end_of_head == std::string::npos || raw.size() < 12)
    return make_error(errc::io_error, "no answer from the node at " + address + " within " +
                                          std::to_string(timeout_ms) + " ms");
  return http_answer{std::atoi(raw.c_str() + 9), raw.substr(end_of_head + 4)};
}

}  // namespace datdot::cli

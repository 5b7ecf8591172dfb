// A minimal HTTP/1.1 client for `datdot chain`: one GET or POST to a node's
// loopback endpoint (HOST:PORT, IPv4), with a send/receive deadline. Enough
// for the node's own JSON answers; not a general client.
#pragma once

#include <string>

#include "crypto/result.hpp"

namespace datdot::cli {

struct http_answer {
  int status = 0;
  std::string body;
};

result<http_answer> http_call(const std::string& address, const std::string& method, const std::string& path,
                              const std::string& body, int timeout_ms);

}  // namespace datdot::cli

#include "crypto/bytes.hpp"

namespace datdot {

const char* to_string(errc code) noexcept {
  switch (code) {
    case errc::invalid_argument: return "invalid argument";
    case errc::out_of_range: return "out of range";
    case errc::verification_failed: return "verification failed";
    case errc::corrupt_data: return "corrupt data";
    case errc::io_error: return "I/O error";
    case errc::storage_error: return "storage error";
    case errc::not_found: return "not found";
    case errc::already_exists: return "already exists";
  }
  return "unknown error";
}

std::string to_hex(byte_view data) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (byte b : data) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0xf]);
  }
  return out;
}

namespace {
int nibble(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

result<bytes> from_hex(std::string_view text) {
  if (text.size() % 2 != 0) return make_error(errc::invalid_argument, "hex text has an odd length");
  bytes out(text.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(text[2 * i]);
    int lo = nibble(text[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return make_error(errc::invalid_argument,
                        "not a hex digit at position " + std::to_string(hi < 0 ? 2 * i : 2 * i + 1));
    out[i] = static_cast<byte>(hi << 4 | lo);
  }
  return out;
}

}  // namespace datdot

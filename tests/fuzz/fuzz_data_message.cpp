// libFuzzer target: arbitrary bytes as a data-plane message from a peer. The
// decoder must refuse or accept every input without crashing, and whatever it
// accepts must re-encode to the same bytes (one encoding per value).
#include <algorithm>
#include <cstdlib>

#include "protocol/data_plane/data_message.hpp"

using namespace datdot;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const byte_view in{data, size};
  auto decoded = decode_data_message(in);
  if (!decoded) return 0;
  const auto again = encode_data_message(*decoded);
  if (!std::equal(again.begin(), again.end(), in.begin(), in.end())) std::abort();
  return 0;
}

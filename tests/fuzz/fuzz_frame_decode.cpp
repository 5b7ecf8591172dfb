// libFuzzer target: arbitrary bytes as a bus frame from an authenticated peer.
// The validating inbox must classify every input (message or rejection reason)
// without crashing, with and without a gossip filter that calls some of the
// chain's blocks and commits copies.
#include "crypto/keys.hpp"
#include "protocol/frame_codec.hpp"

using namespace datdot;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool ready = (crypto_init(), true);
  (void)ready;
  authenticated_peer from{};
  from.curve.key.fill(7);
  (void)decode_frame(byte_view{data, size}, from, frame_limits{});
  (void)decode_frame(byte_view{data, size}, from, frame_limits{},
                     [](message_type, byte_view canonical) { return !canonical.empty() && (canonical[0] & 1); });
  return 0;
}

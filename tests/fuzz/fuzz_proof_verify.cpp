// libFuzzer target: arbitrary proofs (any indices, sizes, hashes, lengths,
// signatures) against a fixed feed identity must be rejected or accepted
// without crashing, hanging or undefined behaviour.
#include <fuzzer/FuzzedDataProvider.h>

#include "crypto/keys.hpp"
#include "crypto/proof.hpp"

using namespace datdot;

namespace {

std::vector<tree_node> take_nodes(FuzzedDataProvider& in) {
  std::vector<tree_node> out(in.ConsumeIntegralInRange<std::size_t>(0, 70));
  for (auto& n : out) {
    n.index = in.ConsumeBool() ? in.ConsumeIntegralInRange<std::uint64_t>(0, 4096) : in.ConsumeIntegral<std::uint64_t>();
    n.size = in.ConsumeIntegral<std::uint64_t>();
    const auto h = in.ConsumeBytes<byte>(32);
    std::copy(h.begin(), h.end(), n.hash.begin());
  }
  return out;
}

std::uint64_t take_length(FuzzedDataProvider& in) {
  return in.ConsumeBool() ? in.ConsumeIntegralInRange<std::uint64_t>(0, 2048) : in.ConsumeIntegral<std::uint64_t>();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool ready = (crypto_init(), true);
  static const feed_identity identity{key_pair_from_seed(key_seed{1}).pk, signing_mode::manifest_v1};
  (void)ready;
  FuzzedDataProvider in(data, size);
  feed_proof proof;
  proof.fork = in.ConsumeIntegralInRange<std::uint64_t>(0, 2);
  if (in.ConsumeBool()) {
    block_proof b;
    b.index = take_length(in);
    b.value = in.ConsumeBytes<byte>(in.ConsumeIntegralInRange<std::size_t>(0, 64));
    b.nodes = take_nodes(in);
    proof.block = std::move(b);
  }
  std::vector<tree_node> known;
  if (in.ConsumeBool()) {
    upgrade_proof u;
    u.start = take_length(in);
    u.length = take_length(in);
    u.nodes = take_nodes(in);
    u.additional_nodes = take_nodes(in);
    u.signature = in.ConsumeBytes<byte>(in.ConsumeIntegralInRange<std::size_t>(0, 70));
    proof.upgrade = std::move(u);
    known = take_nodes(in);
  }
  (void)verify_proof(proof, identity, known);
  if (proof.block) (void)verify_block(*proof.block, known);
  return 0;
}

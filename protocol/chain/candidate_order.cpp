#include "protocol/chain/candidate_order.hpp"

#include <algorithm>
#include <limits>

namespace datdot {

std::optional<block_number> deadline_of(const chain_state& s, const call& c) {
  const auto by_challenge = [&](std::uint64_t id) -> std::optional<block_number> {
    const auto open = s.challenges.find(id);
    if (open == s.challenges.end()) return std::nullopt;
    return open->second.deadline;
  };
  if (const auto* proof = std::get_if<submit_storage_proof>(&c)) return by_challenge(proof->challenge);
  if (const auto* attestation = std::get_if<submit_attestation>(&c)) return by_challenge(attestation->challenge);
  return std::nullopt;
}

std::vector<const extrinsic*> order_candidates(const chain_state& s, std::span<const extrinsic* const> pool) {
  struct signer_calls {
    block_number due{std::numeric_limits<std::uint64_t>::max()};  // none: after every deadline
    std::span<const extrinsic* const> calls;
  };
  std::vector<signer_calls> signers;
  for (std::size_t i = 0; i < pool.size();) {
    std::size_t end = i;
    signer_calls g;
    for (; end < pool.size() && pool[end]->signer == pool[i]->signer; ++end)
      if (const auto due = deadline_of(s, pool[end]->body)) g.due = std::min(g.due, *due);
    g.calls = pool.subspan(i, end - i);
    signers.push_back(g);
    i = end;
  }
  std::stable_sort(signers.begin(), signers.end(), [](const signer_calls& a, const signer_calls& b) { return a.due < b.due; });
  std::vector<const extrinsic*> out;
  out.reserve(pool.size());
  for (const auto& g : signers) out.insert(out.end(), g.calls.begin(), g.calls.end());
  return out;
}

}  // namespace datdot

#include "protocol/duties/replica_transfer.hpp"

#include "protocol/chain/feed_roots.hpp"
#include "protocol/chain/sealed_block_claim.hpp"
#include "protocol/chain/sealing_dispute.hpp"

namespace datdot {
namespace {

chain_status at(std::uint64_t index, const std::string& what) {
  return chain_fail(chain_errc::bad_proof, "block " + std::to_string(index) + ": " + what);
}

}  // namespace

chain_status check_feed_blocks(const feed_record& feed, const feed_blocks& m, std::uint64_t first) {
  DATDOT_CHAIN_CHECK(check_feed_roots(m.roots, head_of(feed)));
  for (std::size_t i = 0; i < m.blocks.size(); ++i) {
    const auto& b = m.blocks[i];
    if (b.index != first + i) return at(b.index, "out of order (expected " + std::to_string(first + i) + ")");
    if (b.index >= feed.length) return at(b.index, "past the feed's length");
    if (auto ok = verify_block(b, m.roots); !ok) return at(b.index, ok.err().message);
  }
  return chain_ok();
}

result<replica_push> seal_blocks(const sealer& encoder, const secret_key& signer, const chain_id& chain,
                                 const replica_duty& duty, const feed_blocks& m) {
  replica_push push{duty.key, duty.replica, m.blocks.empty() ? 0 : m.blocks.front().index, m.roots, {}};
  for (const auto& b : m.blocks) {
    DATDOT_TRY(sealed, encoder.seal(duty.record.replica_key, b.index, b.value));
    const auto sig = sign_sealed_block(chain, {duty.key, duty.replica, duty.record.replica_key, b.index, sealed}, signer);
    push.blocks.push_back({std::move(sealed), b.value.size(), b.nodes, sig});
  }
  return push;
}

push_verdict check_push(const chain_id& chain, const replica_duty& duty, const unsealer& encoder,
                        const replica_push& push, std::uint64_t expected_next) {
  if (push.feed != duty.key || push.replica != duty.replica)
    return {chain_fail(chain_errc::invalid_call, "push for another replica"), std::nullopt};
  if (push.first != expected_next)
    return {chain_fail(chain_errc::invalid_call, "push starts at " + std::to_string(push.first) + ", expected " +
                                                     std::to_string(expected_next)),
            std::nullopt};
  if (auto roots = check_feed_roots(push.feed_roots, head_of(duty.feed)); !roots) return {roots, std::nullopt};
  for (std::size_t i = 0; i < push.blocks.size(); ++i) {
    const auto index = push.first + i;
    const auto& b = push.blocks[i];
    if (index >= duty.feed.length) return {at(index, "past the feed's length"), std::nullopt};
    const sealed_block_claim claim{duty.key, duty.replica, duty.record.replica_key, index, b.sealed};
    if (!verify_sealed_block(chain, claim, b.encoder_signature, duty.record.encoder))
      return {at(index, "not signed by the replica's encoder"), std::nullopt};
    const sealing_evidence evidence{index, b.sealed, b.encoder_signature};
    auto plain = encoder.unseal(duty.record.replica_key, index, b.sealed, b.plain_bytes);
    if (!plain) return {at(index, "does not unseal: " + plain.err().message), evidence};
    if (auto ok = verify_block({index, std::move(*plain), b.feed_path}, push.feed_roots); !ok)
      return {at(index, "unsealed block is not the feed's: " + ok.err().message), evidence};
  }
  return {};
}

chain_result<dispute_sealing> make_dispute(const chain_id& chain, const replica_duty& duty,
                                           const sealing_evidence& evidence, const feed_blocks& original) {
  DATDOT_CHAIN_CHECK(check_feed_blocks(duty.feed, original, evidence.index));
  if (original.blocks.empty()) return chain_fail(chain_errc::invalid_call, "the source sent no block");
  const auto& block = original.blocks.front();
  dispute_sealing d{duty.key,
                    duty.replica,
                    evidence.index,
                    evidence.sealed,
                    evidence.encoder_signature,
                    leaf_node(block.index, block.value),
                    block.nodes,
                    original.roots};
  DATDOT_CHAIN_CHECK(verify_sealing_dispute(chain, duty.record, head_of(duty.feed), duty.first, d));
  return d;
}

}  // namespace datdot

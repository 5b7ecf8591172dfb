#include "protocol/duties/replica_transfer.hpp"

#include "protocol/chain/feed_roots.hpp"
#include "protocol/chain/pending_sealing.hpp"
#include "protocol/chain/replica_commitment_claim.hpp"
#include "protocol/chain/root_dispute.hpp"
#include "protocol/chain/sealed_block_claim.hpp"
#include "protocol/chain/sealing_dispute.hpp"

namespace datdot {
namespace {

chain_status at(std::uint64_t index, const std::string& what) {
  return chain_fail(chain_errc::bad_proof, "block " + std::to_string(index) + ": " + what);
}

// The commitment of `before` grown by the push's sealed blocks.
replica_commitment commitment_after(merkle_tree before, const replica_push& push) {
  std::vector<tree_node> ignored;
  for (const auto& b : push.blocks) before.append(b.sealed, ignored);
  return commit_replica(before.roots());
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
                                 const replica_duty& duty, const feed_blocks& m, const merkle_tree& sealed_so_far) {
  replica_push push{duty.key, duty.replica, m.blocks.empty() ? 0 : m.blocks.front().index, m.roots, {}, {}, {}};
  for (const auto& b : m.blocks) {
    DATDOT_TRY(sealed, encoder.seal(duty.record.replica_key, b.index, b.value));
    const auto sig = sign_sealed_block(chain, {duty.key, duty.replica, duty.record.replica_key, b.index, sealed}, signer);
    push.blocks.push_back({std::move(sealed), b.value.size(), b.nodes, sig});
  }
  push.replica_after = commitment_after(sealed_so_far, push);
  push.commitment_signature =
      sign_replica_commitment(chain, {duty.key, duty.replica, duty.record.replica_key, push.replica_after}, signer);
  return push;
}

std::uint64_t continued_length(const replica_duty& duty, std::uint64_t held, const replica_push& push) {
  return push.first >= duty.first && push.first < held ? push.first : held;
}

push_verdict check_push(const chain_id& chain, const replica_duty& duty, const unsealer& encoder,
                        const replica_push& push, const merkle_tree& replica_tree) {
  const auto expected_next = replica_tree.length();
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
  if (push.replica_after != commitment_after(replica_tree, push))
    return {chain_fail(chain_errc::bad_proof, "the signed replica commitment is not the tree the run makes"), std::nullopt};
  const replica_commitment_claim claim{duty.key, duty.replica, duty.record.replica_key, push.replica_after};
  if (!verify_replica_commitment(chain, claim, push.commitment_signature, duty.record.encoder))
    return {chain_fail(chain_errc::bad_signature, "the replica commitment is not signed by the replica's encoder"),
            std::nullopt};
  return {};
}

root_evidence evidence_of(const replica_push& push) { return {push.replica_after, push.commitment_signature}; }

chain_result<dispute_replica_root> make_root_dispute(const chain_id& chain, const replica_duty& duty,
                                                     const root_evidence& evidence) {
  auto record = duty.record;
  const auto sealing = pending_of(record);
  if (!sealing) return chain_fail(chain_errc::invalid_call, "the replica is not being sealed");
  const dispute_replica_root d{duty.key, duty.replica, evidence.commitment, evidence.encoder_signature};
  DATDOT_CHAIN_CHECK(verify_root_dispute(chain, record, *sealing, d));
  return d;
}

std::optional<report_withheld_sealing> withheld_report(const replica_duty& duty, std::uint64_t held) {
  if (!duty.encoder_root || duty.hoster_root || held >= duty.feed.length) return std::nullopt;
  return report_withheld_sealing{duty.key, duty.replica, held};
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

#include "protocol/duties/replica_transfer.hpp"

#include "crypto/flat_tree.hpp"

namespace datdot {
namespace {

chain_status check_roots(const feed_record& feed, const std::vector<tree_node>& roots) {
  std::uint64_t length = 0;
  for (const auto& r : roots) {
    if (!flat_tree::index_in_range(r.index)) return chain_fail(chain_errc::bad_proof, "feed root index out of range");
    length += flat_tree::leaf_count(r.index);
  }
  if (length != feed.length || tree_hash(roots) != feed.tree_hash)
    return chain_fail(chain_errc::bad_proof, "roots are not the feed's published tree");
  return chain_ok();
}

chain_status at(std::uint64_t index, const std::string& what) {
  return chain_fail(chain_errc::bad_proof, "block " + std::to_string(index) + ": " + what);
}

}  // namespace

chain_status check_feed_blocks(const feed_record& feed, const feed_blocks& m, std::uint64_t first) {
  DATDOT_CHAIN_CHECK(check_roots(feed, m.roots));
  for (std::size_t i = 0; i < m.blocks.size(); ++i) {
    const auto& b = m.blocks[i];
    if (b.index != first + i) return at(b.index, "out of order (expected " + std::to_string(first + i) + ")");
    if (b.index >= feed.length) return at(b.index, "past the feed's length");
    if (auto ok = verify_block(b, m.roots); !ok) return at(b.index, ok.err().message);
  }
  return chain_ok();
}

result<replica_push> seal_blocks(const sealer& encoder, const replica_duty& duty, const feed_blocks& m) {
  replica_push push{duty.key, duty.replica, m.blocks.empty() ? 0 : m.blocks.front().index, m.roots, {}};
  for (const auto& b : m.blocks) {
    DATDOT_TRY(sealed, encoder.seal(duty.record.replica_key, b.index, b.value));
    push.blocks.push_back({std::move(sealed), b.value.size(), b.nodes});
  }
  return push;
}

chain_status check_push(const replica_duty& duty, const unsealer& encoder, const replica_push& push,
                        std::uint64_t expected_next) {
  if (push.feed != duty.key || push.replica != duty.replica)
    return chain_fail(chain_errc::invalid_call, "push for another replica");
  if (push.first != expected_next)
    return chain_fail(chain_errc::invalid_call, "push starts at " + std::to_string(push.first) + ", expected " +
                                                    std::to_string(expected_next));
  DATDOT_CHAIN_CHECK(check_roots(duty.feed, push.feed_roots));
  for (std::size_t i = 0; i < push.blocks.size(); ++i) {
    const auto index = push.first + i;
    const auto& b = push.blocks[i];
    if (index >= duty.feed.length) return at(index, "past the feed's length");
    auto plain = encoder.unseal(duty.record.replica_key, index, b.sealed, b.plain_bytes);
    if (!plain) return at(index, "does not unseal: " + plain.err().message);
    if (auto ok = verify_block({index, std::move(*plain), b.feed_path}, push.feed_roots); !ok)
      return at(index, "unsealed block is not the feed's: " + ok.err().message);
  }
  return chain_ok();
}

}  // namespace datdot

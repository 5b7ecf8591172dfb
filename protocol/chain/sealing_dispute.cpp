#include "protocol/chain/sealing_dispute.hpp"

#include <algorithm>

#include "crypto/flat_tree.hpp"
#include "protocol/chain/feed_roots.hpp"
#include "protocol/chain/hosting_assignment.hpp"
#include "protocol/chain/hosting_payment.hpp"
#include "protocol/chain/pending_sealing.hpp"
#include "protocol/chain/sealed_block_claim.hpp"

namespace datdot {
namespace {

// The liar pays what sealing the head once costs, or all it has, into the
// feed's backing: the feed's hosting draws on it first.
ratio penalize(chain_state& s, const feed_key& key, const account_id& liar, const feed_head& head) {
  auto& backing = s.feeds.at(key).backing.units;
  auto& balance = s.accounts[liar].balance.units;
  const auto taken = std::min({price_for(s.params, head.byte_size).units, balance, UINT64_MAX - backing});
  balance -= taken;
  backing += taken;
  return ratio{taken};
}

}  // namespace

chain_status verify_sealing_dispute(const chain_id& chain, const replica_record& r, const feed_head& head,
                                    std::uint64_t first, const dispute_sealing& x) {
  if (x.index < first || x.index >= head.length)
    return chain_fail(chain_errc::invalid_call, "block " + std::to_string(x.index) + " is not one this sealing covers");
  if (x.original.index != flat_tree::index(0, x.index))
    return chain_fail(chain_errc::invalid_call, "the original is not the leaf of block " + std::to_string(x.index));
  DATDOT_CHAIN_CHECK(check_feed_roots(x.feed_roots, head));
  if (auto in_feed = verify_node(x.original, x.original_path, x.feed_roots); !in_feed)
    return chain_fail(chain_errc::bad_proof, "original leaf: " + in_feed.err().message);
  if (!verify_sealed_block(chain, {x.feed, x.replica, r.replica_key, x.index, x.sealed}, x.encoder_signature, r.encoder))
    return chain_fail(chain_errc::bad_signature, "the sealed block is not signed by the replica's encoder");
  const auto encoder = make_unsealer(r.seal_codec, r.seal_key);
  if (!encoder) return chain_fail(chain_errc::invalid_call, "replica has no usable sealing key");
  const auto plain = (*encoder)->unseal(r.replica_key, x.index, x.sealed, x.original.size);
  if (plain && leaf_node(x.index, *plain) == x.original)
    return chain_fail(chain_errc::invalid_call, "the sealed block unseals to the feed's block: nothing to dispute");
  return chain_ok();
}

void convict_encoder(chain_state& s, const feed_key& key, std::uint32_t replica, std::uint64_t index,
                     std::vector<chain_event>& events) {
  auto& r = s.feeds.at(key).replicas.at(replica);
  const auto encoder = r.encoder;
  const auto penalty = penalize(s, key, encoder, pending_of(r)->head);
  events.push_back(encoder_convicted{key, replica, encoder, index, penalty});
  fail_replica(s, key, replica, events, replica_state::badly_sealed);
  update_hosting_state(s.feeds.at(key), key, events);
}

void end_withheld_sealing(chain_state& s, const feed_key& key, std::uint32_t replica, std::uint64_t received,
                          std::vector<chain_event>& events) {
  const auto& r = s.feeds.at(key).replicas.at(replica);
  events.push_back(sealing_withheld{key, replica, r.encoder, r.hoster, received});
  fail_replica(s, key, replica, events, replica_state::sealing_withheld);
  update_hosting_state(s.feeds.at(key), key, events);
}

void run_answer_deadlines(chain_state& s, std::vector<chain_event>& events) {
  end_due_sealings(
      s, events,
      [&](const replica_record& r, const pending_sealing&) { return r.answer_due.value != 0 && s.number >= r.answer_due; },
      [&](const feed_key& key, std::uint32_t replica, const replica_record& r, const pending_sealing& p) {
        const auto hoster = r.hoster;  // fail_replica changes the record
        events.push_back(hoster_convicted{key, replica, hoster, penalize(s, key, hoster, p.head)});
        fail_replica(s, key, replica, events);
      });
}

}  // namespace datdot

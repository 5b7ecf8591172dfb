#include "protocol/chain/replica_extension.hpp"

#include "protocol/chain/hosting_assignment.hpp"
#include "protocol/chain/hosting_payment.hpp"
#include "protocol/chain/invariant.hpp"
#include "protocol/chain/sealing_deadline.hpp"

namespace datdot {
namespace {

// The replica's encoder is still registered as one, with the key the replica is sealed under.
bool can_seal_for(const chain_state& s, const replica_record& r) {
  const auto node = s.nodes.find(r.encoder);
  return node != s.nodes.end() && node->second.roles.contains(role::encoder) &&
         node->second.seal_codec == r.seal_codec && node->second.seal_key == r.seal_key;
}

bool unsealed(const replica_record& r) {
  return r.state == replica_state::encoding || (r.state == replica_state::active && r.extension);
}

}  // namespace

void grow_feed(chain_state& s, const feed_key& key, const feed_head& next, std::vector<chain_event>& events) {
  auto& f = s.feeds.at(key);
  DATDOT_INVARIANT(next.length > f.length && next.byte_size >= f.byte_size);
  events.push_back(feed_updated{key, next.length, next.byte_size});
  // Every live replica keeps the feed's whole size reserved on its hoster
  // (fail_replica releases that much), so the added bytes are reserved now.
  const auto added = next.byte_size - f.byte_size;
  for (std::size_t i = 0; i < f.replicas.size(); ++i) {
    const auto& r = f.replicas[i];
    if (!is_live(r)) continue;
    const auto node = s.nodes.find(r.hoster);
    if (node != s.nodes.end() && node->second.capacity_bytes - node->second.reserved_bytes >= added)
      node->second.reserved_bytes += added;
    else
      fail_replica(s, key, static_cast<std::uint32_t>(i), events);  // releases the old size: f is not moved yet
  }
  f.length = next.length;
  f.byte_size = next.byte_size;
  f.tree_hash = next.tree_hash;
  // Encoding replicas finish the head they were assigned and follow at activation.
  for (std::size_t i = 0; i < f.replicas.size(); ++i) extend_if_behind(s, key, static_cast<std::uint32_t>(i), events);
  update_hosting_state(f, key, events);
}

void extend_if_behind(chain_state& s, const feed_key& key, std::uint32_t replica, std::vector<chain_event>& events) {
  auto& f = s.feeds.at(key);
  auto& r = f.replicas.at(replica);
  if (r.state != replica_state::active || r.extension || r.covers.length >= f.length) return;
  if (!can_seal_for(s, r)) {
    fail_replica(s, key, replica, events);
    update_hosting_state(f, key, events);
    return;
  }
  r.extension = replica_extension{head_of(f), std::nullopt, std::nullopt};
  r.root_due = root_due_for(s, f.byte_size - r.covers.byte_size);
}

void complete_extension(chain_state& s, const feed_key& key, std::uint32_t replica, std::vector<chain_event>& events) {
  auto& r = s.feeds.at(key).replicas.at(replica);
  DATDOT_INVARIANT(r.state == replica_state::active && r.extension && r.extension->encoder_root &&
                   r.extension->encoder_root == r.extension->hoster_root);
  const auto done = *r.extension;
  const replica_extended extended{key,
                                  replica,
                                  r.encoder,
                                  done.target.length,
                                  done.target.length - r.covers.length,
                                  done.target.byte_size - r.covers.byte_size};
  r.encoder_root = done.encoder_root;
  r.hoster_root = done.hoster_root;
  r.covers = done.target;
  r.extension.reset();
  events.push_back(extended);
  // Sealing the added bytes is paid like the first sealing; a feed that cannot pay ends here.
  if (!pay_from_feed(s, key, extended.encoder, price_for(s.params, extended.bytes), events)) return;
  extend_if_behind(s, key, replica, events);
}

void fail_unsealed_of(chain_state& s, const account_id& encoder, std::vector<chain_event>& events) {
  for (auto& [key, f] : s.feeds) {
    for (std::size_t i = 0; i < f.replicas.size(); ++i)
      if (f.replicas[i].encoder == encoder && unsealed(f.replicas[i]))
        fail_replica(s, key, static_cast<std::uint32_t>(i), events);
    update_hosting_state(f, key, events);
  }
}

}  // namespace datdot

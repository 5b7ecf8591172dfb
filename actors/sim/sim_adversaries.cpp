#include "actors/sim/sim_adversaries.hpp"

#include "actors/sim/sim_cluster.hpp"
#include "protocol/frame_codec.hpp"

namespace datdot {
namespace {

constexpr std::uint64_t adversary_behaviour_stream = 0x6265686176ull;  // "behav"

bytes random_bytes(deterministic_random& random, std::size_t size) {
  bytes out(size);
  for (auto& b : out) b = static_cast<byte>(random.next());
  return out;
}

// Noise, or a real frame of the sender cut short: the bus rejects both before
// any handler sees them (malformed envelope, or a payload that does not parse).
bytes garbage_frame(const node_id& self, deterministic_random& random) {
  if (random.chance_permille(500)) return random_bytes(random, random.uniform(1, garbage_frame_bytes_max));
  auto frame = encode_frame(self, frame_kind::one_way, 0, ping{random.next()});
  frame.resize(random.uniform(1, frame.size() - 1));
  return frame;
}

}  // namespace

sim_adversaries::sim_adversaries(std::uint64_t seed, std::vector<sim_adversary> who,
                                 std::shared_ptr<const sim_replica_stores> stores,
                                 sim_node_index self_service_publisher)
    : who_(std::move(who)),
      world_(std::make_shared<hoster_adversary_world>(hoster_adversary_world{std::move(stores), {}, {}})),
      self_service_publisher_(self_service_publisher) {
  deterministic_random root{seed ^ adversary_behaviour_stream};
  for (const auto& a : who_) {
    auto stream = root.split(a.node);
    if (is_hoster_kind(a.kind))
      hosters_.emplace(a.node, make_hoster_adversary(a.kind, world_));
    else if (is_attester_kind(a.kind))
      attesters_.emplace(a.node, std::make_shared<slow_attester>());
    else if (a.kind == adversary_kind::withholding_encoder || a.kind == adversary_kind::false_root_encoder)
      encoders_.emplace(a.node, make_encoder_adversary(a.kind));
    else if (a.kind == adversary_kind::colluding_encoder)
      continue;  // it seals honestly; its key goes to the colluding hosters when armed
    else if (a.kind == adversary_kind::garbage_sender)
      garbage_.emplace(a.node, stream);
    else
      liars_.emplace(a.node, std::make_shared<liar>(a.kind, stream));
  }
}

std::shared_ptr<bus_transport> sim_adversaries::wrap(sim_node_index node, std::shared_ptr<bus_transport> inner) {
  auto it = liars_.find(node);
  if (it == liars_.end()) return inner;
  return std::make_shared<byzantine_transport>(std::move(inner), it->second);
}

void sim_adversaries::arm(sim_cluster& cluster) {
  if (self_service_publisher_ < cluster.size()) world_->self_service_operator = cluster.id_of(self_service_publisher_);
  for (const auto& a : who_)
    if (a.kind == adversary_kind::colluding_encoder)
      world_->colluding_sealers.emplace(cluster.id_of(a.node), cluster.sealer_of(a.node));
  for (auto& [node, l] : liars_) l->arm(cluster.id_of(node), cluster.keys_of(node), cluster.chain_genesis().state.chain);
}

void sim_adversaries::act(sim_cluster& cluster) {
  for (auto& [node, random] : garbage_)
    if (cluster.is_up(node)) send_garbage(cluster, node, random);
}

void sim_adversaries::send_garbage(sim_cluster& cluster, sim_node_index from, deterministic_random& random) {
  for (sim_node_index to = 0; to < cluster.size(); ++to) {
    if (to == from) continue;
    for (std::uint64_t k = 0; k < garbage_frames_per_slot; ++k) {
      cluster.network().submit(from, cluster.id_of(to), garbage_frame(cluster.id_of(from), random));
      ++garbage_sent_[from];
    }
  }
}

std::shared_ptr<hoster_conduct> sim_adversaries::hoster_conduct_of(sim_node_index node) const {
  const auto it = hosters_.find(node);
  return it == hosters_.end() ? nullptr : it->second;
}

std::shared_ptr<attester_conduct> sim_adversaries::attester_conduct_of(sim_node_index node) const {
  const auto it = attesters_.find(node);
  return it == attesters_.end() ? nullptr : it->second;
}

std::shared_ptr<encoder_conduct> sim_adversaries::encoder_conduct_of(sim_node_index node) const {
  const auto it = encoders_.find(node);
  return it == encoders_.end() ? nullptr : it->second;
}

const adversarial_encoder* sim_adversaries::encoder_of(sim_node_index node) const {
  const auto it = encoders_.find(node);
  return it == encoders_.end() ? nullptr : it->second.get();
}

const slow_attester* sim_adversaries::attester_of(sim_node_index node) const {
  const auto it = attesters_.find(node);
  return it == attesters_.end() ? nullptr : it->second.get();
}

const adversarial_hoster* sim_adversaries::hoster_of(sim_node_index node) const {
  const auto it = hosters_.find(node);
  return it == hosters_.end() ? nullptr : it->second.get();
}

std::uint64_t sim_adversaries::frames_sent(sim_node_index node) const {
  if (auto l = liars_.find(node); l != liars_.end()) return l->second->lies_sent();
  auto g = garbage_sent_.find(node);
  return g == garbage_sent_.end() ? 0 : g->second;
}

}  // namespace datdot

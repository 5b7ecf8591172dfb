#include "actors/sim/sim_network.hpp"

#include <string_view>

namespace datdot {

sim_network::sim_network(std::uint64_t seed, link_profile profile)
    : random_(seed), default_profile_(profile) {}

sim_node_index sim_network::add_node(const node_id& id, const curve_public_key& curve) {
  auto index = static_cast<sim_node_index>(nodes_.size());
  nodes_.push_back(node{id, curve, {}, random_.split(index), true, 0, 0, {}});
  index_.emplace(id, index);
  curve_index_.emplace(curve, index);
  return index;
}

void sim_network::attach(sim_node_index n, bus_actor bus) { nodes_[n].bus = std::move(bus); }

void sim_network::set_link(sim_node_index from, sim_node_index to, link_profile profile) {
  links_[{from, to}] = profile;
}

void sim_network::partition(std::vector<std::uint32_t> group) {
  for (std::size_t i = 0; i < nodes_.size(); ++i) nodes_[i].group = i < group.size() ? group[i] : 0;
}

void sim_network::heal() {
  for (auto& n : nodes_) n.group = 0;
}

void sim_network::crash(sim_node_index n) {
  nodes_[n].up = false;
  ++nodes_[n].incarnation;
  nodes_[n].bus = nullptr;
  nodes_[n].bans.clear();
}

void sim_network::restart(sim_node_index n, bus_actor bus) {
  nodes_[n].up = true;
  nodes_[n].bus = std::move(bus);
}

const link_profile& sim_network::profile_of(sim_node_index from, sim_node_index to) const {
  auto i = links_.find({from, to});
  return i == links_.end() ? default_profile_ : i->second;
}

void sim_network::schedule(sim_node_index from, sim_node_index to, std::shared_ptr<const bytes> frame,
                           std::uint64_t digest) {
  const auto& p = profile_of(from, to);
  auto& random = nodes_[from].random;
  auto delay_us = random.uniform(p.latency_us_min, p.latency_us_max);
  if (random.chance_permille(p.reorder_permille)) delay_us += random.uniform(0, p.reorder_delay_us_max);
  in_flight_.push(
      event{now_ + delay_us * 1000, next_sequence_++, from, to, nodes_[to].incarnation, std::move(frame), digest});
}

// A 64-bit digest of a frame's bytes for the trace. The bytes went through
// BLAKE2b once per delivery, a tenth of a large run's time; a 64-bit digest
// still tells two runs apart by any byte they deliver differently, and a
// frame gossiped to several peers is digested once (`digested_` holds it, so
// its address cannot be reused by another frame meanwhile).
std::uint64_t sim_network::digest_of(const std::shared_ptr<const bytes>& frame) {
  if (frame != digested_) {
    digest_ = static_cast<std::uint64_t>(std::hash<std::string_view>{}(
        std::string_view{reinterpret_cast<const char*>(frame->data()), frame->size()}));
    digested_ = frame;
  }
  return digest_;
}

std::optional<node_id> sim_network::identity_of(const curve_public_key& curve) const {
  auto i = curve_index_.find(curve);
  if (i == curve_index_.end()) return std::nullopt;
  return nodes_[i->second].id;
}

send_status sim_network::submit(sim_node_index from, const node_id& to, bytes frame) {
  return submit(from, to, std::make_shared<const bytes>(std::move(frame)));
}

send_status sim_network::submit(sim_node_index from, const node_id& to, std::shared_ptr<const bytes> frame) {
  auto target = index_.find(to);
  if (target == index_.end()) return send_status::no_route;
  return submit_to(from, target->second, std::move(frame));
}

send_status sim_network::submit(sim_node_index from, const curve_public_key& to, bytes frame) {
  auto target = curve_index_.find(to);
  if (target == curve_index_.end()) return send_status::no_route;
  return submit_to(from, target->second, std::make_shared<const bytes>(std::move(frame)));
}

send_status sim_network::submit_to(sim_node_index from, sim_node_index to, std::shared_ptr<const bytes> frame) {
  if (in_flight_.size() + 2 > sim_in_flight_frames_max) {
    ++counters_.queue_full;
    return send_status::queue_full;
  }
  const auto& p = profile_of(from, to);
  auto& random = nodes_[from].random;
  if (random.chance_permille(p.loss_permille)) {
    ++counters_.lost;
    return send_status::queued;  // lost on the wire: the sender cannot tell
  }
  const auto digest = digest_of(frame);
  if (random.chance_permille(p.duplicate_permille)) {
    ++counters_.duplicated;
    schedule(from, to, frame, digest);
  }
  schedule(from, to, std::move(frame), digest);
  return send_status::queued;
}

void sim_network::ban(sim_node_index receiver, const curve_public_key& sender, std::chrono::milliseconds duration) {
  nodes_[receiver].bans[sender] = now_ + static_cast<sim_time_ns>(duration.count()) * 1'000'000;
  if (auto i = curve_index_.find(sender); i != curve_index_.end() && bans_.size() < sim_bans_pending_max)
    bans_.push_back(sim_ban{receiver, i->second});
}

std::optional<sim_time_ns> sim_network::next_due() const {
  if (in_flight_.empty()) return std::nullopt;
  return in_flight_.top().due;
}

bool sim_network::blocked(const event& e) {
  const auto& from = nodes_[e.from];
  const auto& to = nodes_[e.to];
  if (!from.up || !to.up || to.incarnation != e.to_incarnation) return ++counters_.to_crashed, true;
  if (from.group != to.group) return ++counters_.partitioned, true;
  auto ban = to.bans.find(from.curve);
  if (ban != to.bans.end() && now_ < ban->second) return ++counters_.banned, true;
  return false;
}

std::size_t sim_network::deliver_due(sim_time_ns now) {
  now_ = now;
  std::size_t delivered = 0;
  while (!in_flight_.empty() && in_flight_.top().due <= now) {
    auto e = std::move(const_cast<event&>(in_flight_.top()));  // popped right after: moving out is safe
    in_flight_.pop();
    if (blocked(e)) continue;
    // due, (from << 32 | to) and the frame's digest (digest_of), each little-endian.
    std::array<byte, 24> entry;
    const auto route = (std::uint64_t{e.from} << 32) | e.to;
    for (std::size_t b = 0; b < 8; ++b) {
      entry[b] = static_cast<byte>(e.due >> (8 * b));
      entry[8 + b] = static_cast<byte>(route >> (8 * b));
      entry[16 + b] = static_cast<byte>(e.digest >> (8 * b));
    }
    trace_.update(entry);
    ++counters_.delivered;
    counters_.bytes_delivered += e.frame->size();
    ++delivered;
    caf::anon_send(nodes_[e.to].bus, bus_frame_atom_v, nodes_[e.from].curve, frame_buffer{std::move(e.frame)});
  }
  return delivered;
}

hash32 sim_network::trace_hash() const {
  auto copy = trace_;
  return copy.finish();
}

}  // namespace datdot

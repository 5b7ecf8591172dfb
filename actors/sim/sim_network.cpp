#include "actors/sim/sim_network.hpp"

#include <algorithm>
#include <stdexcept>
#define XXH_INLINE_ALL
#include <xxhash.h>
namespace datdot {

sim_network::sim_network(std::uint64_t seed, link_profile profile, std::uint32_t lanes)
    : random_(seed), default_profile_(profile), lookahead_(profile.latency_us_min * 1000) {
  if (lanes == 0) throw std::invalid_argument("a simulated network needs at least one lane");
  if (lanes > 1 && lookahead_ == 0)
    throw std::invalid_argument("a network run on several threads needs a least latency above 0");
  lanes_.resize(lanes);
  for (auto& l : lanes_) l.crossing.resize(lanes);
}

sim_node_index sim_network::add_node(const node_id& id, const curve_public_key& curve) {
  auto index = static_cast<sim_node_index>(nodes_.size());
  nodes_.push_back(node{id, curve, true, 0, 0, random_.split(index), 0, {}, {}});
  index_.emplace(id, index);
  curve_index_.emplace(curve, index);
  return index;
}

void sim_network::attach(sim_node_index n, bus_actor bus) { nodes_[n].bus = std::move(bus); }

void sim_network::set_link(sim_node_index from, sim_node_index to, link_profile profile) {
  const auto least = profile.latency_us_min * 1000;
  if (lanes() > 1 && least < lookahead_)
    throw std::invalid_argument("a network run on several threads keeps its least latency");
  lookahead_ = std::min(lookahead_, least);
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
  if (links_.empty()) return default_profile_;
  auto i = links_.find({from, to});
  return i == links_.end() ? default_profile_ : i->second;
}

void sim_network::schedule(sim_node_index from, sim_node_index to, std::shared_ptr<const bytes> frame,
                           std::uint64_t digest) {
  const auto& p = profile_of(from, to);
  auto& sender = nodes_[from];
  auto& l = lanes_[lane_of(from)];
  auto delay_us = sender.random.uniform(p.latency_us_min, p.latency_us_max);
  if (sender.random.chance_permille(p.reorder_permille)) delay_us += sender.random.uniform(0, p.reorder_delay_us_max);
  event e{order{l.now + delay_us * 1000, from, sender.sent++}, to, nodes_[to].incarnation, std::move(frame), digest};
  if (const auto target = lane_of(to); target == lane_of(from))
    l.in_flight.push(std::move(e));
  else
    l.crossing[target].push_back(std::move(e));
}

// A 64-bit digest of a frame's bytes for the trace. The bytes went through
// BLAKE2b once per delivery, a tenth of a large run's time; a 64-bit digest
// still tells two runs apart by any byte they deliver differently, and a
// frame gossiped to several peers is digested once (`digested` holds it, so
// its address cannot be reused by another frame meanwhile). Every node
// relays each block in a frame of its own, tens of kilobytes late in a
// hosting run: XXH3 reads them several times faster than std::hash did.
std::uint64_t sim_network::digest_of(lane& l, const std::shared_ptr<const bytes>& frame) {
  if (frame != l.digested) {
    l.digest = XXH3_64bits(frame->data(), frame->size());
    l.digested = frame;
  }
  return l.digest;
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
  auto& l = lanes_[lane_of(from)];
  // Each lane counts what it holds and sends: its share of the bound.
  auto held = l.in_flight.size();
  for (const auto& sent : l.crossing) held += sent.size();
  if (held + 2 > sim_in_flight_frames_max / lanes_.size()) {
    ++l.counters.queue_full;
    return send_status::queue_full;
  }
  const auto& p = profile_of(from, to);
  auto& random = nodes_[from].random;
  if (random.chance_permille(p.loss_permille)) {
    ++l.counters.lost;
    return send_status::queued;  // lost on the wire: the sender cannot tell
  }
  const auto digest = digest_of(l, frame);
  if (random.chance_permille(p.duplicate_permille)) {
    ++l.counters.duplicated;
    schedule(from, to, frame, digest);
  }
  schedule(from, to, std::move(frame), digest);
  return send_status::queued;
}

void sim_network::ban(sim_node_index receiver, const curve_public_key& sender, std::chrono::milliseconds duration) {
  auto& l = lanes_[lane_of(receiver)];
  nodes_[receiver].bans[sender] = l.now + static_cast<sim_time_ns>(duration.count()) * 1'000'000;
  if (auto i = curve_index_.find(sender); i != curve_index_.end() && l.bans.size() < sim_bans_pending_max)
    l.bans.push_back(sim_ban{receiver, i->second, l.now});
}

std::optional<sim_time_ns> sim_network::next_due(std::uint32_t lane) const {
  const auto& l = lanes_[lane];
  if (l.in_flight.empty()) return std::nullopt;
  return l.in_flight.top().key.due;
}

bool sim_network::blocked(lane& l, const event& e) {
  const auto& from = nodes_[e.key.from];
  const auto& to = nodes_[e.to];
  if (!from.up || !to.up || to.incarnation != e.to_incarnation) return ++l.counters.to_crashed, true;
  if (from.group != to.group) return ++l.counters.partitioned, true;
  auto ban = to.bans.find(from.curve);
  if (ban != to.bans.end() && l.now < ban->second) return ++l.counters.banned, true;
  return false;
}

std::size_t sim_network::deliver_due(std::uint32_t lane, sim_time_ns now) {
  auto& l = lanes_[lane];
  l.now = now;
  std::size_t delivered = 0;
  while (!l.in_flight.empty() && l.in_flight.top().key.due <= now) {
    auto e = std::move(const_cast<event&>(l.in_flight.top()));  // popped right after: moving out is safe
    l.in_flight.pop();
    if (blocked(l, e)) continue;
    l.delivered.push_back(delivery{e.key, e.to, e.digest});
    ++l.counters.delivered;
    l.counters.bytes_delivered += e.frame->size();
    ++delivered;
    caf::anon_send(nodes_[e.to].bus, bus_frame_atom_v, nodes_[e.key.from].curve, frame_buffer{std::move(e.frame)});
  }
  return delivered;
}

// due, (from << 32 | to) and the frame's digest (digest_of), each little-endian.
void sim_network::trace(const delivery& d) {
  std::array<byte, 24> entry;
  const auto route = (std::uint64_t{d.key.from} << 32) | d.to;
  for (std::size_t b = 0; b < 8; ++b) {
    entry[b] = static_cast<byte>(d.key.due >> (8 * b));
    entry[8 + b] = static_cast<byte>(route >> (8 * b));
    entry[16 + b] = static_cast<byte>(d.digest >> (8 * b));
  }
  trace_.update(entry);
}

void sim_network::settle() {
  for (auto& from : lanes_) {
    for (std::size_t to = 0; to < lanes_.size(); ++to) {
      for (auto& e : from.crossing[to]) lanes_[to].in_flight.push(std::move(e));
      from.crossing[to].clear();
    }
  }
  // Each lane delivered in order: merging the lanes gives the order of one.
  std::vector<std::size_t> next(lanes_.size(), 0);
  const auto head = [&](std::size_t i) { return &lanes_[i].delivered[next[i]]; };
  for (;;) {
    std::optional<std::size_t> earliest;
    for (std::size_t i = 0; i < lanes_.size(); ++i)
      if (next[i] < lanes_[i].delivered.size() && (!earliest || head(i)->key < head(*earliest)->key)) earliest = i;
    if (!earliest) break;
    trace(*head(*earliest));
    ++next[*earliest];
  }
  // Bans in the order they were made, those of one moment by receiver.
  const auto before = bans_.size();
  for (auto& l : lanes_) {
    for (const auto& b : l.bans)
      if (bans_.size() < sim_bans_pending_max) bans_.push_back(b);
    l.bans.clear();
    l.delivered.clear();
  }
  const auto first_new = bans_.begin() + static_cast<std::ptrdiff_t>(before);
  std::stable_sort(first_new, bans_.end(), [](const sim_ban& a, const sim_ban& b) {
    return std::tie(a.at, a.receiver) < std::tie(b.at, b.receiver);
  });
}

sim_network_counters sim_network::counters() const {
  sim_network_counters sum;
  for (const auto& l : lanes_) {
    const auto& c = l.counters;
    sum.delivered += c.delivered;
    sum.bytes_delivered += c.bytes_delivered;
    sum.lost += c.lost;
    sum.duplicated += c.duplicated;
    sum.partitioned += c.partitioned;
    sum.to_crashed += c.to_crashed;
    sum.banned += c.banned;
    sum.queue_full += c.queue_full;
  }
  return sum;
}

hash32 sim_network::trace_hash() const {
  auto copy = trace_;
  return copy.finish();
}

}  // namespace datdot

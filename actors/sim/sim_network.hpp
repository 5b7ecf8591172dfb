// The simulated wire: frames between simulated nodes become timed events with
// latency, loss, duplication, reordering, partitions and crashes drawn from one
// seed (per-sender streams). Delivery hands the frame to the receiving node's
// bus actor exactly as the ZeroMQ I/O thread would, and appends it (when,
// between whom, and a digest of its bytes) to the trace whose BLAKE2b hash
// identifies the run.
//
// The nodes are dealt to lanes (node i to lane i % lanes), which
// sim_cluster runs on threads of their own. A lane delivers only to its own
// nodes; a frame for another lane waits until settle(), which the cluster
// calls between time windows shorter than the least latency, so it always
// arrives in a later window than it left. Frames are delivered in the order
// (due time, sender, the sender's count of frames), which depends on no
// lane, and settle() adds each window's deliveries to the trace in that
// order: any number of lanes gives the same trace.
#pragma once

#include <compare>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <unordered_map>
#include <utility>
#include <vector>

#include "actors/bus_actor.hpp"
#include "actors/deterministic_random.hpp"
#include "crypto/blake2b.hpp"

namespace datdot {

using sim_time_ns = std::uint64_t;
using sim_node_index = std::uint32_t;

struct link_profile {
  std::uint64_t latency_us_min = 200;
  std::uint64_t latency_us_max = 2'000;
  std::uint32_t loss_permille = 0;
  std::uint32_t duplicate_permille = 0;
  std::uint32_t reorder_permille = 0;  // frames held back by an extra random delay
  std::uint64_t reorder_delay_us_max = 5'000;
};

struct sim_network_counters {
  std::uint64_t delivered = 0;
  std::uint64_t bytes_delivered = 0;  // the delivered frames' bytes: what the run moved over the wire
  std::uint64_t lost = 0;
  std::uint64_t duplicated = 0;
  std::uint64_t partitioned = 0;   // dropped at a partition boundary
  std::uint64_t to_crashed = 0;    // dropped because an end was down
  std::uint64_t banned = 0;        // dropped because the receiver banned the sender
  std::uint64_t queue_full = 0;
};

// A bus banned a peer: who banned whom, as the adversary checker reads it.
struct sim_ban {
  sim_node_index receiver;
  sim_node_index sender;
  sim_time_ns at = 0;
};

inline constexpr std::size_t sim_in_flight_frames_max = 4'000'000;
// Bans kept until take_bans: the scenario driver takes them every slot; a
// cluster run without it keeps the first ones only.
inline constexpr std::size_t sim_bans_pending_max = 1'000'000;

class sim_network {
 public:
  // Fails (std::invalid_argument) with several lanes and links of no least
  // latency: no window would be short enough.
  sim_network(std::uint64_t seed, link_profile profile, std::uint32_t lanes = 1);

  sim_node_index add_node(const node_id& id, const curve_public_key& curve);
  void attach(sim_node_index node, bus_actor bus);  // (re)binds the node's receiving bus
  // With several lanes, a link may not be faster than the default (std::invalid_argument).
  void set_link(sim_node_index from, sim_node_index to, link_profile profile);

  std::uint32_t lanes() const noexcept { return static_cast<std::uint32_t>(lanes_.size()); }
  std::uint32_t lane_of(sim_node_index node) const noexcept { return node % lanes(); }
  // The least latency of any link: a frame sent at t is due at t + lookahead() or later.
  sim_time_ns lookahead() const noexcept { return lookahead_; }

  // group[i] is node i's side; frames between different sides are dropped. heal() joins all.
  void partition(std::vector<std::uint32_t> group);
  void heal();
  // A crashed node receives nothing and its in-flight frames are lost.
  void crash(sim_node_index node);
  void restart(sim_node_index node, bus_actor bus);
  bool is_up(sim_node_index node) const { return nodes_[node].up; }

  std::optional<node_id> identity_of(const curve_public_key& curve) const;
  send_status submit(sim_node_index from, const node_id& to, bytes frame);
  send_status submit(sim_node_index from, const node_id& to, std::shared_ptr<const bytes> frame);
  send_status submit(sim_node_index from, const curve_public_key& to, bytes frame);
  void ban(sim_node_index receiver, const curve_public_key& sender, std::chrono::milliseconds duration);
  // The bans since the last call, in the order they were made (those of one moment by receiver).
  std::vector<sim_ban> take_bans() { return std::exchange(bans_, {}); }

  // The earliest frame due in the lane. Each lane's calls come from one
  // thread at a time; the calls without a lane, and settle(), only while no lane runs.
  std::optional<sim_time_ns> next_due(std::uint32_t lane) const;
  // Delivers every frame of the lane due at or before `now`, in order.
  std::size_t deliver_due(std::uint32_t lane, sim_time_ns now);
  // Between windows: frames go to their receivers' lanes, and the deliveries
  // since the last settle into the trace.
  void settle();
  sim_time_ns now() const noexcept { return lanes_.front().now; }

  hash32 trace_hash() const;  // over the ordered delivery log up to the last settle()
  sim_network_counters counters() const;
  std::size_t size() const noexcept { return nodes_.size(); }

 private:
  // Other lanes read a node's first part during a window; only its own lane
  // writes the rest, kept on cache lines of its own.
  struct alignas(64) node {
    node_id id;
    curve_public_key curve;
    bool up = true;
    std::uint64_t incarnation = 0;  // bumped by crash: frames sent to an earlier life are lost
    std::uint32_t group = 0;
    alignas(64) deterministic_random random;
    std::uint64_t sent = 0;  // frames scheduled from this node: their order among its frames
    bus_actor bus;
    std::map<curve_public_key, sim_time_ns> bans;  // sender -> banned until
  };
  // The delivery order, the same with any number of lanes.
  struct order {
    sim_time_ns due;
    sim_node_index from;
    std::uint64_t serial;  // the sender's `sent` when it was scheduled
    auto operator<=>(const order&) const = default;
  };
  struct event {
    order key;
    sim_node_index to;
    std::uint64_t to_incarnation;
    std::shared_ptr<const bytes> frame;
    std::uint64_t digest;  // of the frame's bytes, for the trace
    bool operator>(const event& other) const { return key > other.key; }
  };
  struct delivery {
    order key;
    sim_node_index to;
    std::uint64_t digest;
  };
  // What one lane's thread touches while it runs.
  struct alignas(64) lane {
    std::priority_queue<event, std::vector<event>, std::greater<>> in_flight;  // to the lane's nodes
    std::vector<std::vector<event>> crossing;  // by receiving lane: sent since the last settle
    std::vector<delivery> delivered;  // since the last settle, in order
    std::vector<sim_ban> bans;        // since the last settle
    sim_time_ns now = 0;
    sim_network_counters counters;
    // The last frame digested: gossip sends one shared frame to several peers in a row.
    std::shared_ptr<const bytes> digested;
    std::uint64_t digest = 0;
  };
  const link_profile& profile_of(sim_node_index from, sim_node_index to) const;
  void schedule(sim_node_index from, sim_node_index to, std::shared_ptr<const bytes> frame, std::uint64_t digest);
  static std::uint64_t digest_of(lane& l, const std::shared_ptr<const bytes>& frame);
  bool blocked(lane& l, const event& e);
  void trace(const delivery& d);
  send_status submit_to(sim_node_index from, sim_node_index to, std::shared_ptr<const bytes> frame);

  deterministic_random random_;
  link_profile default_profile_;
  sim_time_ns lookahead_;
  std::map<std::pair<sim_node_index, sim_node_index>, link_profile> links_;
  std::vector<node> nodes_;
  std::vector<lane> lanes_;

  std::unordered_map<node_id, sim_node_index> index_;
  std::unordered_map<curve_public_key, sim_node_index> curve_index_;
  blake2b_stream trace_;
  std::vector<sim_ban> bans_;  // at most sim_bans_pending_max
};

// One node's view of the network, as the bus sees any transport.
class sim_transport final : public bus_transport {
 public:
  sim_transport(sim_network& network, sim_node_index self) : network_(network), self_(self) {}
  void connect(const peer_info&) override {}  // routing is by node id
  send_status send(const node_id& to, bytes frame) override { return network_.submit(self_, to, std::move(frame)); }
  send_status send_shared(const node_id& to, const std::shared_ptr<const bytes>& frame) override {
    return network_.submit(self_, to, frame);
  }
  send_status reply(const curve_public_key& connection, bytes frame) override {
    return network_.submit(self_, connection, std::move(frame));
  }
  void ban(const curve_public_key& peer, std::chrono::milliseconds duration) override {
    network_.ban(self_, peer, duration);
  }
  transport_counters counters() const override { return {}; }
  void frame_consumed(std::size_t) override {}  // the simulated network holds frames in its own bounded queue
  std::optional<node_id> identity_of(const curve_public_key& curve) const override {
    return network_.identity_of(curve);
  }

 private:
  sim_network& network_;
  sim_node_index self_;
};

}  // namespace datdot

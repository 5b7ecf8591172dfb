#include "actors/sim/sim_cluster.hpp"

#include "crypto/keys.hpp"

namespace datdot {
namespace {

// Seeds for identities come from their own stream so that changing link
// randomness never changes who the nodes are.
constexpr std::uint64_t identity_stream = 0x6964656e74697479ull;  // "identity"

caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
  cfg.set("logger.console-verbosity", caf::atom("quiet"));
  return cfg;
}

}  // namespace

sim_cluster::sim_cluster(sim_cluster_config config)
    : config_(std::move(config)),
      system_(std::make_unique<caf::actor_system>(testing_config(system_config_))),
      scheduler_(&dynamic_cast<caf::scheduler::test_coordinator&>(system_->scheduler())),
      start_time_(scheduler_->clock().current_time),
      network_(config_.seed, config_.links) {
  deterministic_random identities{config_.seed ^ identity_stream};
  nodes_.resize(config_.nodes);
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    key_seed seed{};
    for (std::size_t w = 0; w < seed.size(); w += 8) {
      auto x = identities.next();
      for (std::size_t b = 0; b < 8; ++b) seed[w + b] = static_cast<byte>(x >> (8 * b));
    }
    auto& n = nodes_[i];
    n.keys = key_pair_from_seed(seed);
    n.id = node_id{n.keys.pk};
    n.curve = curve_public_key{to_curve(n.keys)->pk};
    network_.add_node(n.id, n.curve);
  }
  for (std::size_t i = 0; i < nodes_.size(); ++i) start(static_cast<sim_node_index>(i));
}

sim_cluster::~sim_cluster() {
  for (auto& n : nodes_) {
    caf::anon_send_exit(n.node, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(n.bus, caf::exit_reason::user_shutdown);
  }
  scheduler_->run();
}

void sim_cluster::start(sim_node_index i) {
  auto& n = nodes_[i];
  bus_config bus{n.id, frame_limits{}, std::make_shared<sim_transport>(network_, i), {}};
  n.bus = spawn_bus(*system_, std::move(bus));
  network_.attach(i, n.bus);
  node_config cfg;
  cfg.self = peer_info{n.id, {}, bus_protocol_version, "sim://" + std::to_string(i)};
  if (i != 0) cfg.bootstrap.push_back(peer_address{nodes_[0].id, "sim://0"});
  cfg.ping_interval = config_.ping_interval;
  cfg.request_timeout = config_.request_timeout;
  auto* counters = &n.counters;
  cfg.on_event = [counters](const node_event& e) {
    switch (e.what) {
      case node_event::kind::peer_joined: ++counters->peers_joined; break;
      case node_event::kind::pong:
        ++counters->pongs;
        counters->rtt_max = std::max(counters->rtt_max, e.rtt);
        break;
      case node_event::kind::ping_failed: ++counters->ping_failures; break;
    }
  };
  n.node = spawn_node_actor(*system_, n.bus, std::move(cfg));
}

sim_time_ns sim_cluster::now() const {
  return static_cast<sim_time_ns>((scheduler_->clock().current_time - start_time_).count());
}

void sim_cluster::advance_to(sim_time_ns t) {
  auto current = now();
  scheduler_->clock().advance_time(caf::timespan{static_cast<std::int64_t>(t > current ? t - current : 0)});
  network_.deliver_due(t);
}

void sim_cluster::run_for(caf::timespan duration) {
  auto end = now() + static_cast<sim_time_ns>(duration.count());
  for (;;) {
    scheduler_->run();
    std::optional<sim_time_ns> next = network_.next_due();
    const auto& timers = scheduler_->clock().schedule();
    if (!timers.empty()) {
      auto due = static_cast<sim_time_ns>(std::max<std::int64_t>(0, (timers.begin()->first - start_time_).count()));
      next = next ? std::min(*next, due) : due;
    }
    if (!next || *next > end) break;
    advance_to(*next);
  }
  advance_to(end);
  scheduler_->run();
}

void sim_cluster::crash(sim_node_index i) {
  auto& n = nodes_[i];
  caf::anon_send_exit(n.node, caf::exit_reason::kill);
  caf::anon_send_exit(n.bus, caf::exit_reason::kill);
  network_.crash(i);
  scheduler_->run();
}

void sim_cluster::restart(sim_node_index i) {
  network_.restart(i, {});
  start(i);
}

bus_metrics sim_cluster::metrics(sim_node_index i) {
  auto out = std::make_shared<bus_metrics>();
  system_->spawn([bus = nodes_[i].bus, out](caf::event_based_actor* self) {
    self->request(bus, std::chrono::seconds{1}, bus_metrics_atom_v)
        .then([out](bus_metrics& m) { *out = std::move(m); }, [](caf::error&) {});
  });
  scheduler_->run();
  return *out;
}

}  // namespace datdot

#include "actors/sim/sim_cluster.hpp"

#include <mutex>
#include <stdexcept>

#include "actors/sim/open_files.hpp"

#include "actors/roles/attester_actor.hpp"
#include "actors/roles/data_inbox.hpp"
#include "actors/roles/encoder_actor.hpp"
#include "actors/roles/hoster_actor.hpp"
#include "actors/roles/registrar_actor.hpp"
#include "actors/deterministic_random.hpp"
#include "crypto/keys.hpp"
#include "crypto/rabin_williams.hpp"
#include "protocol/chain/genesis.hpp"

namespace datdot {
namespace {

// Seeds for identities come from their own stream so that changing link
// randomness never changes who the nodes are.
constexpr std::uint64_t identity_stream = 0x6964656e74697479ull;  // "identity"
// What the role actors draw in private (the attester's block picks).
constexpr std::uint64_t role_stream = 0x726f6c6573ull;  // "roles"

// Validators are the first nodes; every node gets an account, so a scenario
// can make calls from any of them.
chain_result<genesis> genesis_of(const sim_chain_config& chain, const std::vector<key_pair>& keys) {
  genesis_config gc;
  gc.params.slot_duration_ms = chain.slot_duration_ms;
  gc.params.replicas_per_feed = chain.replicas_per_feed;
  gc.params.challenge_period_slots = chain.challenge_period_slots;
  gc.params.challenge_deadline_blocks = chain.challenge_deadline_blocks;
  gc.params.reshuffle_period_slots = chain.reshuffle_period_slots;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i < chain.validators) gc.validators.push_back(account_id{keys[i].pk});
    gc.accounts.emplace_back(account_id{keys[i].pk}, ratio{sim_account_ratio_units});
  }
  return make_genesis(gc);
}

}  // namespace

sim_cluster::lane::lane() {
  config.set("scheduler.policy", caf::atom("testing"));
  config.set("logger.file-verbosity", caf::atom("quiet"));
  config.set("logger.console-verbosity", caf::atom("quiet"));
  system = std::make_unique<caf::actor_system>(config);
  scheduler = &dynamic_cast<caf::scheduler::test_coordinator&>(system->scheduler());
  start_time = scheduler->clock().current_time;
}

sim_cluster::sim_cluster(sim_cluster_config config) : sim_cluster(std::move(config), std::nullopt) {}

result<std::unique_ptr<sim_cluster>> sim_cluster::with_chain(sim_cluster_config config, sim_chain_config chain) {
  if (chain.validators == 0 || chain.validators > config.nodes)
    return make_error(errc::invalid_argument, "validators must be between 1 and the number of nodes (" +
                                                  std::to_string(config.nodes) + ")");
  if (auto room = make_room_for_stores(config.nodes); !room) return room.err();
  chain_setup setup{std::move(chain), {}, nullptr, {}, nullptr};
  if (config.threads > 1 && setup.config.log) {
    // The lanes' actors log from their own threads.
    auto lock = std::make_shared<std::mutex>();
    setup.config.log = [log = std::move(setup.config.log), lock](const std::string& line) {
      std::lock_guard guard{*lock};
      log(line);
    };
  }
  if (setup.config.store_dir.empty()) {
    setup.scratch = std::make_unique<scratch_dir>("datdot-sim");
    setup.root = setup.scratch->path();
    setup.shared = std::make_shared<storage::shared_values>();
  } else {
    setup.root = setup.config.store_dir;
  }
  std::unique_ptr<sim_cluster> c{new sim_cluster(std::move(config), std::move(setup))};
  std::vector<key_pair> keys;
  for (const auto& n : c->nodes_) keys.push_back(n.keys);
  auto g = genesis_of(c->chain_->config, keys);
  if (!g) return make_error(errc::invalid_argument, "simulated genesis: " + g.err().detail);
  c->chain_->g = std::make_shared<const genesis>(std::move(*g));
  for (sim_node_index i = 0; i < c->nodes_.size(); ++i)
    if (c->is_up(i))
      if (auto ok = c->start_chain(i); !ok) return ok.err();
  return c;
}

sim_cluster::sim_cluster(sim_cluster_config config, std::optional<chain_setup> chain)
    : config_(std::move(config)),
      chain_(std::move(chain)),
      lanes_([threads = std::max(config_.threads, 1u)] {
        std::vector<std::unique_ptr<lane>> out;
        for (std::uint32_t i = 0; i < threads; ++i) out.push_back(std::make_unique<lane>());
        return out;
      }()),
      network_(config_.seed, config_.links, static_cast<std::uint32_t>(lanes_.size())),
      workers_(std::max(config_.threads, 1u)) {
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
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const auto node = static_cast<sim_node_index>(i);
    if (config_.start_down.contains(node))
      network_.crash(node);
    else
      start(node);
  }
}

sim_cluster::~sim_cluster() {
  for (auto& n : nodes_) {
    for (auto& r : n.roles) caf::anon_send_exit(r, caf::exit_reason::user_shutdown);
    if (n.watcher) caf::anon_send_exit(n.watcher, caf::exit_reason::user_shutdown);
    if (n.chain) caf::anon_send_exit(n.chain, caf::exit_reason::user_shutdown);
    if (n.node) caf::anon_send_exit(n.node, caf::exit_reason::user_shutdown);
    if (n.bus) caf::anon_send_exit(n.bus, caf::exit_reason::user_shutdown);
  }
  run_scheduler();
}

void sim_cluster::run_scheduler() {
  for (auto& l : lanes_) l->events += l->scheduler->run();
  settle();
}

void sim_cluster::settle() {
  network_.settle();
  for (auto& l : lanes_)
    for (auto& answer : std::exchange(l->answers, {})) answer();
}

std::uint64_t sim_cluster::events() const noexcept {
  std::uint64_t sum = 0;
  for (const auto& l : lanes_) sum += l->events;
  return sum;
}

caf::actor_system& sim_cluster::system() {
  if (lanes_.size() > 1) throw std::logic_error("sim_cluster::system() is for a cluster on one thread");
  return *lanes_.front()->system;
}

void sim_cluster::start(sim_node_index i) {
  auto& n = nodes_[i];
  std::shared_ptr<bus_transport> transport = std::make_shared<sim_transport>(network_, i);
  if (config_.wrap_transport) transport = config_.wrap_transport(i, std::move(transport));
  bus_config bus{n.id, frame_limits{}, std::move(transport), {}};
  n.bus = spawn_bus(system_of(i), std::move(bus));
  network_.attach(i, n.bus);
  node_config cfg;
  role_set roles;
  // The validator role is what makes a node a chain node: chain gossip goes to that group.
  if (chain_) roles.add(role::validator);
  if (const auto* service = roles_of(i))
    for (auto r : service->roles.members()) roles.add(r);
  cfg.self = peer_info{n.id, roles, bus_protocol_version, "sim://" + std::to_string(i)};
  // Everyone joins through node 0, and node 0 through node 1: a restarted
  // node 0 must find its peers again like any other. Validators also know
  // each other from the start, as their operators would configure them:
  // votes go from voter to voter, and node 0's table fills with followers.
  const sim_node_index via = i == 0 ? 1 : 0;
  if (via < nodes_.size() && via != i)
    cfg.bootstrap.push_back(peer_address{nodes_[via].id, "sim://" + std::to_string(via)});
  if (chain_ && i < chain_->config.validators)
    for (sim_node_index v = 0; v < chain_->config.validators; ++v)
      if (v != i && v != via) cfg.bootstrap.push_back(peer_address{nodes_[v].id, "sim://" + std::to_string(v)});
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
  n.node = spawn_node_actor(system_of(i), n.bus, std::move(cfg));
}

result<void> sim_cluster::start_chain(sim_node_index i) {
  auto& n = nodes_[i];
  const auto& c = chain_->config;
  storage::env_options options{chain_->root / ("node-" + std::to_string(i)), c.store_map_bytes};
  options.durable = false;  // the simulated crash kills actors, not the machine: no fsync needed
  options.one_descriptor = true;  // one thread runs every node (caf::test_coordinator)
  auto env = storage::environment::open(options);
  if (!env) return make_error(env.err().code, "node " + std::to_string(i) + ": " + env.err().message);
  n.env = std::make_unique<storage::environment>(std::move(*env));
  auto store = storage::chain_store::open(*n.env, chain_->shared);
  if (!store) return make_error(store.err().code, "node " + std::to_string(i) + ": " + store.err().message);
  n.store = *store;
  log_fn log;
  if (c.log) log = [log = c.log, i](const std::string& line) { log("node " + std::to_string(i) + ": " + line); };
  const auto lane = network_.lane_of(i);
  validator_config vc{chain_->g, n.keys, *store, [this, lane] { return chain_wall_ms(lane); },
                      frame_limits{}.frame_bytes_max, std::nullopt, std::move(log)};
  vc.snapshot_every_blocks = c.snapshot_every_blocks;
  auto actor = spawn_validator_actor(system_of(i), n.bus, std::move(vc));
  if (!actor) return make_error(actor.err().code, "node " + std::to_string(i) + ": " + actor.err().message);
  n.chain = std::move(*actor);
  auto* finalized = &n.finalized;
  auto watcher = system_of(i).spawn([finalized](chain_watcher::pointer) -> chain_watcher::behavior_type {
    return {[finalized](chain_final_atom, const finalized_view& view) { *finalized = view.state; }};
  });
  caf::anon_send(n.chain, chain_watch_atom_v, watcher);
  n.watcher = caf::actor_cast<caf::actor>(watcher);
  if (auto ok = start_roles(i); !ok) return ok;
  run_scheduler();
  return {};
}

const sim_node_roles* sim_cluster::roles_of(sim_node_index i) const {
  if (!chain_ || i >= chain_->config.roles.size() || chain_->config.roles[i].roles.empty()) return nullptr;
  return &chain_->config.roles[i];
}

// The roles as `datdot node` runs them, on the virtual clock and the run's
// seed, all on the one scheduler. The attester reads through the node's own
// bus: the simulated network has no spare identities for it to hide behind.
result<void> sim_cluster::start_roles(sim_node_index i) {
  const auto* service = roles_of(i);
  auto& n = nodes_[i];
  if (!service || n.left) return {};
  const auto& c = chain_->config;
  role_context ctx{n.keys, n.bus, n.chain, {}};
  if (c.log) ctx.log = [log = c.log, i](const std::string& line) { log("node " + std::to_string(i) + ": " + line); };
  ctx.clock = [this, lane = network_.lane_of(i)] { return std::chrono::nanoseconds{now(lane)}; };
  auto random = std::make_shared<deterministic_random>(deterministic_random{config_.seed ^ role_stream}.split(i));
  ctx.uniform = [random](std::uint32_t bound) { return static_cast<std::uint32_t>(random->uniform(0, bound - 1)); };
  ctx.own_thread = false;
  const auto& roles = service->roles;
  data_roles serving;
  if (roles.contains(role::publisher)) {
    n.publisher = spawn_publisher(system_of(i), ctx, chain_->root / ("node-" + std::to_string(i)) / "feeds");
    serving.publisher = caf::actor_cast<data_handler>(*n.publisher);
    n.roles.push_back(caf::actor_cast<caf::actor>(*n.publisher));
  }
  if (roles.contains(role::hoster)) {
    auto hoster = spawn_hoster(system_of(i), ctx, *n.env, nullptr, service->hosting);
    if (!hoster) return make_error(hoster.err().code, "node " + std::to_string(i) + ": " + hoster.err().message);
    serving.hoster = caf::actor_cast<data_handler>(*hoster);
    n.roles.push_back(caf::actor_cast<caf::actor>(*hoster));
    auto replicas = storage::replica_store::open(*n.env);
    if (!replicas) return make_error(replicas.err().code, "node " + std::to_string(i) + ": " + replicas.err().message);
    n.replicas = *replicas;
    if (c.replica_stores) c.replica_stores->add(n.id, &*n.replicas);
  }
  // The key an encoder seals with and registers.
  std::shared_ptr<const sealer> sealing;
  if (roles.contains(role::encoder)) {
    sealing = sealer_of(i);
    n.roles.push_back(caf::actor_cast<caf::actor>(spawn_encoder(system_of(i), ctx, sealing, service->encoding)));
  }
  if (roles.contains(role::attester))
    n.roles.push_back(caf::actor_cast<caf::actor>(spawn_attester(system_of(i), ctx, n.id, service->attesting)));
  n.roles.push_back(caf::actor_cast<caf::actor>(spawn_data_inbox(system_of(i), n.bus, serving, ctx.log)));
  register_node wanted{roles, service->capacity_bytes, "sim://" + std::to_string(i)};
  wanted.roles.add(role::validator);
  if (sealing) wanted.seal_key = sealing->public_part().public_key_bytes();
  n.roles.push_back(caf::actor_cast<caf::actor>(spawn_registrar(system_of(i), ctx, std::move(wanted))));
  return {};
}

std::shared_ptr<const sealer> sim_cluster::sealer_of(sim_node_index i) {
  auto& n = nodes_[i];
  if (!n.sealing) {
    n.sealing = rabin_williams::of_node(n.keys);
    if (config_.wrap_sealer) n.sealing = config_.wrap_sealer(i, std::move(n.sealing));
  }
  return n.sealing;
}

std::uint64_t sim_cluster::sealed_bytes_stored() const {
  std::uint64_t total = 0;
  for (const auto& n : nodes_)
    if (n.replicas)
      if (auto bytes = n.replicas->sealed_bytes()) total += *bytes;
  return total;
}

// The answer waits in the lane for the main thread (settle).
template <class Atom, class Request>
bool sim_cluster::ask_publisher(sim_node_index i, Request req, std::function<void(result<publish_answer>)> done) {
  const auto& publisher = nodes_[i].publisher;
  if (!publisher) return false;
  auto* answers = &lane_of(i).answers;
  auto answer = [answers, done = std::move(done)](result<publish_answer> a) {
    answers->push_back([done, a = std::move(a)] { done(a); });
  };
  system_of(i).spawn([publisher = *publisher, req = std::move(req), answer](caf::event_based_actor* self) {
    self->request(publisher, std::chrono::seconds{30}, Atom{}, req)
        .then([answer](publish_answer& a) { answer(std::move(a)); },
              [answer](caf::error& e) { answer(make_error(errc::io_error, "publisher: " + caf::to_string(e))); });
  });
  return true;
}

bool sim_cluster::publish(sim_node_index i, publish_request req, std::function<void(result<publish_answer>)> done) {
  return ask_publisher<publish_atom>(i, std::move(req), std::move(done));
}

bool sim_cluster::append(sim_node_index i, append_request req, std::function<void(result<publish_answer>)> done) {
  return ask_publisher<append_atom>(i, std::move(req), std::move(done));
}

std::uint64_t sim_cluster::chain_wall_ms(std::uint32_t lane) const {
  // Slot 1 starts when the run does; the genesis slot is 0.
  return chain_->config.slot_duration_ms + now(lane) / 1'000'000;
}

const storage::chain_store* sim_cluster::chain_store_of(sim_node_index i) const {
  const auto& store = nodes_[i].store;
  return store ? &*store : nullptr;
}

sim_time_ns sim_cluster::now() const { return now(0); }

sim_time_ns sim_cluster::now(std::uint32_t lane) const {
  const auto& l = *lanes_[lane];
  return static_cast<sim_time_ns>((l.scheduler->clock().current_time - l.start_time).count());
}

std::optional<sim_time_ns> sim_cluster::next_event(std::uint32_t lane) const {
  const auto& l = *lanes_[lane];
  if (l.scheduler->has_job()) return now(lane);
  std::optional<sim_time_ns> next = network_.next_due(lane);
  const auto& timers = l.scheduler->clock().schedule();
  if (!timers.empty()) {
    auto due = static_cast<sim_time_ns>(std::max<std::int64_t>(0, (timers.begin()->first - l.start_time).count()));
    next = next ? std::min(*next, due) : due;
  }
  return next;
}

void sim_cluster::advance_to(std::uint32_t lane, sim_time_ns t) {
  auto current = now(lane);
  const auto step = static_cast<std::int64_t>(t > current ? t - current : 0);
  lanes_[lane]->scheduler->clock().advance_time(caf::timespan{step});
  network_.deliver_due(lane, t);
}

void sim_cluster::run_lane_until(std::uint32_t lane, sim_time_ns limit) {
  auto& l = *lanes_[lane];
  for (;;) {
    l.events += l.scheduler->run();
    const auto next = next_event(lane);
    if (!next || *next >= limit) return;
    advance_to(lane, *next);
  }
}

// Windows no longer than the least latency: what a lane sends in one
// arrives in a later one, so the lanes of a window need nothing from each other.
void sim_cluster::run_for(caf::timespan duration) {
  const auto end = now() + static_cast<sim_time_ns>(duration.count());
  const auto window = lanes_.size() > 1 ? network_.lookahead() : end + 1;
  sim_time_ns limit = 0;
  const std::function<void(std::uint32_t)> run = [&](std::uint32_t lane) { run_lane_until(lane, limit); };
  for (;;) {
    std::optional<sim_time_ns> next;
    for (std::uint32_t l = 0; l < lanes_.size(); ++l)
      if (const auto due = next_event(l); due && (!next || *due < *next)) next = due;
    if (!next || *next > end) break;
    limit = std::min(*next + window, end + 1);
    workers_.run(run);
    settle();
  }
  for (std::uint32_t l = 0; l < lanes_.size(); ++l) advance_to(l, end);
  run_scheduler();
}

void sim_cluster::leave(sim_node_index i) {
  auto& n = nodes_[i];
  n.left = true;
  stop_roles(i);
  if (n.chain) caf::anon_send(n.chain, chain_submit_atom_v, call{unregister_node{}});
  run_scheduler();
}

void sim_cluster::stop_roles(sim_node_index i) {
  auto& n = nodes_[i];
  for (auto& r : n.roles) caf::anon_send_exit(r, caf::exit_reason::kill);
  n.roles.clear();
  n.publisher.reset();
  if (n.replicas && chain_ && chain_->config.replica_stores) chain_->config.replica_stores->remove(n.id);
  n.replicas.reset();
}

void sim_cluster::crash(sim_node_index i) {
  auto& n = nodes_[i];
  stop_roles(i);
  if (n.watcher) caf::anon_send_exit(n.watcher, caf::exit_reason::kill);
  if (n.chain) caf::anon_send_exit(n.chain, caf::exit_reason::kill);
  caf::anon_send_exit(n.node, caf::exit_reason::kill);
  caf::anon_send_exit(n.bus, caf::exit_reason::kill);
  network_.crash(i);
  run_scheduler();
  n.chain = nullptr;
  n.watcher = nullptr;
  n.finalized.reset();
  n.store.reset();
  n.env.reset();
}

result<void> sim_cluster::restart(sim_node_index i) {
  network_.restart(i, {});
  start(i);
  return chain_ ? start_chain(i) : result<void>{};
}

bus_metrics sim_cluster::metrics(sim_node_index i) {
  auto out = std::make_shared<bus_metrics>();
  system_of(i).spawn([bus = nodes_[i].bus, out](caf::event_based_actor* self) {
    self->request(bus, std::chrono::seconds{1}, bus_metrics_atom_v)
        .then([out](bus_metrics& m) { *out = std::move(m); }, [](caf::error&) {});
  });
  run_scheduler();
  return *out;
}

}  // namespace datdot

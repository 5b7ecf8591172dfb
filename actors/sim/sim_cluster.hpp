// A whole simulated network in one process: N nodes, each a real bus actor and
// node actor over the simulated network, and optionally the real chain actor
// with its own LMDB store, run by CAF's deterministic test scheduler in
// virtual time. Identities, genesis, links and faults all come from one seed;
// the scenario driver of `datdot sim` and the tests both use it.
//
// With `threads` above 1 the nodes are dealt to that many lanes
// (sim_network.hpp), each with its own actor system and scheduler, run at
// once window by window, each on a thread of its own
// (actors/sim/lane_workers.hpp). A node's actors talk only to each other and
// to the network, and every lane sees the same frames in the same order, so
// the run is the same as on one thread: the same events, trace and state.

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include <caf/scheduler/test_coordinator.hpp>

#include "actors/chain/validator_actor.hpp"
#include "actors/node_actor.hpp"
#include "actors/roles/attester_conduct.hpp"
#include "actors/roles/encoder_conduct.hpp"
#include "actors/roles/hoster_conduct.hpp"
#include "actors/roles/publisher_actor.hpp"
#include "actors/sim/lane_workers.hpp"
#include "actors/sim/scratch_dir.hpp"
#include "actors/sim/sim_network.hpp"
#include "actors/sim/sim_replica_stores.hpp"
#include "crypto/keys.hpp"
#include "crypto/sim_memo.hpp"
#include "storage/lmdb_env.hpp"
#include "storage/shared_values.hpp"

namespace datdot {

struct sim_cluster_config {
  std::uint64_t seed = 1;
  std::size_t nodes = 10;
  link_profile links;
  caf::timespan ping_interval = std::chrono::seconds{1};
  caf::timespan request_timeout = std::chrono::seconds{2};
  // Wraps a node's transport each time it starts: how a scenario's adversaries
  // change what a node sends. Empty: every node sends through the plain one.
  std::function<std::shared_ptr<bus_transport>(sim_node_index, std::shared_ptr<bus_transport>)> wrap_transport;
  // Wraps a node's sealing key once, when it is first asked for (tests count seals with it).
  std::function<std::shared_ptr<const sealer>(sim_node_index, std::shared_ptr<const sealer>)> wrap_sealer;
  // Nodes that have not joined yet: down from the start, started by restart().
  std::set<sim_node_index> start_down;
  // The threads that run the nodes. Above 1, the links need a least latency
  // above 0, and the hooks above run on those threads, so they must not share
  // state between nodes unguarded.
  std::uint32_t threads = 1;
};

// A node's service roles, run by the real role actors on the node's own
// store; it registers them on chain like `datdot node` does. A hoster keeps
// its replicas the way `conduct` says (empty: honestly).
struct sim_node_roles {
  role_set roles;
  std::uint64_t capacity_bytes = 0;
  std::shared_ptr<hoster_conduct> hosting;     // null: honest
  std::shared_ptr<attester_conduct> attesting;  // null: honest
  std::shared_ptr<encoder_conduct> encoding;    // null: honest
};

// The chain on the simulated nodes: every node runs the validator actor; the
// first `validators` nodes are the genesis validator set (they produce and
// vote), the others follow. The actors read the virtual clock, so slots tick
// in virtual time, and keep their chain in a store of their own, which a
// restarted node rebuilds from exactly as `datdot node` does.
struct sim_chain_config {
  std::size_t validators = 1;
  std::uint64_t slot_duration_ms = 1000;
  std::uint64_t snapshot_every_blocks = 64;
  // Each node's store goes in `<store_dir>/node-<i>`; empty: a scratch
  // directory removed with the cluster.
  std::filesystem::path store_dir;
  // Stores start this small and grow by doubling: a simulated node holds little.
  std::size_t store_map_bytes = 1 << 20;
  log_fn log;  // the chain and role actors' lines, prefixed with "node <i>: "; may be empty
  // The hosting parameters of the genesis.
  std::uint32_t replicas_per_feed = chain_params{}.replicas_per_feed;
  std::uint64_t challenge_period_slots = chain_params{}.challenge_period_slots;
  std::uint64_t challenge_deadline_blocks = chain_params{}.challenge_deadline_blocks;
  std::uint64_t reshuffle_period_slots = chain_params{}.reshuffle_period_slots;
  // By node; a node past the end has none.
  std::vector<sim_node_roles> roles;
  // Where the cluster lists its hosters' stores while they are up; may be null.
  std::shared_ptr<sim_replica_stores> replica_stores;
};

// Ratio each simulated account starts with: enough for any call a scenario makes.
inline constexpr std::uint64_t sim_account_ratio_units = 1'000 * chain_limits::ratio_units_per_one;

struct sim_node_counters {
  std::uint64_t peers_joined = 0;
  std::uint64_t pongs = 0;
  std::uint64_t ping_failures = 0;
  caf::timespan rtt_max{0};
};

class sim_cluster {
 public:
  // Nodes with the bus and peer actors only: cannot fail.
  explicit sim_cluster(sim_cluster_config config);
  // Nodes that also run the chain. Fails when the genesis is invalid (too many
  // validators, a slot below the minimum) or a node's store cannot be opened.
  static result<std::unique_ptr<sim_cluster>> with_chain(sim_cluster_config config, sim_chain_config chain);
  ~sim_cluster();
  sim_cluster(const sim_cluster&) = delete;
  sim_cluster& operator=(const sim_cluster&) = delete;

  // Runs actors, timers and deliveries in virtual-time order for `duration`.
  void run_for(caf::timespan duration);
  // A crashed node loses its actors and in-flight frames; its store is closed
  // as a killed process leaves it. A restart reopens the store and rebuilds
  // the chain from it, which fails when the store does not replay.
  void crash(sim_node_index node);
  result<void> restart(sim_node_index node);
  // The node leaves the service: its role actors stop and it unregisters
  // from the chain, which it keeps following; it runs no roles again.
  void leave(sim_node_index node);
  bool is_up(sim_node_index node) const { return network_.is_up(node); }

  sim_network& network() noexcept { return network_; }
  const sim_network& network() const noexcept { return network_; }
  // For actors a scenario adds next to the nodes' own (another family's
  // inbox, a requester): the system of the first lane, so only with one
  // thread (std::logic_error otherwise), where every node's actors live there.
  caf::actor_system& system();
  const bus_actor& bus_of(sim_node_index node) const { return nodes_[node].bus; }
  const validator_actor& chain_of(sim_node_index node) const { return nodes_[node].chain; }  // with a chain, while up
  const node_id& id_of(sim_node_index node) const { return nodes_[node].id; }
  const key_pair& keys_of(sim_node_index node) const { return nodes_[node].keys; }
  // The node's sealing key (rabin_williams::of_node), derived the first time
  // it is asked for: a search for two large primes, so once per node.
  std::shared_ptr<const sealer> sealer_of(sim_node_index node);
  const sim_node_counters& counters(sim_node_index node) const { return nodes_[node].counters; }
  bus_metrics metrics(sim_node_index node);  // asks the node's bus; runs the scheduler
  sim_time_ns now() const;
  std::size_t size() const noexcept { return nodes_.size(); }
  // Actor messages and timeouts the schedulers have handled: the run's unit of work.
  std::uint64_t events() const noexcept;

  bool runs_chain() const noexcept { return chain_.has_value(); }
  const genesis& chain_genesis() const { return *chain_->g; }
  // The node's chain store, to read between runs; null while the node is down or without a chain.
  const storage::chain_store* chain_store_of(sim_node_index node) const;
  // What the hosters up keep on disk: the sealed bytes of every replica in their stores.
  std::uint64_t sealed_bytes_stored() const;
  // The newest state the node finalized since it (re)started; null before its first.
  std::shared_ptr<const chain_state> finalized_state_of(sim_node_index node) const { return nodes_[node].finalized; }
  // The validator actor's clock: milliseconds since an epoch at which slot 1 starts with the run.
  std::uint64_t chain_wall_ms() const { return chain_wall_ms(0); }
  // The scratch (or given) directory the nodes' stores live under.
  const std::filesystem::path& store_root() const { return chain_->root; }
  // Asks the node's publisher to publish `req`; `done` gets its answer, or
  // the error, as the scheduler runs. False when the node runs no publisher.
  bool publish(sim_node_index node, publish_request req, std::function<void(result<publish_answer>)> done);
  // The same for appending to a feed the node published.
  bool append(sim_node_index node, append_request req, std::function<void(result<publish_answer>)> done);

 private:
  struct sim_node {
    key_pair keys;
    node_id id;
    curve_public_key curve;
    bus_actor bus;
    node_actor node;
    sim_node_counters counters;
    // While up, with a chain: the store's environment (its address is what the
    // stores point to, so it lives on the heap) and the chain actor.
    std::unique_ptr<storage::environment> env;
    std::optional<storage::chain_store> store;
    validator_actor chain;
    std::vector<caf::actor> roles;  // while up: the role actors, stopped with the node
    caf::actor watcher;             // while up: keeps `finalized`
    std::shared_ptr<const chain_state> finalized;
    bool left = false;
    std::optional<publisher_actor> publisher;
    std::optional<storage::replica_store> replicas;  // a hoster's, listed in replica_stores
    std::shared_ptr<const sealer> sealing;           // once asked for (sealer_of)
  };
  struct chain_setup {
    sim_chain_config config;
    std::shared_ptr<const genesis> g;
    std::unique_ptr<scratch_dir> scratch;  // when config.store_dir was empty
    std::filesystem::path root;
    // What every node's chain store holds alike, kept once; only for scratch
    // stores, which do not outlive the process (storage/shared_values.hpp).
    std::shared_ptr<storage::shared_values> shared;
  };
  // One lane's actors and virtual clock, run by one thread at a time.
  struct lane {
    // What the main thread must run between windows: publish answers for the
    // scenario, which keeps its books on that thread. Before the system: an
    // answer its shutdown fails still has somewhere to go.
    std::vector<std::function<void()>> answers;
    caf::actor_system_config config;
    std::unique_ptr<caf::actor_system> system;
    caf::scheduler::test_coordinator* scheduler = nullptr;
    caf::detail::test_actor_clock::time_point start_time;
    std::uint64_t events = 0;
    lane();
  };
  sim_cluster(sim_cluster_config config, std::optional<chain_setup> chain);
  void start(sim_node_index node);
  result<void> start_chain(sim_node_index node);
  result<void> start_roles(sim_node_index node);
  void stop_roles(sim_node_index node);
  const sim_node_roles* roles_of(sim_node_index node) const;
  lane& lane_of(sim_node_index node) { return *lanes_[network_.lane_of(node)]; }
  caf::actor_system& system_of(sim_node_index node) { return *lane_of(node).system; }
  sim_time_ns now(std::uint32_t lane) const;
  std::uint64_t chain_wall_ms(std::uint32_t lane) const;
  // The lane's next timer or frame: now while it has work queued.
  std::optional<sim_time_ns> next_event(std::uint32_t lane) const;
  void advance_to(std::uint32_t lane, sim_time_ns t);
  // Runs the lane's events due before `limit`.
  void run_lane_until(std::uint32_t lane, sim_time_ns limit);
  // Between windows, on the main thread: frames cross lanes, answers reach the scenario.
  void settle();
  void run_scheduler();
  template <class Atom, class Request>
  bool ask_publisher(sim_node_index node, Request req, std::function<void(result<publish_answer>)> done);

  // Every node checks the same votes and seals and applies the same blocks:
  // while the cluster lives, each valid signature is verified and each block
  // applied once in the process, its state shared (crypto/sim_memo.hpp).
  sim_memo_scope memo_;
  sim_cluster_config config_;
  std::optional<chain_setup> chain_;  // before nodes_: the stores close before their directory goes
  std::vector<std::unique_ptr<lane>> lanes_;  // before nodes_: actors go before their systems
  sim_network network_;
  std::vector<sim_node> nodes_;
  lane_workers workers_;
};

}  // namespace datdot

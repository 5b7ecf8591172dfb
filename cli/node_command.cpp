// `datdot node`: runs one node — identity from the data directory, LMDB
// stores, the ZeroMQ bus and the node's actors — until SIGINT or SIGTERM.
// Progress is printed as one JSON object per line on stdout (started, peer,
// pong, ping_failed, stopped) so operators and tests can follow it.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "actors/chain/chain_http.hpp"
#include "actors/metrics/node_metrics.hpp"
#include "actors/roles/attester_actor.hpp"
#include "actors/roles/data_inbox.hpp"
#include "actors/roles/encoder_actor.hpp"
#include "actors/roles/hoster_actor.hpp"
#include "actors/roles/reader_actor.hpp"
#include "actors/roles/registrar_actor.hpp"
#include "actors/roles/roles_http.hpp"
#include "crypto/rabin_williams.hpp"
#include "actors/zmq/zmq_node.hpp"
#include "cli/commands.hpp"
#include "storage/key_file.hpp"
#include "storage/lmdb_env.hpp"

namespace datdot::cli {
namespace {

namespace fs = std::filesystem;

struct node_options {
  std::string config_file;
  std::string data_dir;
  std::string listen = "tcp://127.0.0.1:7000";
  std::vector<std::string> bootstrap;
  std::string roles;
  std::size_t max_frame_bytes = bus_limits::frame_bytes_default;
  unsigned ping_interval_ms = 1000;
  unsigned request_timeout_ms = 2000;
  std::string metrics_listen = "127.0.0.1:0";
  std::string key_seed_hex;
  std::string genesis_file;
  std::uint64_t snapshot_every_blocks = 64;
  std::uint64_t capacity_bytes = 0;
};

template <class T>
T unwrap(result<T> r) {
  if (!r) throw command_failed{1, r.err().describe()};
  return std::move(r).value();
}

// NODE_ID_HEX@tcp://HOST:PORT — the id is required: CURVE needs the server's key.
peer_address parse_bootstrap(const std::string& text) {
  auto at = text.find('@');
  if (at == std::string::npos) throw command_failed{2, "--bootstrap wants NODE_ID@ENDPOINT, got " + text};
  auto id = from_hex_fixed<32>(std::string_view{text}.substr(0, at));
  if (!id) throw command_failed{2, "--bootstrap: " + id.err().describe()};
  return peer_address{node_id{*id}, text.substr(at + 1)};
}

class json_lines {
 public:
  void print(const nlohmann::json& j) {
    std::lock_guard lock{mutex_};
    std::cout << j.dump() << std::endl;
  }
  void log(const std::string& line) {
    std::lock_guard lock{mutex_};
    std::cerr << line << std::endl;
  }

 private:
  std::mutex mutex_;
};

nlohmann::json event_json(const node_event& e) {
  switch (e.what) {
    case node_event::kind::peer_joined:
      return {{"event", "peer"}, {"peer", to_hex(e.peer.id)}, {"endpoint", e.peer.endpoint},
              {"roles", format_roles(e.peer.roles)}};
    case node_event::kind::pong:
      return {{"event", "pong"}, {"peer", to_hex(e.peer.id)},
              {"rtt_us", std::chrono::duration_cast<std::chrono::microseconds>(e.rtt).count()}};
    case node_event::kind::ping_failed:
      return {{"event", "ping_failed"}, {"peer", to_hex(e.peer.id)}};
  }
  return {};
}

nlohmann::json metrics_json(const bus_metrics& m) {
  nlohmann::json rejected;
  for (std::size_t i = 0; i < reject_reason_count; ++i)
    rejected[std::string{to_string(static_cast<reject_reason>(i))}] = m.rejected_total[i];
  return {{"frames_in", m.frames_in_total},         {"frames_out", m.frames_out_total},
          {"rejected", rejected},                    {"bans", m.bans_total},
          {"relays", m.relays_total},                {"relay_frames", m.relay_frames_total},
          {"gossip_copies_dropped", m.gossip_copies_dropped_total},
          {"dropped_queue_full", m.dropped_queue_full_total}, {"dropped_no_route", m.dropped_no_route_total},
          {"dropped_hwm", m.transport.dropped_hwm}, {"refused_handshakes", m.transport.refused_handshakes},
          {"request_timeouts", m.request_timeouts_total},
          {"connects", m.transport.connects}, {"disconnects", m.transport.disconnects},
          {"reconnect_attempts", m.transport.reconnect_attempts}};
}

genesis load_genesis(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw command_failed{1, "cannot read --genesis " + path};
  std::stringstream text;
  text << in.rdbuf();
  auto config = parse_genesis_config(text.str());
  if (!config) throw command_failed{1, "--genesis " + path + ": " + config.err().describe()};
  auto g = make_genesis(*config);
  if (!g) throw command_failed{1, "--genesis " + path + ": " + g.err().describe()};
  return std::move(*g);
}

// The same host as `listen`, any free port: tcp://HOST:PORT -> tcp://HOST:0.
std::string any_port_of(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (!listen.starts_with("tcp://") || colon < 6) return "tcp://127.0.0.1:0";
  return listen.substr(0, colon) + ":0";
}

std::uint64_t wall_clock_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

void run_node(const node_options& o) {
  // Block the stop signals before any thread starts, so only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  tune_allocator_for_frames();

  auto roles = unwrap(parse_roles(o.roles));
  std::optional<genesis> chain_genesis;
  if (!o.genesis_file.empty()) {
    // The validator role is what makes a node a chain node (it gets the chain's
    // gossip); whether it produces and votes is the chain's validator set.
    if (!roles.contains(role::validator)) throw command_failed{2, "--genesis needs --roles validator"};
    chain_genesis = load_genesis(o.genesis_file);
  }
  auto limits = unwrap(make_frame_limits(o.max_frame_bytes));
  std::vector<peer_address> bootstrap;
  for (const auto& b : o.bootstrap) bootstrap.push_back(parse_bootstrap(b));

  fs::create_directories(o.data_dir);
  std::optional<key_seed> seed;
  if (!o.key_seed_hex.empty()) seed = key_seed{unwrap(from_hex_fixed<32>(o.key_seed_hex))};
  auto keys = unwrap(storage::load_or_create_key_file(fs::path{o.data_dir} / "node.key", seed));
  // The node's LMDB stores; the chain and role stores open their databases here.
  auto env = unwrap(storage::environment::open(storage::env_options{fs::path{o.data_dir} / "lmdb"}));

  json_lines out;
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", static_cast<std::size_t>(std::max(1u, std::thread::hardware_concurrency())));
  // Work stealing polls for work in 50 us sleeps for 25 ms after every
  // message: a node that hears something every few ms never sleeps, and 15
  // idle nodes took 1.6 of 2 cores. Sharing waits on a condition variable.
  cfg.set("scheduler.policy", caf::atom("sharing"));
  cfg.set("logger.console-verbosity", caf::atom("quiet"));
  caf::actor_system sys{cfg};
  std::optional<node_metrics> metrics;  // after sys: its endpoint asks the actors, so it stops first
  if (o.metrics_listen != "off") metrics.emplace();

  zmq_node_config nc{keys, o.listen, roles, bootstrap, limits,
                     std::chrono::milliseconds{o.ping_interval_ms}, std::chrono::milliseconds{o.request_timeout_ms},
                     [&out](const std::string& line) { out.log(line); },
                     [&out](const node_event& e) { out.print(event_json(e)); }};
  if (metrics) {
    nc.bus_probe = metrics->probe("bus");
    nc.node_probe = metrics->probe("node");
  }
  auto node = unwrap(zmq_node::start(sys, std::move(nc)));
  // The chain: a validator when this key is in the genesis set, a follower otherwise.
  std::optional<validator_actor> chain;
  nlohmann::json chain_mode;  // null without --genesis
  prometheus::Gauge* stored_bytes = nullptr;  // the hoster's, with metrics on
  if (chain_genesis) {
    const bool member = chain_genesis->state.validators.contains(node->id());
    validator_config vc{std::make_shared<const genesis>(*chain_genesis), keys, unwrap(storage::chain_store::open(env)), wall_clock_ms,
                        limits.frame_bytes_max, std::nullopt, [&out](const std::string& line) { out.log(line); }};
    vc.snapshot_every_blocks = o.snapshot_every_blocks;
    if (metrics) {
      vc.metrics.emplace(metrics->chain().attach());
      vc.probe = metrics->probe("validator");
      auto& series = metrics->roles();
      vc.own.ratio = &series.attach_ratio();
      if (roles.contains(role::hoster)) stored_bytes = &vc.own.hoster.emplace(series.attach_hoster()).stored_bytes;
      if (roles.contains(role::encoder)) vc.own.encoder.emplace(series.attach_encoder());
      if (roles.contains(role::attester)) vc.own.attester.emplace(series.attach_attester());
    }
    chain = unwrap(spawn_validator_actor(sys, node->bus(), std::move(vc)));
    chain_mode = member ? "validator" : "follower";
  }
  // The roles act on what the finalized chain asks of this node; every chain node can read feeds.
  std::optional<publisher_actor> publisher;
  std::optional<reader_actor> reader;
  std::unique_ptr<zmq_node> stranger;  // the attester's throwaway identity
  if (chain) {
    const role_context ctx{keys, node->bus(), *chain, [&out](const std::string& line) { out.log(line); }};
    // Each role actor type gets its own datdot_actor_* series.
    auto as = [&](const char* actor_type) {
      auto c = ctx;
      if (metrics) c.probe = metrics->probe(actor_type);
      return c;
    };
    data_roles serving;
    if (roles.contains(role::publisher)) {
      publisher = spawn_publisher(sys, as("publisher"), fs::path{o.data_dir} / "feeds");
      serving.publisher = caf::actor_cast<data_handler>(*publisher);
    }
    if (roles.contains(role::hoster)) serving.hoster = caf::actor_cast<data_handler>(unwrap(spawn_hoster(sys, as("hoster"), env, stored_bytes)));
    // The key an encoder seals with and registers: derived once, it is a search for two large primes.
    std::shared_ptr<const sealer> sealing;
    if (roles.contains(role::encoder)) {
      sealing = rabin_williams::of_node(keys);
      spawn_encoder(sys, as("encoder"), sealing);
    }
    if (roles.contains(role::attester)) {
      // The attester reads as a stranger: a second bus with a random key, on
      // this node's host, never registered or announced.
      zmq_node_config incognito{generate_key_pair(), any_port_of(o.listen), role_set{}, {}, limits,
                                std::chrono::milliseconds{o.ping_interval_ms},
                                std::chrono::milliseconds{o.request_timeout_ms},
                                [&out](const std::string& line) { out.log("attester's bus: " + line); }, nullptr};
      stranger = unwrap(zmq_node::start(sys, std::move(incognito)));
      auto c = as("attester");
      c.bus = stranger->bus();
      spawn_attester(sys, std::move(c), stranger->id());
    }
    spawn_data_inbox(sys, node->bus(), serving, ctx.log, metrics ? metrics->probe("data_inbox") : nullptr);
    reader = spawn_reader(sys, as("reader"));
    role_set service = roles;
    service.remove(role::validator);
    if (!service.empty()) {
      register_node wanted{roles, o.capacity_bytes, node->endpoint()};
      if (sealing) wanted.seal_key = sealing->public_part().public_key_bytes();
      spawn_registrar(sys, as("registrar"), std::move(wanted));
    }
  }
  nlohmann::json metrics_url;  // null when metrics are off
  if (metrics)
    metrics_url = "http://" +
                  unwrap(metrics->serve(o.metrics_listen, sys, node->bus(), node->node(),
                                        {node->id(), roles, DATDOT_VERSION})) +
                  "/metrics";
  if (metrics && reader) metrics->add_route(roles_http_prefix, roles_http_route(sys, publisher, *reader));
  if (metrics && chain) {
    metrics->add_route(chain_http_prefix, chain_http_route(sys, *chain));
    metrics->add_check("chain", [&sys, c = *chain] { return check_chain_synced(sys, c); });
  }
  out.print({{"event", "started"}, {"node", to_hex(node->id())}, {"endpoint", node->endpoint()},
             {"roles", format_roles(roles)}, {"pid", ::getpid()}, {"metrics", metrics_url}, {"chain", chain_mode}});

  int signal = 0;
  sigwait(&stop_signals, &signal);
  bus_metrics final_metrics;
  {
    caf::scoped_actor self{sys};
    self->request(node->bus(), std::chrono::seconds{2}, bus_metrics_atom_v)
        .receive([&](bus_metrics& m) { final_metrics = std::move(m); }, [](caf::error&) {});
  }
  if (metrics) metrics->stop();
  if (chain) caf::anon_send_exit(*chain, caf::exit_reason::user_shutdown);
  if (stranger) stranger->stop();
  node->stop();
  out.print({{"event", "stopped"}, {"signal", signal}, {"metrics", metrics_json(final_metrics)}});
}

}  // namespace

// CLI11 2.1 reads a --config file only for the root command, never for a
// subcommand, so `node` applies its own: each key is a long option name
// (TOML or INI, at top level or under [node]); the command line wins; an
// unknown key or section is an error, not a silent typo.
void apply_config_file(CLI::App& cmd, const std::string& path) {
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML{}.from_file(path);
  } catch (const CLI::Error& e) {
    throw command_failed{2, "--config " + path + ": " + e.what()};
  }
  for (auto& item : items) {
    if (item.name == "++" || item.name == "--") continue;  // CLI11's section markers
    if (!item.parents.empty() && item.parents != std::vector<std::string>{"node"})
      throw command_failed{2, "--config " + path + ": unknown section in " + item.fullname()};
    auto* opt = item.name == "config" || item.name == "help" ? nullptr : cmd.get_option_no_throw("--" + item.name);
    if (!opt) throw command_failed{2, "--config " + path + ": unknown key " + item.fullname()};
    std::erase(item.inputs, std::string{});  // `bootstrap = []` reads as one empty string
    if (opt->count() > 0 || item.inputs.empty()) continue;
    opt->add_result(item.inputs);
    opt->run_callback();
  }
}

void add_node_command(CLI::App& app) {
  auto o = std::make_shared<node_options>();
  auto* cmd = app.add_subcommand("node", "Run a node: identity, stores and the ZeroMQ bus, until SIGINT/SIGTERM");
  cmd->add_option("--config", o->config_file,
                  "Read options from this TOML/INI file: one `name = value` per long option, without the dashes "
                  "(data-dir = \"/var/lib/datdot\", bootstrap = [\"ID@tcp://...\"]); the command line wins")
      ->check(CLI::ExistingFile);
  cmd->add_option("--data-dir", o->data_dir,
                  "Directory for node.key (created 0600) and the LMDB stores (required: here or in --config)");
  cmd->add_option("--listen", o->listen, "ZeroMQ endpoint the bus binds (tcp://HOST:PORT, port 0 picks one)")
      ->capture_default_str();
  cmd->add_option("--bootstrap", o->bootstrap, "Peer to join first, as NODE_ID_HEX@tcp://HOST:PORT (repeatable)");
  cmd->add_option("--roles", o->roles, "Comma-separated roles: publisher,encoder,hoster,attester,validator");
  cmd->add_option("--max-frame-bytes", o->max_frame_bytes, "Largest bus frame accepted; larger ones are dropped")
      ->capture_default_str();
  cmd->add_option("--ping-interval-ms", o->ping_interval_ms, "Liveness ping this often to every peer whose gossip did not arrive within the last 30 intervals (and every 600th time to all, for round trips)")
      ->capture_default_str();
  cmd->add_option("--request-timeout-ms", o->request_timeout_ms, "A bus request without answer fails after this")
      ->capture_default_str();
  cmd->add_option("--metrics-listen", o->metrics_listen,
                  "HOST:PORT serving /metrics and /health (port 0 picks one; \"off\" disables)")
      ->capture_default_str();
  cmd->add_option("--key-seed", o->key_seed_hex,
                  "32-byte hex seed for a new node.key: a reproducible identity, for devnets only");
  cmd->add_option("--genesis", o->genesis_file,
                  "Chain genesis JSON (`datdot chain genesis` writes one); with --roles validator the node runs "
                  "the chain: it produces and votes when its key is in the validator set and follows (imports, "
                  "verifies, stores, answers `datdot chain`, feeds its role actors) otherwise. Its client API is "
                  "served under /chain beside /metrics");
  cmd->add_option("--capacity-bytes", o->capacity_bytes,
                  "Storage a hoster offers the network; with --genesis a node with roles besides validator "
                  "registers them, this capacity and its bus address on chain by itself")
      ->capture_default_str();
  cmd->add_option("--chain-snapshot-every", o->snapshot_every_blocks,
                  "Store the finalized chain state every N finalized blocks (0: never); a restart starts from the "
                  "newest snapshot and replays only the blocks after it")
      ->capture_default_str();
  cmd->callback([o, cmd] {
    if (!o->config_file.empty()) apply_config_file(*cmd, o->config_file);
    if (o->data_dir.empty()) throw command_failed{2, "--data-dir is required (on the command line or in --config)"};
    run_node(*o);
  });
}

}  // namespace datdot::cli

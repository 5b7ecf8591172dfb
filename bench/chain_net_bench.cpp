// The chain over the real stack: four validators in one process, each with
// its own ZeroMQ bus on loopback (CURVE), durable LMDB chain store and
// validator actor, exactly as `datdot node --genesis` assembles them; signed
// ratio transfers are submitted round-robin through the actors' client API at
// a fixed rate. Prints finalized transactions/s and time to finality in slots
// (p50, p99; a block's finalization seen by validator 1, from its slot start)
// next to raw ed25519 verify/s measured in the same run.
// Run: build/bench/chain_net_bench [seconds, default 20] [tx per slot, default 200] [slot ms, default 500]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "actors/chain/validator_actor.hpp"
#include "actors/zmq/zmq_node.hpp"
#include "bench/raw_ed25519.hpp"

using namespace datdot;
using clock_type = std::chrono::steady_clock;
using json = nlohmann::json;

namespace {

constexpr std::size_t validators = 4;
constexpr std::size_t senders = 64;  // funded accounts; each submits with its own nonces
constexpr std::uint64_t poll_ms = 20;

key_pair key_of(std::size_t i) {
  key_seed seed{};
  for (std::size_t b = 0; b < 8; ++b) seed[b] = static_cast<byte>(i >> (8 * b));
  seed[31] = 0xbe;
  return key_pair_from_seed(seed);
}

std::uint64_t wall_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

json ask(caf::scoped_actor& self, const validator_actor& v, chain_request r) {
  json out;
  self->request(v, std::chrono::seconds{5}, chain_query_atom_v, std::move(r))
      .receive([&](chain_reply& reply) { out = json::parse(reply.json, nullptr, false); }, [](caf::error&) {});
  return out;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  crypto_init();
  tune_allocator_for_frames();
  const double seconds = argc > 1 ? std::atof(argv[1]) : 20;
  const std::size_t tx_per_slot = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 200;
  const std::uint64_t slot_ms = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 500;

  // Before the cluster runs, so the limit is measured on an idle machine.
  const double raw_verify = bench::raw_ed25519_verify_per_s(20000);
  genesis_config config;
  config.params.slot_duration_ms = slot_ms;
  config.params.epoch_length_slots = 1'000'000;
  for (std::size_t i = 0; i < validators; ++i) config.validators.push_back(account_id{key_of(i).pk});
  for (std::size_t i = 0; i < senders; ++i)
    config.accounts.emplace_back(account_id{key_of(100 + i).pk}, ratio{1'000'000'000'000});
  auto g = make_genesis(config);
  if (!g) {
    std::fprintf(stderr, "genesis: %s\n", g.err().describe().c_str());
    return 1;
  }

  const auto root = std::filesystem::temp_directory_path() / ("chain_net_bench." + std::to_string(::getpid()));
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", static_cast<std::size_t>(std::max(1u, std::thread::hardware_concurrency())));
  cfg.set("logger.console-verbosity", caf::atom("quiet"));
  std::vector<std::unique_ptr<storage::environment>> envs;
  {
    caf::actor_system sys{cfg};
    std::vector<std::unique_ptr<zmq_node>> nodes;
    std::vector<validator_actor> chain;
    auto limits = make_frame_limits(bus_limits::frame_bytes_max).value();
    role_set roles;
    roles.add(role::validator);
    for (std::size_t i = 0; i < validators; ++i) {
      std::filesystem::create_directories(root / std::to_string(i));
      envs.push_back(std::make_unique<storage::environment>(
          storage::environment::open(storage::env_options{root / std::to_string(i), 1ull << 30}).value()));
      std::vector<peer_address> bootstrap;
      if (i > 0) bootstrap.push_back(peer_address{nodes[0]->id(), nodes[0]->endpoint()});
      zmq_node_config nc{key_of(i), "tcp://127.0.0.1:0", roles, bootstrap, limits, std::chrono::seconds{1},
                         std::chrono::seconds{2}, {}, {}};
      nodes.push_back(zmq_node::start(sys, std::move(nc)).value());
      validator_config vc{std::make_shared<const genesis>(*g), key_of(i), storage::chain_store::open(*envs.back()).value(), wall_ms,
                          limits.frame_bytes_max, std::nullopt, {}};
      chain.push_back(spawn_validator_actor(sys, nodes.back()->bus(), std::move(vc)).value());
    }
    caf::scoped_actor self{sys};
    // A busy actor may answer late: then the height is unknown for this poll (0).
    auto finalized = [&] {
      auto s = ask(self, chain[0], {chain_request::kind::status, {}, 0, 0});
      return s.is_object() ? s.value("finalized_height", 0ull) : 0ull;
    };
    for (auto until = clock_type::now() + std::chrono::seconds{20}; finalized() < 2 && clock_type::now() < until;)
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
    const auto chain_id_value = g->state.chain;

    std::vector<std::uint64_t> nonces(senders, 0);
    std::vector<double> lags_slots;
    std::uint64_t seen = finalized(), finalized_txs = 0, submitted = 0;
    const std::uint64_t start_slot = wall_ms() / slot_ms + 1;
    const auto t0 = clock_type::now();
    auto last_final_at = t0;
    const auto load_end = t0 + std::chrono::duration<double>(seconds);
    const auto tail_end = load_end + std::chrono::milliseconds{6 * slot_ms};
    const double tx_per_s = static_cast<double>(tx_per_slot) * 1000.0 / static_cast<double>(slot_ms);
    while (clock_type::now() < tail_end) {
      if (clock_type::now() < load_end) {
        const auto due = static_cast<std::uint64_t>(std::chrono::duration<double>(clock_type::now() - t0).count() * tx_per_s);
        for (; submitted < due; ++submitted) {
          const auto s = submitted % senders;
          auto x = make_extrinsic(chain_id_value, key_of(100 + s), nonces[s]++,
                                  transfer_ratio{account_id{key_of(100 + (s + 1) % senders).pk}, ratio{1}});
          caf::anon_send(chain[submitted % validators], chain_query_atom_v,
                         chain_request{chain_request::kind::submit, to_hex(byte_view{encode_extrinsic(x)}), 0, 0});
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{poll_ms});
      const auto now_final = finalized();
      for (; seen < now_final; ++seen) {
        auto b = ask(self, chain[0], {chain_request::kind::block, std::to_string(seen + 1), 0, 0});
        if (!b.is_object() || !b.contains("slot")) continue;
        const auto slot = b["slot"].get<std::uint64_t>();
        if (slot < start_slot) continue;
        lags_slots.push_back((static_cast<double>(wall_ms()) - static_cast<double>(slot * slot_ms)) /
                             static_cast<double>(slot_ms));
        finalized_txs += b["extrinsics"].size();
        last_final_at = clock_type::now();
      }
    }
    const double elapsed = std::chrono::duration<double>(last_final_at - t0).count();
    auto status = ask(self, chain[0], {chain_request::kind::status, {}, 0, 0});
    std::printf("chain_net_bench: 4 validators, one process, ZeroMQ loopback + durable LMDB each, slot %llu ms, %.0f s\n",
                static_cast<unsigned long long>(slot_ms), seconds);
    std::printf("  submitted %llu transfers (%zu per slot offered), finalized %llu in %zu blocks\n",
                static_cast<unsigned long long>(submitted), tx_per_slot, static_cast<unsigned long long>(finalized_txs),
                lags_slots.size());
    std::printf("  finalized transactions/s      %10.0f\n", elapsed > 0 ? static_cast<double>(finalized_txs) / elapsed : 0.0);
    std::printf("  time to finality (slots)  p50 %6.2f   p99 %6.2f\n", percentile(lags_slots, 0.5),
                percentile(lags_slots, 0.99));
    std::printf("  raw ed25519 verify/s (1 core) %10.0f   (each transfer is verified ~8 times: pool and import on 4 nodes)\n",
                raw_verify);
    if (status.is_object()) std::printf("  rejected at validator 1: %s\n", status["rejected"].dump().c_str());
    for (auto& c : chain) caf::anon_send_exit(c, caf::exit_reason::user_shutdown);
    for (auto& n : nodes) n->stop();
  }
  envs.clear();
  std::filesystem::remove_all(root);
  return 0;
}

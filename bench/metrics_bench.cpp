// What metrics cost: the same work with metrics off and on, in one run,
// alternating which goes first so drift hits both alike. The cost is the
// median of each round's own off/on ratio (the two halves of a round ran
// seconds apart), with the middle half of the rounds' costs beside it to show
// how much of it is noise.
//  - bus: one-way 1 KiB messages node to node through the full stack (actor ->
//    bus -> ZeroMQ with CURVE -> bus -> actor). On: both actors instrumented,
//    /metrics served and scraped every second (stricter than Prometheus's
//    default 15 s).
//  - runtime: an importer actor applying a chain of blocks with the pure
//    runtime (apply_block). On: the actor instrumented and the chain series
//    (best height, finality lag) set after every block, as the chain actor will.
//  - one actor with an empty handler: the instrumentation's cost per message,
//    which times the handler runs per bus message (counted by the probes)
//    over the CPU a bus message takes gives the instrumentation's share of the bus.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <sys/resource.h>

#include "actors/chain/chain_metrics.hpp"
#include "actors/metrics/node_metrics.hpp"
#include "actors/zmq/zmq_node.hpp"
#include "chain/chain_fixture.hpp"
#include "support/http_get.hpp"

CAF_ADD_ATOM(datdot, datdot, import_atom, "import")
CAF_ADD_ATOM(datdot, datdot, done_atom, "done")

using namespace datdot;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

// CPU time of the whole process (every thread), seconds.
double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Scrapes `address` once a second until destroyed, as Prometheus would.
class scraper {
 public:
  explicit scraper(std::string address)
      : thread_([this, address] {
          while (!stop_.load()) {
            if (datdot::testing::http_get(address, "/metrics").status == 200) ++scrapes_;
            for (int i = 0; i < 100 && !stop_.load(); ++i) std::this_thread::sleep_for(10ms);
          }
        }) {}
  ~scraper() {
    stop_ = true;
    thread_.join();
  }
  int scrapes() const { return scrapes_.load(); }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> scrapes_{0};
  std::thread thread_;
};

struct bus_result {
  double per_second = 0;
  double cpu_us_per_message = 0;   // every thread of the process: both nodes, ZeroMQ, the sender
  double handled_per_message = 0;  // instrumented handler runs (on only)
};

// Messages from node b to node a; adds the ones that never arrived to `lost`.
bus_result bus_round(caf::actor_system& sys, bool metrics_on, std::size_t messages, std::uint64_t& lost) {
  constexpr std::size_t size = 1024;
  std::optional<node_metrics> metrics_a, metrics_b;
  if (metrics_on) {
    metrics_a.emplace();
    metrics_b.emplace();
  }
  auto config = [&](std::optional<node_metrics>& m, std::vector<peer_address> bootstrap) {
    zmq_node_config c{generate_key_pair(), "tcp://127.0.0.1:0", {}, std::move(bootstrap), frame_limits{}, 60s, 5s,
                      {}, {}};
    if (m) {
      c.bus_probe = m->probe("bus");
      c.node_probe = m->probe("node");
    }
    return c;
  };
  auto a = zmq_node::start(sys, config(metrics_a, {})).value();
  auto b = zmq_node::start(sys, config(metrics_b, {{a->id(), a->endpoint()}})).value();
  std::optional<scraper> scrape_a, scrape_b;
  if (metrics_on) {
    scrape_a.emplace(metrics_a->serve("127.0.0.1:0", sys, a->bus(), a->node(), {a->id(), {}, "bench"}).value());
    scrape_b.emplace(metrics_b->serve("127.0.0.1:0", sys, b->bus(), b->node(), {b->id(), {}, "bench"}).value());
  }
  caf::scoped_actor self{sys};
  auto received = [&] {
    std::uint64_t n = 0;
    self->request(a->node(), 5s, node_status_atom_v)
        .receive([&](node_status& s) { n = s.probes_received; }, [](caf::error&) {});
    return n;
  };
  message_body body{ping{0, bytes(size, 0x5a)}};
  for (int i = 0; i < 200 && received() == 0; ++i) {  // the route exists once CURVE is up
    self->send(b->bus(), bus_send_atom_v, a->id(), body);
    std::this_thread::sleep_for(10ms);
  }
  auto base = received();
  if (base == 0) {
    std::fprintf(stderr, "bus: no route between the two nodes after 2 s\n");
    std::exit(1);
  }
  const std::size_t window = bus_limits::io_outbound_queue_max / 4;  // well below the transport's bounds
  const double cpu_start = process_cpu_seconds();
  auto start = clock_type::now(), last_arrival = start;
  std::size_t sent = 0;
  std::uint64_t arrived = 0;
  // At ZeroMQ's high-water mark a frame is dropped and counted, never waited
  // for (the bus's policy); a loaded machine can get there below the window.
  // The round ends when every message arrived or none has for a second.
  while (arrived < messages) {
    auto now = clock_type::now();
    if (auto n = received() - base; n != arrived) {
      arrived = n;
      last_arrival = now;
    } else if (sent == messages && now - last_arrival > 1s) {
      break;
    }
    while (sent < messages && sent - arrived < window)
      for (std::size_t k = 0; k < window / 4 && sent < messages; ++k, ++sent)
        self->send(b->bus(), bus_send_atom_v, a->id(), body);
    if (sent == messages) std::this_thread::sleep_for(100us);
  }
  lost += messages - arrived;
  double s = std::chrono::duration<double>(last_arrival - start).count();
  const double cpu = process_cpu_seconds() - cpu_start;
  double handled = 0;
  for (auto* m : {&metrics_a, &metrics_b})
    if (*m)
      for (const char* type : {"bus", "node"}) handled += static_cast<double>((*m)->probe(type)->type->totals().handled());
  scrape_a.reset();
  scrape_b.reset();
  if (metrics_a) metrics_a->stop();
  if (metrics_b) metrics_b->stop();
  b->stop();
  a->stop();
  const auto n = static_cast<double>(arrived);
  return {n / s, 1e6 * cpu / n, handled / n};
}

struct importer_state {
  chain_state state;
  block_hash head;
  std::uint64_t applied = 0;
  std::optional<chain_series> series;
};

// Blocks arrive by index into a prepared chain (the bench measures apply, not copying).
caf::behavior importer(caf::stateful_actor<importer_state>* self, const genesis* g, const std::vector<block>* chain,
                       const actor_probe* probe, std::optional<chain_series> series) {
  self->state.state = g->state;
  self->state.head = g->hash;
  if (series) self->state.series.emplace(*series);
  return instrument(self, probe,
                    caf::behavior{[=](import_atom, std::size_t i) {
                                    auto& st = self->state;
                                    auto r = apply_block(st.state, st.head, (*chain)[i]);
                                    if (!r) return;
                                    st.state = std::move(r->state);
                                    st.head = hash_of((*chain)[i]);
                                    ++st.applied;
                                    if (st.series) {
                                      st.series->best_height.Set(static_cast<double>(st.applied));
                                      st.series->finality_lag.Set(0);
                                    }
                                  },
                                  [=](done_atom) { return self->state.applied; }});
}

// Messages per second through one actor whose handler only counts: the
// instrumentation's own cost per message, with nothing to hide it.
double handler_round(caf::actor_system& sys, bool metrics_on, std::size_t messages) {
  std::optional<node_metrics> metrics;
  const actor_probe* probe = nullptr;
  if (metrics_on) {
    metrics.emplace();
    probe = metrics->probe("counter");
  }
  auto counter = sys.spawn([probe](caf::stateful_actor<std::uint64_t>* self) {
    return instrument(self, probe,
                      caf::behavior{[=](import_atom, std::size_t) { ++self->state; },
                                    [=](done_atom) { return self->state; }});
  });
  caf::scoped_actor self{sys};
  auto start = clock_type::now();
  for (std::size_t i = 0; i < messages; ++i) self->send(counter, import_atom_v, i);
  self->request(counter, 60s, done_atom_v).receive([](std::uint64_t) {}, [](caf::error&) {});
  double s = std::chrono::duration<double>(clock_type::now() - start).count();
  self->send_exit(counter, caf::exit_reason::user_shutdown);
  self->wait_for(counter);
  return static_cast<double>(messages) / s;
}

// Blocks per second applied by one importer actor.
double runtime_round(caf::actor_system& sys, const test::chain_fixture& f, const std::vector<block>& chain,
                     bool metrics_on) {
  std::optional<node_metrics> metrics;
  const actor_probe* probe = nullptr;
  std::optional<chain_series> series;
  if (metrics_on) {
    metrics.emplace();
    probe = metrics->probe("chain");
    series.emplace(metrics->chain().attach());
  }
  auto imp = sys.spawn(importer, &f.gen, &chain, probe, series);
  caf::scoped_actor self{sys};
  auto start = clock_type::now();
  for (std::size_t i = 0; i < chain.size(); ++i) self->send(imp, import_atom_v, i);
  std::uint64_t applied = 0;
  self->request(imp, 60s, done_atom_v).receive([&](std::uint64_t n) { applied = n; }, [](caf::error&) {});
  double s = std::chrono::duration<double>(clock_type::now() - start).count();
  self->send_exit(imp, caf::exit_reason::user_shutdown);
  self->wait_for(imp);  // its chain series refer to `metrics`
  if (applied != chain.size()) std::fprintf(stderr, "runtime: applied %llu of %zu blocks\n",
                                            static_cast<unsigned long long>(applied), chain.size());
  return static_cast<double>(applied) / s;
}

void report(const char* what, const char* unit, const std::vector<double>& off, const std::vector<double>& on) {
  std::vector<double> cost;
  for (std::size_t i = 0; i < off.size(); ++i) cost.push_back(100.0 * (off[i] - on[i]) / off[i]);
  std::sort(cost.begin(), cost.end());
  std::printf("%-34s off %10.0f %s   on %10.0f %s   cost %+.1f%% (middle half of rounds %+.1f%% .. %+.1f%%)\n", what,
              median(off), unit, median(on), unit, median(cost), cost[cost.size() / 4], cost[cost.size() * 3 / 4]);
}

}  // namespace

// metrics_bench [ROUNDS] — each round runs off and on (default 10 rounds).
int main(int argc, char** argv) {
  crypto_init();
  tune_allocator_for_frames();  // as `datdot node` does
  int rounds = argc > 1 ? std::stoi(argv[1]) : 10;
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", static_cast<std::size_t>(std::max(1u, std::thread::hardware_concurrency())));
  cfg.set("logger.console-verbosity", caf::atom("quiet"));
  caf::actor_system sys{cfg};

  test::chain_fixture f{4};
  std::vector<block> chain;
  chain_state s = f.gen.state;
  block_hash head = f.gen.hash;
  for (std::uint64_t slot = 1; slot <= 5000; ++slot) {
    auto built = f.build(s, head, slot_number{slot});
    chain.push_back(built.b);
    s = built.applied.state;
    head = hash_of(built.b);
  }

  std::vector<double> bus_off, bus_on, rt_off, rt_on, h_off, h_on, cpu_off, cpu_on, handled_on;
  std::uint64_t bus_lost = 0;
  const std::size_t bus_messages = 200'000;
  runtime_round(sys, f, chain, false);  // warm-up: first touches of the chain and the allocator
  for (int r = 0; r < rounds; ++r) {
    // Which goes first alternates, so warm caches and drift favour neither.
    for (bool on : {r % 2 == 1, r % 2 == 0}) {
      {
        auto b = bus_round(sys, on, bus_messages, bus_lost);
        (on ? bus_on : bus_off).push_back(b.per_second);
        (on ? cpu_on : cpu_off).push_back(b.cpu_us_per_message);
        if (on) handled_on.push_back(b.handled_per_message);
      }
      (on ? rt_on : rt_off).push_back(runtime_round(sys, f, chain, on));
      (on ? h_on : h_off).push_back(handler_round(sys, on, 1'000'000));
    }
  }
  std::printf("metrics overhead, median of %d rounds (off and on in each, alternating which goes first)\n", rounds);
  report("bus, 1 KiB one-way, CURVE loopback", "msg/s", bus_off, bus_on);
  if (bus_lost > 0)
    std::printf("  bus messages dropped at ZeroMQ's high-water mark: %llu of %zu\n",
                static_cast<unsigned long long>(bus_lost), bus_messages * 2 * static_cast<std::size_t>(rounds));
  report("runtime apply_block, empty blocks", "blk/s", rt_off, rt_on);
  report("one actor, empty handler", "msg/s", h_off, h_on);
  const double per_handled_ns = 1e9 / median(h_on) - 1e9 / median(h_off);
  std::printf("instrumentation per handled message: %+.0f ns\n", per_handled_ns);
  // The instrumentation's share of the bus from what it costs and how often
  // it runs: a figure the round-to-round noise of throughput does not hide.
  const double cpu_ns = 1e3 * median(cpu_off);
  std::printf("bus CPU per message (all threads): off %.2f us, on %.2f us; %.2f instrumented handler runs per message"
              " x %.0f ns = %.1f%% of the bus's CPU\n",
              median(cpu_off), median(cpu_on), median(handled_on), per_handled_ns,
              100.0 * median(handled_on) * per_handled_ns / cpu_ns);
  double load[3] = {};
  if (getloadavg(load, 3) == 3) std::printf("load average during the run: %.2f %.2f %.2f (2 cores)\n", load[0], load[1], load[2]);
}

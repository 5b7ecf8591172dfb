// The validator actor under CAF's deterministic test scheduler, in virtual
// time: a one-validator chain produces and finalizes on its own, so the
// actor's local client side can be checked exactly — the finalized views its
// watchers get, calls submitted for the node's own account, the ratio gauge,
// and a restart from its LMDB store (snapshot, events, pledged votes).
#include <doctest/doctest.h>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <nlohmann/json.hpp>

#include "actors/chain/validator_actor.hpp"
#include "actors/metrics/metrics_registry.hpp"
#include "protocol/chain/genesis.hpp"
#include "support/temp_dir.hpp"

using namespace datdot;
using datdot::storage::testing::temp_dir;

namespace {

constexpr std::uint64_t slot_ms = 1000;

key_pair key_of(std::uint8_t i) {
  key_seed seed{};
  seed[0] = i;
  seed[31] = 0x7a;
  return key_pair_from_seed(seed);
}

// Takes what the validator sends and drops it: with one validator nothing has to arrive anywhere.
bus_actor::behavior_type quiet_bus() {
  return {
      [](bus_send_atom, const node_id&, const message_body&) {},
      [](bus_broadcast_atom, role, const message_body&) {},
      [](bus_relay_atom, role, const node_id&, std::uint32_t, const message_body&) {},
      [](bus_multicast_atom, role, const std::vector<node_id>&, const node_id&, std::uint32_t, const message_body&) {},
      [](bus_request_atom, const node_id&, const message_body&, caf::timespan) -> caf::result<inbound_message> {
        return caf::make_error(caf::sec::request_timeout);
      },
      [](bus_add_peer_atom, const peer_info&) {},
      [](bus_route_atom, const peer_info&) {},
      [](bus_subscribe_atom, message_family, const inbox_actor&) {},
      [](bus_frame_atom, const curve_public_key&, const frame_buffer&) {},
      [](bus_timeout_atom, std::uint64_t) {},
      [](bus_metrics_atom) { return bus_metrics{}; },
      [](bus_heard_atom) { return std::vector<heard_peer>{}; },
  };
}

chain_watcher::behavior_type recording_watcher(std::shared_ptr<std::vector<finalized_view>> seen) {
  return {[seen](chain_final_atom, const finalized_view& v) { seen->push_back(v); }};
}

struct virtual_chain {
  temp_dir dir;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  caf::detail::test_actor_clock::time_point t0;
  genesis g;
  key_pair me = key_of(1);
  std::optional<storage::environment> env;
  bus_actor bus;
  validator_actor chain;
  chain_watcher watcher;
  metrics_registry registry;
  prometheus::Gauge& ratio_gauge = registry.gauge("datdot_test_ratio", "test").Add({});

  virtual_chain() {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.console-verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
    t0 = sched->clock().current_time;
    genesis_config gc;
    gc.params.slot_duration_ms = slot_ms;
    gc.validators = {account_id{me.pk}};
    gc.accounts = {{account_id{me.pk}, ratio{3'000'000}}};
    g = make_genesis(gc).value();
    bus = sys->spawn(quiet_bus);
    start();
  }

  // The test scheduler runs nothing by itself: every actor must be gone
  // before the actor system may be destroyed.
  ~virtual_chain() {
    caf::anon_send_exit(chain, caf::exit_reason::kill);
    caf::anon_send_exit(bus, caf::exit_reason::kill);
    if (watcher) caf::anon_send_exit(watcher, caf::exit_reason::kill);
    sched->run();
  }

  void watch(std::shared_ptr<std::vector<finalized_view>> seen) {
    watcher = sys->spawn(recording_watcher, std::move(seen));
    caf::anon_send(chain, chain_watch_atom_v, watcher);
    sched->run();
  }

  std::uint64_t now_ms() const {
    // Slot 1 starts at virtual time zero plus one slot: the genesis slot is 0.
    return slot_ms + static_cast<std::uint64_t>(
                         std::chrono::duration_cast<std::chrono::milliseconds>(sched->clock().current_time - t0).count());
  }

  void start() {
    env.emplace(storage::environment::open({.dir = dir.path()}).value());
    validator_config vc{std::make_shared<const genesis>(g), me, storage::chain_store::open(*env).value(), [this] { return now_ms(); }, 256 * 1024,
                        std::nullopt, {}};
    vc.snapshot_every_blocks = 3;
    vc.own.ratio = &ratio_gauge;
    chain = spawn_validator_actor(*sys, bus, std::move(vc)).value();
    sched->run();
  }

  void stop() {
    caf::anon_send_exit(chain, caf::exit_reason::kill);
    sched->run();
    chain = nullptr;
    env.reset();
  }

  // Runs messages and timers in virtual-time order for `slots` slots.
  void run_slots(std::uint64_t slots) {
    const auto end = sched->clock().current_time + std::chrono::milliseconds{slots * slot_ms};
    for (;;) {
      sched->run();
      const auto& timers = sched->clock().schedule();
      if (timers.empty() || timers.begin()->first > end) break;
      sched->clock().advance_time(timers.begin()->first - sched->clock().current_time);
    }
    sched->clock().advance_time(end - sched->clock().current_time);
    sched->run();
  }

  submitted_call submit(call c) {
    std::optional<submitted_call> answer;
    caf::scoped_actor self{*sys};
    auto pending = self->request(chain, caf::infinite, chain_submit_atom_v, std::move(c));
    sched->run();  // the test scheduler runs the chain; the answer then waits in our mailbox
    pending.receive([&](submitted_call& a) { answer = std::move(a); }, [](caf::error& e) { FAIL(caf::to_string(e)); });
    REQUIRE(answer);
    return *answer;
  }

  chain_reply query(chain_request r) {
    std::optional<chain_reply> answer;
    caf::scoped_actor self{*sys};
    auto pending = self->request(chain, caf::infinite, chain_query_atom_v, std::move(r));
    sched->run();
    pending.receive([&](chain_reply& a) { answer = std::move(a); }, [](caf::error& e) { FAIL(caf::to_string(e)); });
    REQUIRE(answer);
    return *answer;
  }
};

}  // namespace

TEST_CASE("a validator actor in virtual time feeds its watchers, signs its node's calls and restarts from its snapshot") {
  virtual_chain c;
  auto seen = std::make_shared<std::vector<finalized_view>>();
  c.watch(seen);
  REQUIRE(seen->size() == 1);  // the current view at once
  CHECK(seen->front().number.value == 0);
  CHECK(c.ratio_gauge.Value() == 3.0);

  // The node's own calls: signed with the next nonces, finalized in order.
  register_node reg;
  reg.roles.add(role::hoster);
  reg.capacity_bytes = 1 << 20;
  reg.bus_address = "tcp://127.0.0.1:1";
  const auto first = c.submit(reg);
  CHECK(first.accepted);
  CHECK(first.nonce == 0);
  const auto second = c.submit(transfer_ratio{account_id{key_of(2).pk}, ratio{1'000'000}});
  CHECK(second.accepted);
  CHECK(second.nonce == 1);
  CHECK(first.hash != second.hash);

  c.run_slots(8);
  REQUIRE(seen->size() > 3);
  for (std::size_t i = 1; i < seen->size(); ++i) CHECK((*seen)[i].number > (*seen)[i - 1].number);
  const auto& last = seen->back();
  CHECK(last.state->nodes.contains(account_id{c.me.pk}));
  CHECK(last.state->accounts.at(account_id{c.me.pk}).nonce == 2);
  CHECK(c.ratio_gauge.Value() == 2.0);  // 3 - 1 transferred
  const auto height = last.number.value;

  // A restart resumes from the store: the snapshot, the events of finalized
  // blocks, and the same finalized chain; production continues.
  c.stop();
  c.start();
  auto status = nlohmann::json::parse(c.query({chain_request::kind::status}).json);
  CHECK(status["finalized_height"].get<std::uint64_t>() >= height);
  const auto events = nlohmann::json::parse(c.query({chain_request::kind::events, "", 1, 0}).json);
  CHECK(events.dump().find("\"node_registered\"") != std::string::npos);
  CHECK(events.dump().find("\"ratio_transferred\"") != std::string::npos);
  c.run_slots(4);
  status = nlohmann::json::parse(c.query({chain_request::kind::status}).json);
  CHECK(status["finalized_height"].get<std::uint64_t>() > height);
  CHECK(status["synced"] == true);
  // After the restart the node's next call takes the next nonce.
  CHECK(c.submit(transfer_ratio{account_id{key_of(2).pk}, ratio{1}}).nonce == 2);
}

TEST_CASE("one feed is asked for by its key: a malformed key is 400, one not on the finalized chain 404") {
  virtual_chain c;
  c.run_slots(2);
  CHECK(c.query({chain_request::kind::feeds, "zz"}).status == 400);
  const auto missing = c.query({chain_request::kind::feeds, std::string(64, 'a')});
  CHECK(missing.status == 404);
  CHECK(nlohmann::json::parse(missing.json)["error"].get<std::string>().find("no feed") == 0);
  const auto all = nlohmann::json::parse(c.query({chain_request::kind::feeds}).json);
  CHECK(all["feeds"].empty());
}

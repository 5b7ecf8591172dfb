// Per-actor instrumentation on a real actor system: every handled message is
// counted and timed, the mailbox depth is sampled, and with no probe the
// behavior is untouched.
#include <doctest/doctest.h>

#include <optional>

#include "actors/metrics/actor_metrics.hpp"

using namespace datdot;

namespace {

using adder = caf::typed_actor<caf::replies_to<int, int>::with<int>>;

adder::behavior_type adder_impl(adder::pointer self, const actor_probe* probe) {
  return instrument(self, probe, adder::behavior_type{[](int a, int b) { return a + b; }});
}

// Spawned with an argument: CAF 0.17.6 dereferences a null empty-tuple pointer
// for argument-less spawns, which UBSan reports.
caf::behavior slow_impl(caf::event_based_actor* self, const actor_probe* probe) {
  return instrument(self, probe, caf::behavior{[](int) { std::this_thread::sleep_for(std::chrono::milliseconds{2}); }});
}

// Adders measured as one type, on a two-thread actor system.
struct measured_adders {
  metrics_registry registry;
  actor_metrics metrics{registry};
  actor_probe probe = metrics.probe("adder");
  caf::actor_system_config cfg;
  std::optional<caf::actor_system> sys;
  measured_adders() {
    cfg.set("scheduler.max-threads", 2);
    sys.emplace(cfg);
  }
  adder spawn() { return sys->spawn(adder_impl, &probe); }
  // `times` requests i + 1 for i = 0, 1, ..., each answered before the next.
  void ask(caf::scoped_actor& self, const adder& a, int times) {
    for (int i = 0; i < times; ++i)
      self->request(a, std::chrono::seconds{5}, i, 1).receive([&](int sum) { CHECK(sum == i + 1); },
                                                              [](caf::error& e) { FAIL(caf::to_string(e)); });
  }
};

}  // namespace

TEST_CASE("an instrumented actor counts and times every message it handles") {
  measured_adders m;
  auto& probe = m.probe;
  auto& registry = m.registry;
  auto a = m.spawn();
  caf::scoped_actor self{*m.sys};
  m.ask(self, a, 100);
  // An answer leaves from inside the handler, just before the count: once the
  // actor is gone every handled message has been counted.
  self->send_exit(a, caf::exit_reason::user_shutdown);
  self->wait_for(a);
  auto t = probe.type->totals();
  CHECK(t.handled() == 100);
  CHECK(t.mailbox_depth == 0);  // the actor is gone: its mailbox no longer counts
  CHECK(t.handling_nanoseconds > 0);
  auto text = registry.serialize();
  CHECK(text.find("datdot_actor_messages_handled_total{actor=\"adder\"} 100") != std::string::npos);
  CHECK(text.find("datdot_actor_handling_time_seconds_count{actor=\"adder\"} 100") != std::string::npos);
}

TEST_CASE("the mailbox depth shows messages queued behind the one being handled") {
  metrics_registry registry;
  actor_metrics metrics{registry};
  auto probe = metrics.probe("slow");
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto slow = sys.spawn(slow_impl, &probe);
  for (int i = 0; i < 50; ++i) caf::anon_send(slow, i);
  std::uint64_t deepest = 0;
  for (int i = 0; i < 500 && probe.type->totals().handled() < 50; ++i) {
    deepest = std::max(deepest, probe.type->totals().mailbox_depth);
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  }
  auto t = probe.type->totals();
  CHECK(t.handled() == 50);
  CHECK(deepest > 0);
  CHECK(t.mailbox_depth == 0);  // the last one left nothing behind
  // 2 ms each: every one in the bucket up to 4.096 ms (1 us * 4^6), unless the machine stalled it longer.
  CHECK(t.buckets[6] + t.buckets[7] + t.buckets[8] + t.buckets[9] + t.buckets[10] + t.buckets[11] + t.buckets[12] == 50);
  caf::anon_send_exit(slow, caf::exit_reason::user_shutdown);
}

TEST_CASE("actors of one type add up, and what a stopped actor handled stays counted") {
  measured_adders m;
  auto first = m.spawn();
  auto second = m.spawn();
  caf::scoped_actor self{*m.sys};
  m.ask(self, first, 30);
  m.ask(self, second, 12);
  self->send_exit(first, caf::exit_reason::user_shutdown);
  self->wait_for(first);
  m.ask(self, second, 3);
  self->send_exit(second, caf::exit_reason::user_shutdown);
  self->wait_for(second);
  CHECK(m.metrics.probe("adder").type->totals().handled() == 45);
  CHECK(m.registry.serialize().find("datdot_actor_messages_handled_total{actor=\"adder\"} 45") != std::string::npos);
}

TEST_CASE("handling times fall in the first bucket whose bound is at or above them") {
  CHECK(handling_bucket(0) == 0);
  CHECK(handling_bucket(1000) == 0);  // 1 us: the first bound
  CHECK(handling_bucket(1001) == 1);
  CHECK(handling_bucket(4000) == 1);
  CHECK(handling_bucket(4001) == 2);
  CHECK(handling_bucket(1'024'000) == 5);  // 1.024 ms
  CHECK(handling_bucket(4'194'304'000) == 11);  // the last bound, ~4.19 s
  CHECK(handling_bucket(4'194'304'001) == handling_bounds);  // +Inf
  CHECK(handling_bucket(~std::uint64_t{0}) == handling_bounds);
  for (std::size_t i = 0; i < handling_bounds; ++i) {
    auto bound_ns = static_cast<std::uint64_t>(handling_bound_seconds(i) * 1e9 + 0.5);
    CHECK(handling_bucket(bound_ns) == i);
    CHECK(handling_bucket(bound_ns + 1) == i + 1);
  }
}

TEST_CASE("without a probe the behavior is not wrapped") {
  adder::behavior_type b{[](int a, int b) { return a + b; }};
  auto impl = b.unbox().as_behavior_impl();
  auto same = instrument(nullptr, nullptr, std::move(b));
  CHECK(same.unbox().as_behavior_impl() == impl);
}

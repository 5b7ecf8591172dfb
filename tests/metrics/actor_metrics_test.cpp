// Per-actor instrumentation on a real actor system: every handled message is
// counted and timed, the mailbox depth is sampled, and with no probe the
// behavior is untouched.
#include <doctest/doctest.h>

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

double histogram_count(const prometheus::Histogram& h) {
  return static_cast<double>(h.Collect().histogram.sample_count);
}

}  // namespace

TEST_CASE("an instrumented actor counts and times every message it handles") {
  metrics_registry registry;
  actor_metrics metrics{registry};
  auto probe = metrics.probe("adder");
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system sys{cfg};
  auto a = sys.spawn(adder_impl, &probe);
  caf::scoped_actor self{sys};
  for (int i = 0; i < 100; ++i)
    self->request(a, std::chrono::seconds{5}, i, 1).receive([&](int sum) { CHECK(sum == i + 1); },
                                                            [](caf::error& e) { FAIL(caf::to_string(e)); });
  // An answer leaves from inside the handler, just before the count: once the
  // actor is gone every handled message has been counted.
  self->send_exit(a, caf::exit_reason::user_shutdown);
  self->wait_for(a);
  CHECK(probe.handled->Value() == 100);
  CHECK(histogram_count(*probe.handling_time) == 100);
  CHECK(probe.mailbox_depth->Value() == 0);  // each request waited for its answer: nothing queued behind it
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
  double deepest = 0;
  for (int i = 0; i < 500 && probe.handled->Value() < 50; ++i) {
    deepest = std::max(deepest, probe.mailbox_depth->Value());
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  }
  CHECK(probe.handled->Value() == 50);
  CHECK(deepest > 0);
  caf::anon_send_exit(slow, caf::exit_reason::user_shutdown);
}

TEST_CASE("without a probe the behavior is not wrapped") {
  adder::behavior_type b{[](int a, int b) { return a + b; }};
  auto impl = b.unbox().as_behavior_impl();
  auto same = instrument(nullptr, nullptr, std::move(b));
  CHECK(same.unbox().as_behavior_impl() == impl);
}

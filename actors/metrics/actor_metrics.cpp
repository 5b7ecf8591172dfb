#include "actors/metrics/actor_metrics.hpp"

#include <chrono>

namespace datdot {
namespace {

// 1 us to ~4 s in powers of four: a handler is a decode and a pure call, so
// most land in the first buckets; the tail shows blocking work that should not be there.
prometheus::Histogram::BucketBoundaries handling_buckets_seconds() {
  prometheus::Histogram::BucketBoundaries b;
  for (double s = 1e-6; s < 5.0; s *= 4) b.push_back(s);
  return b;
}

// A decorator over CAF's behavior: the same match cases, measured.
class measured_behavior : public caf::detail::behavior_impl {
 public:
  measured_behavior(caf::scheduled_actor* self, actor_probe probe, caf::behavior inner)
      : caf::detail::behavior_impl(inner.timeout()), self_(self), probe_(std::move(probe)), inner_(std::move(inner)) {}

  caf::match_case::result invoke(caf::detail::invoke_result_visitor& f, caf::type_erased_tuple& xs) override {
    auto start = std::chrono::steady_clock::now();
    auto result = inner_.as_behavior_impl()->invoke(f, xs);
    if (result != caf::match_case::match) return result;
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    probe_.handled->Increment();
    probe_.handling_time->Observe(took.count());
    // Messages already moved into the actor's queues; ones that arrived
    // during the current round are counted at the next message.
    probe_.mailbox_depth->Set(static_cast<double>(self_->mailbox().queue().total_task_size()));
    return result;
  }
  caf::match_case::result invoke_empty(caf::detail::invoke_result_visitor& f) override {
    return inner_.as_behavior_impl()->invoke_empty(f);
  }
  void handle_timeout() override { inner_.handle_timeout(); }

 private:
  caf::scheduled_actor* self_;
  actor_probe probe_;
  caf::behavior inner_;
};

}  // namespace

actor_metrics::actor_metrics(metrics_registry& registry)
    : handled_(registry.counter("datdot_actor_messages_handled_total",
                                "Messages handled by actors of this type (requests and one-way messages)")),
      mailbox_depth_(registry.gauge("datdot_actor_mailbox_depth_messages",
                                    "Messages waiting in the mailbox, sampled after each handled message")),
      handling_time_(registry.histogram("datdot_actor_handling_time_seconds",
                                        "Time spent in one message handler")),
      lifetime_(registry.lifetime()) {}

actor_probe actor_metrics::probe(const std::string& actor_type) {
  prometheus::Labels labels{{"actor", actor_type}};
  return actor_probe{&handled_.Add(labels), &mailbox_depth_.Add(labels),
                     &handling_time_.Add(labels, handling_buckets_seconds()), lifetime_};
}

caf::behavior instrument(caf::scheduled_actor* self, const actor_probe* probe, caf::behavior b) {
  if (!probe || !b) return b;
  caf::behavior::impl_ptr measured{caf::make_counted<measured_behavior>(self, *probe, std::move(b))};
  return caf::behavior{std::move(measured)};
}

}  // namespace datdot

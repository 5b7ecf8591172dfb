#include "actors/metrics/actor_metrics.hpp"

#include <chrono>
#include <limits>

namespace datdot {
namespace {

const family_declaration handled_family{"datdot_actor_messages_handled_total",
                                        "Messages handled by actors of this type (requests and one-way messages)",
                                        prometheus::MetricType::Counter};
const family_declaration mailbox_family{
    "datdot_actor_mailbox_depth_messages",
    "Messages waiting in the mailboxes of the running actors of this type, as each saw it after its last message",
    prometheus::MetricType::Gauge};
const family_declaration handling_family{"datdot_actor_handling_time_seconds", "Time spent in one message handler",
                                         prometheus::MetricType::Histogram};

prometheus::ClientMetric handling_histogram(const std::string& type, const actor_totals& t) {
  prometheus::ClientMetric m;
  m.label.push_back({"actor", type});
  m.histogram.sample_count = t.handled();
  m.histogram.sample_sum = static_cast<double>(t.handling_nanoseconds) * 1e-9;
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < t.buckets.size(); ++i) {
    cumulative += t.buckets[i];
    m.histogram.bucket.push_back({cumulative, i < handling_bounds ? handling_bound_seconds(i)
                                                                  : std::numeric_limits<double>::infinity()});
  }
  return m;
}

// A decorator over CAF's behavior: the same match cases, measured.
class measured_behavior : public caf::detail::behavior_impl {
 public:
  measured_behavior(caf::scheduled_actor* self, const actor_probe& probe, caf::behavior inner)
      : caf::detail::behavior_impl(inner.timeout()),
        self_(self),
        tally_(std::make_unique<actor_tally>(probe.type)),
        inner_(std::move(inner)) {}

  caf::match_case::result invoke(caf::detail::invoke_result_visitor& f, caf::type_erased_tuple& xs) override {
    auto start = std::chrono::steady_clock::now();
    auto result = inner_.as_behavior_impl()->invoke(f, xs);
    if (result != caf::match_case::match) return result;
    auto took = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start);
    // Messages already moved into the actor's queues; ones that arrived
    // during the current round are counted at the next message.
    tally_->record(static_cast<std::uint64_t>(took.count()), self_->mailbox().queue().total_task_size());
    return result;
  }
  caf::match_case::result invoke_empty(caf::detail::invoke_result_visitor& f) override {
    return inner_.as_behavior_impl()->invoke_empty(f);
  }
  void handle_timeout() override { inner_.handle_timeout(); }

 private:
  caf::scheduled_actor* self_;
  std::unique_ptr<actor_tally> tally_;  // its own cache line, away from the behavior's other fields
  caf::behavior inner_;
};

}  // namespace

actor_metrics::actor_metrics(metrics_registry& registry) {
  registry.add_collector({handled_family, mailbox_family, handling_family}, [types = types_] {
    auto handled = make_family(handled_family), mailbox = make_family(mailbox_family),
         handling = make_family(handling_family);
    std::lock_guard lock{types->mutex};
    for (const auto& [name, tally] : types->by_name) {
      auto t = tally->totals();
      add_sample(handled, {{"actor", name}}, static_cast<double>(t.handled()));
      add_sample(mailbox, {{"actor", name}}, static_cast<double>(t.mailbox_depth));
      handling.metric.push_back(handling_histogram(name, t));
    }
    return std::vector<prometheus::MetricFamily>{std::move(handled), std::move(mailbox), std::move(handling)};
  });
}

actor_probe actor_metrics::probe(const std::string& actor_type) {
  std::lock_guard lock{types_->mutex};
  auto& tally = types_->by_name[actor_type];
  if (!tally) tally = std::make_shared<actor_type_tally>();
  return actor_probe{tally};
}

caf::behavior instrument(caf::scheduled_actor* self, const actor_probe* probe, caf::behavior b) {
  if (!probe || !b) return b;
  caf::behavior::impl_ptr measured{caf::make_counted<measured_behavior>(self, *probe, std::move(b))};
  return caf::behavior{std::move(measured)};
}

}  // namespace datdot

// Per actor type (bus, node, validator, hoster, ...): messages handled,
// mailbox depth and handling time (datdot_actor_*). An actor opts in by
// wrapping its behavior once with instrument(); with no probe the behavior is
// returned untouched, so metrics can be switched off at no cost.
#pragma once

#include <string>

#include <caf/all.hpp>

#include "actors/metrics/metrics_registry.hpp"

namespace datdot {

// The three series of one actor type, and what keeps them alive.
struct actor_probe {
  prometheus::Counter* handled;
  prometheus::Gauge* mailbox_depth;
  prometheus::Histogram* handling_time;
  std::shared_ptr<const void> lifetime;
};

class actor_metrics {
 public:
  explicit actor_metrics(metrics_registry& registry);
  // The same probe for every actor of this type (the label is the type, not the instance).
  actor_probe probe(const std::string& actor_type);

 private:
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Gauge>& mailbox_depth_;
  prometheus::Family<prometheus::Histogram>& handling_time_;
  std::shared_ptr<const void> lifetime_;
};

// Wraps every handler of `b`: counts each message the behavior handles, times
// it, and records the mailbox depth left behind it. Responses to the actor's
// own requests (.then handlers) do not pass through the behavior and are not
// counted. The behavior keeps its own copy of the probe.
caf::behavior instrument(caf::scheduled_actor* self, const actor_probe* probe, caf::behavior b);

template <class... Sigs>
caf::typed_behavior<Sigs...> instrument(caf::scheduled_actor* self, const actor_probe* probe,
                                        caf::typed_behavior<Sigs...> b) {
  if (!probe) return b;
  using typed = caf::typed_behavior<Sigs...>;
  return typed{typename typed::unsafe_init{}, instrument(self, probe, std::move(b.unbox()))};
}

}  // namespace datdot

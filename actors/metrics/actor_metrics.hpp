// Per actor type (bus, node, validator, hoster, ...): messages handled,
// mailbox depth and handling time (datdot_actor_*). An actor opts in by
// wrapping its behavior once with instrument(); with no probe the behavior is
// returned untouched, so metrics can be switched off at no cost.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <caf/all.hpp>

#include "actors/metrics/actor_tally.hpp"
#include "actors/metrics/metrics_registry.hpp"

namespace datdot {

// Where the actors of one type report. Copies share the type's tally.
struct actor_probe {
  std::shared_ptr<actor_type_tally> type;
};

class actor_metrics {
 public:
  explicit actor_metrics(metrics_registry& registry);
  // The same probe for every actor of this type (the label is the type, not the instance).
  actor_probe probe(const std::string& actor_type);

 private:
  struct types {
    std::mutex mutex;
    std::map<std::string, std::shared_ptr<actor_type_tally>> by_name;
  };
  std::shared_ptr<types> types_ = std::make_shared<types>();  // shared with the registry's collector
};

// Wraps every handler of `b`: counts each message the behavior handles, times
// it, and records the mailbox depth left behind it. Responses to the actor's
// own requests (.then handlers) do not pass through the behavior and are not
// counted.
caf::behavior instrument(caf::scheduled_actor* self, const actor_probe* probe, caf::behavior b);

template <class... Sigs>
caf::typed_behavior<Sigs...> instrument(caf::scheduled_actor* self, const actor_probe* probe,
                                        caf::typed_behavior<Sigs...> b) {
  if (!probe) return b;
  using typed = caf::typed_behavior<Sigs...>;
  return typed{typename typed::unsafe_init{}, instrument(self, probe, std::move(b.unbox()))};
}

}  // namespace datdot

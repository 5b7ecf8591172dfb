// Asking an actor from a scrape or health-probe thread (civetweb's, not an
// actor's): a blocking round trip with a bound, so a stuck actor costs a scrape
// its samples, never a hung HTTP thread.
#pragma once

#include <chrono>
#include <optional>

#include <caf/all.hpp>

namespace datdot {

// Well under Prometheus's default 10 s scrape timeout.
inline constexpr auto scrape_ask_timeout = std::chrono::milliseconds{1000};

template <class Reply, class Actor, class... Ts>
std::optional<Reply> scrape_ask(caf::actor_system& sys, const Actor& who, Ts... xs) {
  std::optional<Reply> out;
  caf::scoped_actor self{sys};
  self->request(who, scrape_ask_timeout, xs...).receive([&](Reply& r) { out = std::move(r); }, [](caf::error&) {});
  return out;
}

}  // namespace datdot

// The replicas of a state by hoster: each hoster's replicas in the state's
// order, the same duties as a scan of every feed, and one index per state
// object however often it is asked for.
#include <doctest/doctest.h>

#include "protocol/duties/duties.hpp"
#include "protocol/duties/replicas_by_hoster.hpp"

using namespace datdot;

namespace {

account_id account(byte b) {
  account_id a;
  a.key.fill(b);
  return a;
}

// Five feeds of three replicas, hosted by two nodes in turn; every other one being encoded.
std::shared_ptr<chain_state> state_of_five_feeds() {
  auto s = std::make_shared<chain_state>();
  for (byte k = 1; k <= 5; ++k) {
    feed_record f;
    for (std::uint32_t i = 0; i < 3; ++i) {
      replica_record r;
      r.hoster = account(static_cast<byte>(1 + (k + i) % 2));
      r.state = (k + i) % 3 == 0 ? replica_state::active : replica_state::encoding;
      f.replicas.push_back(r);
    }
    feed_key key;
    key.bytes.fill(k);
    s->feeds.emplace(key, f);
  }
  return s;
}

}  // namespace

TEST_CASE("a state's replicas by hoster are each hoster's own, in the state's order") {
  const auto s = state_of_five_feeds();
  const replicas_by_hoster index{*s};
  for (const auto& who : {account(1), account(2)}) {
    std::vector<std::pair<feed_key, std::uint32_t>> scanned, indexed;
    for (const auto& [key, f] : s->feeds)
      for (std::uint32_t i = 0; i < f.replicas.size(); ++i)
        if (f.replicas[i].hoster == who) scanned.emplace_back(key, i);
    for (const auto& [entry, i] : index.of(who)) indexed.emplace_back(entry->first, i);
    CHECK(indexed == scanned);
    CHECK(indexed.size() > 5);
  }
  CHECK(index.of(account(3)).empty());
}

TEST_CASE("a shared state's intake duties come from one index made for that state object") {
  std::shared_ptr<const chain_state> s = state_of_five_feeds();
  const auto index = replicas_by_hoster_of(s);
  CHECK(replicas_by_hoster_of(s) == index);
  for (const auto& who : {account(1), account(2)}) {
    const auto shared = intake_duties(s, who), scanned = intake_duties(*s, who);
    REQUIRE(shared.size() == scanned.size());
    CHECK(shared.size() < index->of(who).size());  // active replicas have no work
    for (std::size_t i = 0; i < shared.size(); ++i)
      CHECK((shared[i].key == scanned[i].key && shared[i].replica == scanned[i].replica));
  }
  // An equal state is another object, with its own index, pointing into it.
  const std::shared_ptr<const chain_state> copy = std::make_shared<const chain_state>(*s);
  const auto other = replicas_by_hoster_of(copy);
  CHECK(other != index);
  CHECK(&other->of(account(1)).front().first->second == &copy->feeds.begin()->second);
}

// The ledger invariants of `datdot sim` on hand-made states and event lists:
// each holds on a consistent ledger and fails, naming the node, on the one
// thing broken.
#include <doctest/doctest.h>

#include "actors/sim/ledger_checker.hpp"

#include <nlohmann/json.hpp>

using namespace datdot;

namespace {

account_id account(std::uint8_t n) {
  account_id a{};
  a.key.fill(n);
  return a;
}

std::string hex(std::uint8_t n) { return to_hex(byte_view{account(n).key}); }

chain_state genesis_state() {
  chain_state s;
  s.params.challenge_period_slots = 10;
  s.params.challenge_deadline_blocks = 4;
  s.accounts[account(1)].balance = ratio{1000};
  s.accounts[account(2)].balance = ratio{500};
  return s;
}

ledger_checker checker(const chain_state& g) { return ledger_checker{g, {account(0), account(1), account(2)}}; }

std::optional<invariant_violation> events(ledger_checker& c, const std::string& json) {
  return c.check_events(nlohmann::json::parse(json));
}

}  // namespace

TEST_CASE("ratio moved between accounts and backings is conserved, and minted or burnt ratio is named") {
  const auto g = genesis_state();
  auto c = checker(g);
  auto s = g;
  s.number = block_number{1};
  s.accounts[account(1)].balance = ratio{700};
  s.feeds[feed_key{}].backing = ratio{300};
  CHECK_FALSE(c.check_state(s).has_value());
  s.accounts[account(2)].balance = ratio{501};
  const auto bad = c.check_state(s);
  REQUIRE(bad.has_value());
  CHECK(bad->invariant == "ratio_conserved");
  CHECK(c.states_checked() == 2);
}

TEST_CASE("a hoster reserved beyond its capacity is named") {
  const auto g = genesis_state();
  auto c = checker(g);
  auto s = g;
  s.nodes[account(2)].capacity_bytes = 100;
  s.nodes[account(2)].reserved_bytes = 100;
  CHECK_FALSE(c.check_state(s).has_value());
  s.nodes[account(2)].reserved_bytes = 101;
  const auto bad = c.check_state(s);
  REQUIRE(bad.has_value());
  CHECK(bad->invariant == "capacity_respected");
  CHECK(bad->node == 2);
}

TEST_CASE("an active replica left unchallenged past its due block, a period and a deadline, is named") {
  const auto g = genesis_state();
  auto c = checker(g);
  auto s = g;
  replica_record r;
  r.hoster = account(1);
  r.state = replica_state::active;
  r.next_challenge_at = block_number{20};
  s.feeds[feed_key{}].replicas.push_back(r);
  s.number = block_number{34};  // 20 + 10 + 4: still in time
  CHECK_FALSE(c.check_state(s).has_value());
  s.number = block_number{35};
  auto bad = c.check_state(s);
  REQUIRE(bad.has_value());
  CHECK(bad->invariant == "replicas_challenged");
  CHECK(bad->node == 1);
  challenge_record open;
  open.feed = feed_key{};
  open.replica = 0;
  s.challenges.emplace(7, open);
  CHECK_FALSE(c.check_state(s).has_value());  // its challenge is under way
  s.challenges.clear();
  s.feeds[feed_key{}].replicas[0].state = replica_state::failed;
  CHECK_FALSE(c.check_state(s).has_value());
}

TEST_CASE("every payment is backed by service recorded in its block") {
  const auto g = genesis_state();
  auto c = checker(g);
  const auto paid = [](std::uint8_t to) {
    return R"({"type":"hosting_paid","to":")" + hex(to) + R"(","amount_units":5,"block":9})";
  };
  // An encoder paid for an activation it sealed.
  CHECK_FALSE(events(c, "[" + paid(1) + R"(,{"type":"replica_activated","encoder":")" + hex(1) + R"("}])").has_value());
  // A hoster paid for a passed challenge whose proof was verified in an earlier block, with an attester.
  CHECK_FALSE(events(c, R"([{"type":"storage_proved","challenge":3},{"type":"attestation_recorded","challenge":3,"attester":")" +
                            hex(2) + R"("}])")
                  .has_value());
  CHECK_FALSE(events(c, "[" + paid(2) + R"(,{"type":"challenge_resolved","challenge":3,"passed":true,"hoster":")" +
                            hex(1) + R"("},)" + paid(1) + "]")
                  .has_value());
  CHECK(c.payouts_checked() == 3);
  // Paid twice for one service, paid for a passed challenge never proved, paid for nothing.
  auto twice = events(c, "[" + paid(1) + "," + paid(1) + R"(,{"type":"replica_extended","encoder":")" + hex(1) + R"("}])");
  REQUIRE(twice.has_value());
  CHECK(twice->invariant == "payout_backed");
  CHECK(twice->node == 1);
  CHECK(events(c, "[" + paid(1) + R"(,{"type":"challenge_resolved","challenge":4,"passed":true,"hoster":")" + hex(1) +
                      R"("}])")
            .has_value());
  CHECK(events(c, "[" + paid(2) + "]").has_value());
}

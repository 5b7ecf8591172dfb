// The multi-validator sweep: N pure validators on the simulated network,
// driven slot by slot. Safety (no conflicting finality) with up to f < n/3
// equivocating and double-voting validators; liveness with f offline; a stall
// with more than n/3 offline that ends when they return; healing partitions;
// determinism. A failing seed prints itself and how to replay it.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "chain/sim_network.hpp"

using namespace datdot;
using namespace datdot::test;

#ifndef DATDOT_CHAIN_SWEEP_SEEDS
#define DATDOT_CHAIN_SWEEP_SEEDS 10
#endif

namespace {

// DATDOT_CHAIN_SEED=<n> replays one seed.
std::vector<std::uint64_t> sweep_seeds() {
  if (const char* one = std::getenv("DATDOT_CHAIN_SEED")) return {std::strtoull(one, nullptr, 10)};
  std::vector<std::uint64_t> seeds;
  for (std::uint64_t s = 1; s <= DATDOT_CHAIN_SWEEP_SEEDS; ++s) seeds.push_back(s);
  return seeds;
}

std::string replay_hint(std::uint64_t seed) {
  std::ostringstream os;
  os << "seed " << seed << " failed; replay: DATDOT_CHAIN_SEED=" << seed << " ./tests/chain/"
     << (DATDOT_CHAIN_SWEEP_SEEDS > 10 ? "chain_soak_test" : "chain_network_test") << " -tc='"
     << doctest::getContextOptions()->currentTest->m_name << "'";
  return os.str();
}

std::uint64_t min_finalized(const sim_network& net, const std::vector<std::size_t>& nodes) {
  std::uint64_t out = UINT64_MAX;
  for (auto i : nodes) out = std::min(out, net.node(i).tree().finalized().number.value);
  return out;
}

std::vector<std::size_t> range(std::size_t from, std::size_t to) {
  std::vector<std::size_t> out;
  for (auto i = from; i < to; ++i) out.push_back(i);
  return out;
}

std::size_t faulty_max(std::size_t n) { return (n - 1) / 3; }

}  // namespace

TEST_CASE("no conflicting finality with f < n/3 equivocating and double-voting validators") {
  for (std::size_t n : {4u, 7u, 10u})
    for (auto seed : sweep_seeds()) {
      network_options o;
      o.validators = n;
      o.seed = seed * 1000 + n;
      o.delay_ms_max = 300;
      o.loss_per_mille = 20;
      for (std::size_t i = 0; i < faulty_max(n); ++i) {
        o.equivocators.insert(i);
        o.double_voters.insert(i);
      }
      sim_network net{o};
      net.run_until_slot(30);
      INFO(replay_hint(seed), " n=", n);
      for (const auto& c : net.conflicts()) INFO(c);
      REQUIRE(net.safe());
      // Honest voters keep finalizing, and the offences reach the chain.
      const auto honest = range(faulty_max(n), n);
      CHECK(min_finalized(net, honest) >= 10);
      const auto& state = net.node(n - 1).tree().finalized().state();
      CHECK(state.offences.size() == faulty_max(n));
    }
}

TEST_CASE("finality continues with f validators offline") {
  for (std::size_t n : {4u, 7u, 10u})
    for (auto seed : sweep_seeds()) {
      network_options o;
      o.validators = n;
      o.seed = seed * 1000 + n;
      o.loss_per_mille = 10;
      sim_network net{o};
      for (std::size_t i = 0; i < faulty_max(n); ++i) net.set_online(i, false);
      net.run_until_slot(30);
      INFO(replay_hint(seed), " n=", n);
      REQUIRE(net.safe());
      const auto online = range(faulty_max(n), n);
      for (auto i : online) CHECK(net.node(i).tree().best().number.value - net.node(i).tree().finalized().number.value <= 3);
      CHECK(min_finalized(net, online) >= 15);
    }
}

TEST_CASE("finality stalls with more than n/3 offline and resumes when they return") {
  for (std::size_t n : {4u, 7u, 10u})
    for (auto seed : sweep_seeds()) {
      network_options o;
      o.validators = n;
      o.seed = seed * 1000 + n;
      sim_network net{o};
      const auto away = faulty_max(n) + 1;
      for (std::size_t i = 0; i < away; ++i) net.set_online(i, false);
      net.run_until_slot(12);
      INFO(replay_hint(seed), " n=", n);
      CHECK(min_finalized(net, range(0, n)) == 0);
      CHECK(net.node(n - 1).tree().best().number.value >= 4);  // blocks are still produced
      for (std::size_t i = 0; i < away; ++i) net.set_online(i, true);
      net.run_until_slot(40);
      REQUIRE(net.safe());
      CHECK(min_finalized(net, range(0, n)) >= 20);
    }
}

TEST_CASE("partitions without a supermajority stall and once healed every node converges on one finalized chain") {
  for (auto seed : sweep_seeds()) {
    network_options o;
    o.validators = 7;
    o.seed = seed;
    sim_network net{o};
    net.partition({0, 0, 0, 1, 1, 1, 1});  // 3 + 4: neither side has 5 of 7
    net.run_until_slot(10);
    INFO(replay_hint(seed));
    CHECK(min_finalized(net, range(0, 7)) == 0);
    net.heal();
    net.run_until_slot(35);
    REQUIRE(net.safe());
    CHECK(min_finalized(net, range(0, 7)) >= 15);
    // A majority side keeps going; the minority catches up after the heal.
    net.partition({0, 0, 1, 1, 1, 1, 1});
    const auto before = min_finalized(net, range(2, 7));
    net.run_until_slot(50);
    CHECK(min_finalized(net, range(2, 7)) >= before + 8);
    net.heal();
    net.run_until_slot(65);
    REQUIRE(net.safe());
    CHECK(min_finalized(net, range(0, 7)) >= before + 20);
  }
}

TEST_CASE("the same seed gives the same chain and state root and finality twice") {
  auto run = [](std::uint64_t seed) {
    network_options o;
    o.validators = 4;
    o.seed = seed;
    o.loss_per_mille = 50;
    o.equivocators = {0};
    o.double_voters = {0};
    sim_network net{o};
    for (std::uint64_t i = 0; i < 8; ++i)
      net.submit(1 + i % 3, make_extrinsic(net.fixture().chain(), net.fixture().users[i % 4], i / 4,
                                          transfer_ratio{id_of(net.fixture().users[(i + 1) % 4]), ratio{i + 1}}));
    net.run_until_slot(25);
    std::vector<hash32> out;
    for (std::size_t i = 0; i < net.size(); ++i) {
      out.push_back(net.node(i).tree().finalized().hash.bytes);
      out.push_back(state_root(net.node(i).tree().best().state()));
    }
    return out;
  };
  for (auto seed : sweep_seeds()) {
    INFO(replay_hint(seed));
    CHECK(run(seed) == run(seed));
  }
}

TEST_CASE("epochs - joins and leaves take effect at the boundary which the old set finalizes before the new set continues") {
  for (auto seed : sweep_seeds()) {
    network_options o;
    o.validators = 4;
    o.extra_nodes = 1;  // node 4 joins
    o.epoch_length_slots = 10;
    o.seed = seed;
    o.loss_per_mille = 10;
    sim_network net{o};
    const auto& chain = net.fixture().chain();
    register_node as_validator;
    as_validator.roles.add(role::validator);
    as_validator.bus_address = "tcp://10.0.0.5:7000";
    net.submit(4, make_extrinsic(chain, net.key(4), 0, as_validator));
    net.submit(4, make_extrinsic(chain, net.key(4), 1, join_validators{}));
    net.run_until_slot(5);
    INFO(replay_hint(seed));
    const auto first_set = net.node(0).tree().best().state().validators;
    CHECK(first_set.members.size() == 4);
    CHECK(net.node(0).tree().best().state().joining.size() == 1);

    net.run_until_slot(14);  // epoch 1 began at slot 10
    const auto& second = net.node(2).tree().best().state().validators;
    CHECK(second.id == set_id{1});
    CHECK(second.contains(net.node(4).id()));
    net.submit(1, make_extrinsic(chain, net.key(1), 0, leave_validators{}));

    net.run_until_slot(45);  // epoch 2 began at slot 20, without validator 1
    REQUIRE(net.safe());
    for (std::size_t i = 0; i < net.size(); ++i) {
      const auto& final_state = net.node(i).tree().finalized().state();
      CHECK(final_state.validators.id == set_id{2});
      CHECK_FALSE(final_state.validators.contains(net.node(1).id()));
      CHECK(final_state.slot.value >= 30);
      CHECK(net.node(i).voter().voters() == final_state.validators);
    }
  }
}

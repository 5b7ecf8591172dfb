// Shared by the chain tests: deterministic keys, a genesis with n validators
// and funded accounts, and a small chain builder on top of build_block.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/keys.hpp"
#include "crypto/rabin_williams.hpp"
#include "protocol/chain/block_execution.hpp"
#include "protocol/chain/epoch_transition.hpp"
#include "protocol/chain/genesis.hpp"
#include "protocol/chain/leader.hpp"

namespace datdot::test {

inline key_pair test_key(std::uint64_t index) {
  key_seed seed{};
  for (int i = 0; i < 8; ++i) seed[i] = static_cast<byte>(index >> (8 * i));
  seed[31] = 0xc4;
  return key_pair_from_seed(seed);
}

inline account_id id_of(const key_pair& k) { return account_id{k.pk}; }

// One sealing key for every test encoder (making one takes a while): the
// chain checks that an encoder names a valid key, not that keys differ.
inline const sealer& test_sealer() {
  static const auto s = [] {
    key_seed seed{};
    seed[0] = 0x5e;
    return rabin_williams::from_seed(seed);
  }();
  return *s;
}

inline const bytes& test_seal_key() {
  static const bytes key = test_sealer().public_part().public_key_bytes();
  return key;
}

// A registration with `roles`, and a sealing key when it encodes.
inline register_node test_registration(role_set roles, std::uint64_t capacity, std::string bus_address) {
  register_node r;
  r.roles = roles;
  r.capacity_bytes = capacity;
  r.bus_address = std::move(bus_address);
  if (roles.contains(role::encoder)) r.seal_key = test_seal_key();
  return r;
}

// Validators are keys 0..n-1; accounts with ratio are keys 0..n+extra-1.
struct chain_fixture {
  std::vector<key_pair> validators;
  std::vector<key_pair> users;
  genesis gen;

  explicit chain_fixture(std::size_t n, std::size_t users_count = 4, chain_params params = {}) {
    genesis_config config;
    config.params = params;
    for (std::size_t i = 0; i < n; ++i) {
      validators.push_back(test_key(i));
      config.validators.push_back(id_of(validators.back()));
      config.accounts.emplace_back(id_of(validators.back()), ratio{1'000'000});
    }
    for (std::size_t i = 0; i < users_count; ++i) {
      users.push_back(test_key(1000 + i));
      config.accounts.emplace_back(id_of(users.back()), ratio{5'000'000});
    }
    gen = make_genesis(config).value();
  }

  const chain_id& chain() const { return gen.state.chain; }

  const key_pair& leader_key(const chain_state& s, slot_number slot) const {
    const auto set = validators_for_slot(s, slot);
    const auto leader = leader_of(set, slot);
    for (const auto& k : validators)
      if (id_of(k) == leader) return k;
    throw std::runtime_error("leader is not a fixture validator");
  }

  // The block the leader of `slot` builds on (state, hash) from `xs`.
  built_block build(const chain_state& s, const block_hash& parent, slot_number slot,
                    const std::vector<extrinsic>& xs = {}) const {
    return build_block(s, parent, slot, leader_key(s, slot), xs).value();
  }
};

}  // namespace datdot::test

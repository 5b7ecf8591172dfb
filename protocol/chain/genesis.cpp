#include "protocol/chain/genesis.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "crypto/blake2b.hpp"
#include "protocol/chain/block.hpp"
#include "protocol/chain/chain_limits.hpp"

namespace datdot {
namespace {

chain_result<account_id> parse_id(const nlohmann::json& j) {
  if (!j.is_string()) return chain_fail(chain_errc::bad_config, "an id must be a hex string");
  auto key = from_hex_fixed<32>(j.get<std::string>());
  if (!key) return chain_fail(chain_errc::bad_config, key.err().message);
  return account_id{*key};
}

chain_status check_params(const chain_params& p) {
  if (p.slot_duration_ms < chain_limits::slot_duration_ms_min)
    return chain_fail(chain_errc::bad_config, "slot_duration_ms below the minimum");
  if (p.epoch_length_slots < chain_limits::epoch_length_slots_min)
    return chain_fail(chain_errc::bad_config, "epoch_length_slots below the minimum");
  if (p.replicas_per_feed == 0 || p.replicas_per_feed > chain_limits::replicas_per_feed_max)
    return chain_fail(chain_errc::bad_config, "replicas_per_feed out of range");
  if (p.challenge_period_slots == 0) return chain_fail(chain_errc::bad_config, "challenge_period_slots is 0");
  if (p.challenge_deadline_blocks < chain_limits::challenge_deadline_blocks_min)
    return chain_fail(chain_errc::bad_config, "challenge_deadline_blocks below the minimum");
  // A replica is due again no sooner than half a period after a challenge: its previous one must be over.
  if (p.challenge_period_slots < 2 * p.challenge_deadline_blocks)
    return chain_fail(chain_errc::bad_config, "challenge_period_slots below twice challenge_deadline_blocks");
  if (p.challenge_failures_max == 0) return chain_fail(chain_errc::bad_config, "challenge_failures_max is 0");
  if (p.attesters_per_challenge > chain_limits::attesters_per_challenge_max)
    return chain_fail(chain_errc::bad_config, "attesters_per_challenge above the maximum");
  // A replica that moves before its first challenge would be sealed again and again without ever being checked.
  if (p.reshuffle_period_slots != 0 && p.reshuffle_period_slots < p.challenge_period_slots)
    return chain_fail(chain_errc::bad_config, "reshuffle_period_slots below challenge_period_slots (0 turns it off)");
  if (p.reshuffle_period_slots > chain_limits::reshuffle_period_slots_max)
    return chain_fail(chain_errc::bad_config, "reshuffle_period_slots above the maximum");
  return chain_ok();
}

chain_id chain_id_of(const genesis_config& c) {
  canonical_writer w;
  w.text("datdot/genesis/v1");
  w.u64(c.params.slot_duration_ms).u64(c.params.epoch_length_slots).u32(c.params.replicas_per_feed);
  w.u64(c.params.challenge_period_slots).u64(c.params.challenge_deadline_blocks);
  w.u32(c.params.challenge_failures_max).u32(c.params.attesters_per_challenge);
  w.u64(c.params.price_units_per_mib).u64(c.params.attestation_units).u64(c.params.reshuffle_period_slots);
  w.u64(c.validators.size());
  for (const auto& v : c.validators) w.fixed(v.key);
  w.u64(c.accounts.size());
  for (const auto& [id, amount] : c.accounts) w.fixed(id.key).u64(amount.units);
  return chain_id{blake2b_256(w.data())};
}

}  // namespace

chain_result<genesis_config> parse_genesis_config(std::string_view text) {
  try {
    const auto j = nlohmann::json::parse(text);
    genesis_config c;
    const auto& p = j.at("params");
    c.params.slot_duration_ms = p.value("slot_duration_ms", c.params.slot_duration_ms);
    c.params.epoch_length_slots = p.value("epoch_length_slots", c.params.epoch_length_slots);
    c.params.replicas_per_feed = p.value("replicas_per_feed", c.params.replicas_per_feed);
    c.params.challenge_period_slots = p.value("challenge_period_slots", c.params.challenge_period_slots);
    c.params.challenge_deadline_blocks = p.value("challenge_deadline_blocks", c.params.challenge_deadline_blocks);
    c.params.challenge_failures_max = p.value("challenge_failures_max", c.params.challenge_failures_max);
    c.params.attesters_per_challenge = p.value("attesters_per_challenge", c.params.attesters_per_challenge);
    c.params.price_units_per_mib = p.value("price_units_per_mib", c.params.price_units_per_mib);
    c.params.attestation_units = p.value("attestation_units", c.params.attestation_units);
    c.params.reshuffle_period_slots = p.value("reshuffle_period_slots", c.params.reshuffle_period_slots);
    for (const auto& v : j.at("validators")) {
      DATDOT_CHAIN_TRY(id, parse_id(v));
      c.validators.push_back(id);
    }
    for (const auto& a : j.value("accounts", nlohmann::json::array())) {
      DATDOT_CHAIN_TRY(id, parse_id(a.at("id")));
      c.accounts.emplace_back(id, ratio{a.at("ratio_units").get<std::uint64_t>()});
    }
    return c;
  } catch (const nlohmann::json::exception& e) {
    return chain_fail(chain_errc::bad_config, e.what());
  }
}

chain_result<genesis> make_genesis(const genesis_config& config) {
  DATDOT_CHAIN_CHECK(check_params(config.params));
  std::vector<account_id> members = config.validators;
  std::sort(members.begin(), members.end());
  if (members.empty() || members.size() > chain_limits::validators_max)
    return chain_fail(chain_errc::bad_config, "the validator set needs 1 to validators_max members");
  if (std::adjacent_find(members.begin(), members.end()) != members.end())
    return chain_fail(chain_errc::bad_config, "a validator is listed twice");

  genesis g;
  auto& s = g.state;
  s.chain = chain_id_of(config);
  s.params = config.params;
  s.randomness = s.chain.bytes;
  s.validators = validator_set{set_id{0}, members};
  for (const auto& v : members) s.accounts[v];
  for (const auto& [id, amount] : config.accounts) {
    auto& balance = s.accounts[id].balance.units;
    if (UINT64_MAX - balance < amount.units) return chain_fail(chain_errc::bad_config, "ratio overflow");
    balance += amount.units;
  }
  g.header.extrinsics_root = extrinsics_root({});
  g.header.state_root = state_root(s);
  g.hash = hash_of(g.header);
  return g;
}

}  // namespace datdot

#include "protocol/chain/chain_state.hpp"

#include <algorithm>

#include "crypto/blake2b.hpp"
#include "protocol/chain/canonical_encoding.hpp"
#include "protocol/chain/chain_limits.hpp"

namespace datdot {

bool validator_set::contains(const account_id& a) const {
  return std::binary_search(members.begin(), members.end(), a);
}

namespace {

void encode(canonical_writer& w, const chain_params& p) {
  w.u64(p.slot_duration_ms).u64(p.epoch_length_slots).u32(p.replicas_per_feed).u64(p.challenge_period_slots);
  w.u64(p.challenge_deadline_blocks).u32(p.challenge_failures_max).u32(p.attesters_per_challenge);
  w.u64(p.price_units_per_mib).u64(p.attestation_units).u64(p.reshuffle_period_slots);
}

void encode(canonical_writer& w, const std::optional<replica_commitment>& c) {
  w.u8(c ? 1 : 0);
  if (c) w.fixed(c->tree_hash).u64(c->length);
}

void encode(canonical_writer& w, const feed_head& h) { w.u64(h.length).u64(h.byte_size).fixed(h.tree_hash); }

void encode(canonical_writer& w, const std::optional<replica_extension>& x) {
  w.u8(x ? 1 : 0);
  if (!x) return;
  encode(w, x->target);
  encode(w, x->encoder_root);
  encode(w, x->hoster_root);
}

void encode(canonical_writer& w, const node_record& n) {
  encode(w, n.roles);
  w.u64(n.capacity_bytes).text(n.bus_address).u64(n.registered_at.value).u64(n.reserved_bytes);
  w.u8(static_cast<std::uint8_t>(n.seal_codec)).blob(n.seal_key);
}

void encode(canonical_writer& w, const feed_record& f) {
  w.fixed(f.publisher.key).fixed(f.signer).u8(static_cast<std::uint8_t>(f.mode)).u64(f.length).u64(f.fork);
  w.u64(f.byte_size).fixed(f.tree_hash).fixed(f.tree_signature).u32(f.replicas_wanted);
  w.u8(static_cast<std::uint8_t>(f.state)).u64(f.published_at.value);
  w.u64(f.replicas.size());
  for (const auto& r : f.replicas) {
    w.fixed(r.hoster.key).fixed(r.encoder.key).fixed(r.replica_key);
    w.u8(static_cast<std::uint8_t>(r.state)).u64(r.assigned_at.value);
    w.u8(static_cast<std::uint8_t>(r.seal_codec)).blob(r.seal_key);
    encode(w, r.encoder_root);
    encode(w, r.hoster_root);
    encode(w, r.covers);
    encode(w, r.extension);
    w.u64(r.answer_due.value).u64(r.root_due.value);
    w.u64(r.next_challenge_at.value).u32(r.failures).u64(r.passed).u64(r.last_proof_at.value);
    w.u64(r.next_move_at.value).u8(r.replacement ? 1 : 0);
    if (r.replacement) w.u32(*r.replacement);
  }
  w.u64(f.backing.units);
}

void encode(canonical_writer& w, const challenge_record& c) {
  w.fixed(c.feed.bytes).u32(c.replica).u64(c.index).u64(c.issued_at.value).u64(c.deadline.value);
  w.u8(c.proved ? 1 : 0);
  w.u64(c.attesters.size());
  for (const auto& a : c.attesters) w.fixed(a.key);
  w.u64(c.attestations.size());
  for (const auto& a : c.attestations)
    w.fixed(a.attester.key).u8(a.served ? 1 : 0).u32(a.latency_ms).u64(a.bytes_per_second);
}

template <class Container, class F>
void encode_all(canonical_writer& w, const Container& c, F each) {
  w.u64(c.size());
  for (const auto& e : c) each(e);
}

}  // namespace

// Every field, in declaration order; containers are ordered, so the bytes are too.
bytes encode_state(const chain_state& s) {
  canonical_writer w;
  w.fixed(s.chain.bytes);
  encode(w, s.params);
  w.u64(s.number.value).u64(s.slot.value).u64(s.epoch.value).fixed(s.randomness);
  encode_all(w, s.accounts, [&](const auto& e) { w.fixed(e.first.key).u64(e.second.nonce).u64(e.second.balance.units); });
  encode_all(w, s.nodes, [&](const auto& e) { w.fixed(e.first.key); encode(w, e.second); });
  encode_all(w, s.feeds, [&](const auto& e) { w.fixed(e.first.bytes); encode(w, e.second); });
  w.u64(s.validators.id.value);
  encode_all(w, s.validators.members, [&](const auto& a) { w.fixed(a.key); });
  encode_all(w, s.joining, [&](const auto& a) { w.fixed(a.key); });
  encode_all(w, s.leaving, [&](const auto& a) { w.fixed(a.key); });
  encode_all(w, s.offences, [&](const auto& e) {
    w.fixed(e.first.key).u32(e.second.equivocations).u32(e.second.double_votes);
  });
  encode_all(w, s.reported_offences, [&](const auto& h) { w.fixed(h); });
  encode_all(w, s.challenges, [&](const auto& e) { w.u64(e.first); encode(w, e.second); });
  w.u64(s.next_challenge_id);
  return w.take();
}

bool is_live(const replica_record& r) {
  return r.state == replica_state::encoding || r.state == replica_state::active;
}

feed_head head_of(const feed_record& f) { return {f.length, f.byte_size, f.tree_hash}; }
feed_identity identity_of(const feed_record& f) { return feed_identity{f.signer, f.mode}; }

hash32 state_root(const chain_state& s) { return blake2b_256(encode_state(s)); }

// --- decoding: the mirror of encode_state, for snapshots read back from disk ---

namespace {

// Container sizes are bounded by the chain's own limits before anything is reserved.
std::uint64_t count_of(canonical_reader& r, std::size_t max, const char* what) {
  const auto n = r.u64();
  if (n > max) r.fail(std::string{what} + ": " + std::to_string(n) + " entries");
  return r.failed() ? 0 : n;
}

chain_params decode_params(canonical_reader& r) {
  chain_params p;
  p.slot_duration_ms = r.u64();
  p.epoch_length_slots = r.u64();
  p.replicas_per_feed = r.u32();
  p.challenge_period_slots = r.u64();
  p.challenge_deadline_blocks = r.u64();
  p.challenge_failures_max = r.u32();
  p.attesters_per_challenge = r.u32();
  p.price_units_per_mib = r.u64();
  p.attestation_units = r.u64();
  p.reshuffle_period_slots = r.u64();
  return p;
}

node_record decode_node(canonical_reader& r) {
  node_record n;
  n.roles = decode_role_set(r);
  n.capacity_bytes = r.u64();
  n.bus_address = r.text(chain_limits::bus_address_bytes_max);
  n.registered_at = block_number{r.u64()};
  n.reserved_bytes = r.u64();
  n.seal_codec = static_cast<seal_codec_id>(r.u8());
  const auto key = r.blob(chain_limits::seal_key_bytes_max);
  n.seal_key.assign(key.begin(), key.end());
  return n;
}

std::optional<replica_commitment> decode_commitment(canonical_reader& r) {
  if (!r.boolean()) return std::nullopt;
  replica_commitment c;
  c.tree_hash = r.fixed<32>();
  c.length = r.u64();
  return c;
}

feed_head decode_head(canonical_reader& r) {
  feed_head h;
  h.length = r.u64();
  h.byte_size = r.u64();
  h.tree_hash = r.fixed<32>();
  return h;
}

std::optional<replica_extension> decode_extension(canonical_reader& r) {
  if (!r.boolean()) return std::nullopt;
  replica_extension x;
  x.target = decode_head(r);
  x.encoder_root = decode_commitment(r);
  x.hoster_root = decode_commitment(r);
  return x;
}

feed_record decode_feed(canonical_reader& r) {
  feed_record f;
  f.publisher = account_id{r.fixed<32>()};
  f.signer = r.fixed<32>();
  f.mode = decode_enum(r, signing_mode::compat, "signing mode");
  f.length = r.u64();
  f.fork = r.u64();
  f.byte_size = r.u64();
  f.tree_hash = r.fixed<32>();
  f.tree_signature = r.fixed<64>();
  f.replicas_wanted = r.u32();
  f.state = decode_enum(r, hosting_state::failed, "hosting state");
  f.published_at = block_number{r.u64()};
  const auto replicas = count_of(r, chain_limits::replica_slots_per_feed_max, "replicas");
  for (std::uint64_t i = 0; i < replicas && !r.failed(); ++i) {
    replica_record x;
    x.hoster = account_id{r.fixed<32>()};
    x.encoder = account_id{r.fixed<32>()};
    x.replica_key = r.fixed<32>();
    x.state = decode_enum(r, replica_state::sealing_withheld, "replica state");
    x.assigned_at = block_number{r.u64()};
    x.seal_codec = static_cast<seal_codec_id>(r.u8());
    const auto key = r.blob(chain_limits::seal_key_bytes_max);
    x.seal_key.assign(key.begin(), key.end());
    x.encoder_root = decode_commitment(r);
    x.hoster_root = decode_commitment(r);
    x.covers = decode_head(r);
    x.extension = decode_extension(r);
    x.answer_due = block_number{r.u64()};
    x.root_due = block_number{r.u64()};
    x.next_challenge_at = block_number{r.u64()};
    x.failures = r.u32();
    x.passed = r.u64();
    x.last_proof_at = block_number{r.u64()};
    x.next_move_at = block_number{r.u64()};
    if (r.boolean()) x.replacement = r.u32();
    f.replicas.push_back(x);
  }
  f.backing = ratio{r.u64()};
  return f;
}

challenge_record decode_challenge(canonical_reader& r) {
  challenge_record c;
  c.feed = feed_key{r.fixed<32>()};
  c.replica = r.u32();
  c.index = r.u64();
  c.issued_at = block_number{r.u64()};
  c.deadline = block_number{r.u64()};
  c.proved = r.boolean();
  const auto attesters = count_of(r, chain_limits::attesters_per_challenge_max, "attesters");
  for (std::uint64_t i = 0; i < attesters && !r.failed(); ++i) c.attesters.push_back(account_id{r.fixed<32>()});
  const auto attestations = count_of(r, chain_limits::attesters_per_challenge_max, "attestations");
  for (std::uint64_t i = 0; i < attestations && !r.failed(); ++i) {
    attestation_record a;
    a.attester = account_id{r.fixed<32>()};
    a.served = r.boolean();
    a.latency_ms = r.u32();
    a.bytes_per_second = r.u64();
    c.attestations.push_back(a);
  }
  return c;
}

template <class F>
void decode_all(canonical_reader& r, std::size_t max, const char* what, F each) {
  const auto n = count_of(r, max, what);
  for (std::uint64_t i = 0; i < n && !r.failed(); ++i) each();
}

}  // namespace

chain_result<chain_state> decode_state(byte_view in) {
  canonical_reader r{in};
  chain_state s;
  s.chain = chain_id{r.fixed<32>()};
  s.params = decode_params(r);
  s.number = block_number{r.u64()};
  s.slot = slot_number{r.u64()};
  s.epoch = epoch_number{r.u64()};
  s.randomness = r.fixed<32>();
  decode_all(r, chain_limits::nodes_max, "accounts", [&] {
    const account_id id{r.fixed<32>()};
    account_record a;
    a.nonce = r.u64();
    a.balance = ratio{r.u64()};
    s.accounts.emplace_hint(s.accounts.end(), id, a);
  });
  decode_all(r, chain_limits::nodes_max, "nodes", [&] {
    const account_id id{r.fixed<32>()};
    s.nodes.emplace_hint(s.nodes.end(), id, decode_node(r));
  });
  decode_all(r, chain_limits::feeds_max, "feeds", [&] {
    const feed_key key{r.fixed<32>()};
    s.feeds.emplace_hint(s.feeds.end(), key, decode_feed(r));
  });
  s.validators.id = set_id{r.u64()};
  decode_all(r, chain_limits::validators_max, "validators", [&] { s.validators.members.push_back(account_id{r.fixed<32>()}); });
  decode_all(r, chain_limits::validators_max, "joining", [&] { s.joining.insert(s.joining.end(), account_id{r.fixed<32>()}); });
  decode_all(r, chain_limits::validators_max, "leaving", [&] { s.leaving.insert(s.leaving.end(), account_id{r.fixed<32>()}); });
  decode_all(r, chain_limits::nodes_max, "offences", [&] {
    const account_id id{r.fixed<32>()};
    offence_record o;
    o.equivocations = r.u32();
    o.double_votes = r.u32();
    s.offences.emplace_hint(s.offences.end(), id, o);
  });
  decode_all(r, chain_limits::nodes_max, "reported offences",
             [&] { s.reported_offences.insert(s.reported_offences.end(), r.fixed<32>()); });
  decode_all(r, chain_limits::feeds_max * chain_limits::replica_slots_per_feed_max, "challenges", [&] {
    const auto id = r.u64();
    s.challenges.emplace_hint(s.challenges.end(), id, decode_challenge(r));
  });
  s.next_challenge_id = r.u64();
  DATDOT_CHAIN_CHECK(r.finish());
  // Canonical means one encoding per state: entries in order, none repeated.
  if (encode_state(s) != bytes(in.begin(), in.end()))
    return chain_fail(chain_errc::malformed, "state bytes are not canonical (order or duplicates)");
  if (!std::is_sorted(s.validators.members.begin(), s.validators.members.end()) || s.validators.members.empty())
    return chain_fail(chain_errc::malformed, "validator set not sorted or empty");
  return s;
}

}  // namespace datdot

#include "protocol/chain/chain_state.hpp"

#include <algorithm>

#include "crypto/blake2b.hpp"
#include "protocol/chain/canonical_encoding.hpp"

namespace datdot {

bool validator_set::contains(const account_id& a) const {
  return std::binary_search(members.begin(), members.end(), a);
}

namespace {

void encode(canonical_writer& w, const chain_params& p) {
  w.u64(p.slot_duration_ms).u64(p.epoch_length_slots).u32(p.replicas_per_feed).u64(p.challenge_period_slots);
}

void encode(canonical_writer& w, const node_record& n) {
  encode(w, n.roles);
  w.u64(n.capacity_bytes).text(n.bus_address).u64(n.registered_at.value);
}

void encode(canonical_writer& w, const feed_record& f) {
  w.fixed(f.publisher.key).fixed(f.signer).u8(static_cast<std::uint8_t>(f.mode)).u64(f.length).u64(f.fork);
  w.u64(f.byte_size).fixed(f.tree_hash).fixed(f.tree_signature).u32(f.replicas_wanted);
  w.u8(static_cast<std::uint8_t>(f.state)).u64(f.published_at.value);
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
  return w.take();
}

hash32 state_root(const chain_state& s) { return blake2b_256(encode_state(s)); }

}  // namespace datdot

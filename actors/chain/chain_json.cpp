#include "actors/chain/chain_json.hpp"

#include <array>

namespace datdot {
namespace {

using json = nlohmann::json;

std::string id_hex(const account_id& a) { return to_hex(a); }

// One name per call kind, in the variant's order (the wire tag).
constexpr std::array<const char*, std::variant_size_v<call>> call_names{
    "register_node", "unregister_node", "transfer_ratio", "publish_feed", "join_validators",
    "leave_validators", "report_equivocation", "report_double_vote", "submit_replica_root",
    "submit_storage_proof", "submit_attestation", "back_feed", "update_feed", "dispute_sealing",
    "dispute_replica_root", "report_withheld_sealing"};
static_assert(call_names.back() != nullptr, "every call kind has a name");

json call_json(const call& c) {
  json out{{"type", call_names[c.index()]}};
  if (const auto* r = std::get_if<register_node>(&c)) {
    out["roles"] = format_roles(r->roles);
    out["capacity_bytes"] = r->capacity_bytes;
    out["bus_address"] = r->bus_address;
  } else if (const auto* t = std::get_if<transfer_ratio>(&c)) {
    out["to"] = id_hex(t->to);
    out["amount_units"] = t->amount.units;
  } else if (const auto* p = std::get_if<publish_feed>(&c)) {
    out["signer"] = to_hex(byte_view{p->signer});
    out["length"] = p->length;
    out["byte_size"] = p->byte_size;
    out["replicas"] = p->replicas;
  } else if (const auto* r = std::get_if<submit_replica_root>(&c)) {
    out["feed"] = hex_of(r->feed.bytes);
    out["replica"] = r->replica;
    out["tree_hash"] = hex_of(r->tree_hash);
    out["length"] = r->length;
  } else if (const auto* sp = std::get_if<submit_storage_proof>(&c)) {
    out["challenge"] = sp->challenge;
    out["index"] = sp->proof.index;
    out["sealed_bytes"] = sp->proof.sealed.size();
  } else if (const auto* a = std::get_if<submit_attestation>(&c)) {
    out["challenge"] = a->challenge;
    out["served"] = a->served;
    out["latency_ms"] = a->latency_ms;
    out["bytes_per_second"] = a->bytes_per_second;
  } else if (const auto* b = std::get_if<back_feed>(&c)) {
    out["feed"] = hex_of(b->feed.bytes);
    out["amount_units"] = b->amount.units;
  } else if (const auto* u = std::get_if<update_feed>(&c)) {
    out["feed"] = hex_of(u->feed.bytes);
    out["length"] = u->length;
  } else if (const auto* d = std::get_if<dispute_sealing>(&c)) {
    out["feed"] = hex_of(d->feed.bytes);
    out["replica"] = d->replica;
    out["index"] = d->index;
    out["sealed_bytes"] = d->sealed.size();
  } else if (const auto* rd = std::get_if<dispute_replica_root>(&c)) {
    out["feed"] = hex_of(rd->feed.bytes);
    out["replica"] = rd->replica;
    out["tree_hash"] = hex_of(rd->commitment.tree_hash);
    out["length"] = rd->commitment.length;
  } else if (const auto* w = std::get_if<report_withheld_sealing>(&c)) {
    out["feed"] = hex_of(w->feed.bytes);
    out["replica"] = w->replica;
    out["received"] = w->received;
  }
  return out;
}

}  // namespace

std::string hex_of(const hash32& h) { return to_hex(byte_view{h}); }

json block_json(const block& b, const block_hash& hash, bool finalized) {
  const auto& h = b.header.header;
  json xs = json::array();
  for (const auto& x : b.extrinsics)
    xs.push_back({{"hash", hex_of(hash_of(x))}, {"signer", id_hex(x.signer)}, {"nonce", x.nonce},
                  {"call", call_json(x.body)}});
  return {{"number", h.number.value},       {"hash", hex_of(hash.bytes)},
          {"parent", hex_of(h.parent.bytes)}, {"slot", h.slot.value},
          {"author", id_hex(h.author)},      {"state_root", hex_of(h.state_root)},
          {"extrinsics_root", hex_of(h.extrinsics_root)}, {"finalized", finalized},
          {"extrinsics", xs}};
}

json account_json(const account_view& a) {
  json out{{"id", id_hex(a.id)},
           {"nonce", a.account.nonce},
           {"ratio_units", a.account.balance.units},
           {"validator", a.validator}};
  if (a.node)
    out["node"] = {{"roles", format_roles(a.node->roles)},
                   {"capacity_bytes", a.node->capacity_bytes},
                   {"bus_address", a.node->bus_address},
                   {"registered_at", a.node->registered_at.value},
                   {"reserved_bytes", a.node->reserved_bytes},
                   {"seal_key", to_hex(a.node->seal_key)}};
  if (a.offences)
    out["offences"] = {{"equivocations", a.offences->equivocations}, {"double_votes", a.offences->double_votes}};
  return out;
}

namespace {

const char* to_string(hosting_state s) {
  switch (s) {
    case hosting_state::queued: return "queued";
    case hosting_state::pinning: return "pinning";
    case hosting_state::pinned: return "pinned";
    case hosting_state::failed: return "failed";
  }
  return "unknown";
}

const char* to_string(replica_state s) {
  switch (s) {
    case replica_state::encoding: return "encoding";
    case replica_state::active: return "active";
    case replica_state::failed: return "failed";
    case replica_state::retired: return "retired";
    case replica_state::badly_sealed: return "badly_sealed";
    case replica_state::sealing_timed_out: return "sealing_timed_out";
    case replica_state::sealing_withheld: return "sealing_withheld";
  }
  return "unknown";
}

}  // namespace

json feed_json(const feed_view& f) {
  const auto& r = f.record;
  json replicas = json::array();
  for (std::size_t i = 0; i < r.replicas.size(); ++i) {
    const auto& x = r.replicas[i];
    replicas.push_back({{"replica", i},
                        {"hoster", id_hex(x.hoster)},
                        {"encoder", id_hex(x.encoder)},
                        {"state", to_string(x.state)},
                        {"length", x.covers.length},
                        {"extending_to", x.extension ? json(x.extension->target.length) : json(nullptr)},
                        {"answer_due", x.answer_due.value != 0 ? json(x.answer_due.value) : json(nullptr)},
                        {"root_due", x.root_due.value != 0 ? json(x.root_due.value) : json(nullptr)},
                        {"assigned_at", x.assigned_at.value},
                        {"challenges_passed", x.passed},
                        {"failures_in_a_row", x.failures},
                        {"last_proof_at", x.last_proof_at.value},
                        {"next_challenge_at", x.next_challenge_at.value},
                        {"next_move_at", x.next_move_at.value},
                        {"replacement", x.replacement ? json(*x.replacement) : json(nullptr)}});
  }
  return {{"key", hex_of(f.key.bytes)},       {"publisher", id_hex(r.publisher)},
          {"length", r.length},               {"byte_size", r.byte_size},
          {"replicas_wanted", r.replicas_wanted}, {"state", to_string(r.state)},
          {"tree_hash", hex_of(r.tree_hash)}, {"published_at", r.published_at.value},
          {"backing_units", r.backing.units}, {"replicas", replicas}};
}

json event_json(block_number number, const block_hash& hash, const chain_event& e) {
  json out{{"block", number.value}, {"hash", hex_of(hash.bytes)}};
  std::visit(
      [&](const auto& ev) {
        using T = std::decay_t<decltype(ev)>;
        // Fields many events share, named the same in all of them.
        if constexpr (requires { ev.feed; }) out["feed"] = hex_of(ev.feed.bytes);
        if constexpr (requires { ev.replica; }) out["replica"] = ev.replica;
        if constexpr (requires { ev.hoster; }) out["hoster"] = id_hex(ev.hoster);
        if constexpr (std::is_same_v<T, node_registered>) {
          out["type"] = "node_registered";
          out["node"] = id_hex(ev.node);
          out["roles"] = format_roles(ev.roles);
        } else if constexpr (std::is_same_v<T, node_unregistered>) {
          out["type"] = "node_unregistered";
          out["node"] = id_hex(ev.node);
        } else if constexpr (std::is_same_v<T, ratio_transferred>) {
          out["type"] = "ratio_transferred";
          out["from"] = id_hex(ev.from);
          out["to"] = id_hex(ev.to);
          out["amount_units"] = ev.amount.units;
        } else if constexpr (std::is_same_v<T, replica_assigned>) {
          out["type"] = "replica_assigned";
          out["encoder"] = id_hex(ev.encoder);
        } else if constexpr (std::is_same_v<T, replica_failed>) {
          out["type"] = "replica_failed";
        } else if constexpr (std::is_same_v<T, replica_retired>) {
          out["type"] = "replica_retired";
          out["replacement"] = ev.replacement;
        } else if constexpr (std::is_same_v<T, replica_activated>) {
          out["type"] = "replica_activated";
          out["encoder"] = id_hex(ev.encoder);
          out["length"] = ev.blocks;
          out["byte_size"] = ev.bytes;
        } else if constexpr (std::is_same_v<T, feed_updated>) {
          out["type"] = "feed_updated";
          out["length"] = ev.length;
          out["byte_size"] = ev.byte_size;
        } else if constexpr (std::is_same_v<T, replica_extended>) {
          out["type"] = "replica_extended";
          out["encoder"] = id_hex(ev.encoder);
          out["length"] = ev.length;
          out["added_blocks"] = ev.blocks;
          out["added_bytes"] = ev.bytes;
        } else if constexpr (std::is_same_v<T, encoder_convicted>) {
          out["type"] = "encoder_convicted";
          out["encoder"] = id_hex(ev.encoder);
          out["index"] = ev.index;
          out["penalty_units"] = ev.penalty.units;
        } else if constexpr (std::is_same_v<T, encoder_timed_out>) {
          out["type"] = "encoder_timed_out";
          out["encoder"] = id_hex(ev.encoder);
        } else if constexpr (std::is_same_v<T, sealing_withheld>) {
          out["type"] = "sealing_withheld";
          out["encoder"] = id_hex(ev.encoder);
          out["received"] = ev.received;
        } else if constexpr (std::is_same_v<T, hoster_convicted>) {
          out["type"] = "hoster_convicted";
          out["penalty_units"] = ev.penalty.units;
        } else if constexpr (std::is_same_v<T, hosting_state_changed>) {
          out["type"] = "hosting_state_changed";
          out["state"] = to_string(ev.state);
        } else if constexpr (std::is_same_v<T, challenge_issued>) {
          out["type"] = "challenge_issued";
          out["challenge"] = ev.challenge;
          out["index"] = ev.index;
          out["deadline"] = ev.deadline.value;
          json attesters = json::array();
          for (const auto& a : ev.attesters) attesters.push_back(id_hex(a));
          out["attesters"] = attesters;
        } else if constexpr (std::is_same_v<T, storage_proved>) {
          out["type"] = "storage_proved";
          out["challenge"] = ev.challenge;
        } else if constexpr (std::is_same_v<T, attestation_recorded>) {
          out["type"] = "attestation_recorded";
          out["challenge"] = ev.challenge;
          out["attester"] = id_hex(ev.attester);
          out["served"] = ev.served;
        } else if constexpr (std::is_same_v<T, attestation_missed>) {
          out["type"] = "attestation_missed";
          out["challenge"] = ev.challenge;
          out["attester"] = id_hex(ev.attester);
        } else if constexpr (std::is_same_v<T, challenge_resolved>) {
          out["type"] = "challenge_resolved";
          out["challenge"] = ev.challenge;
          out["passed"] = ev.passed;
          out["failures_in_a_row"] = ev.failures;
        } else if constexpr (std::is_same_v<T, challenge_lapsed>) {
          out["type"] = "challenge_lapsed";
          out["challenge"] = ev.challenge;
        } else if constexpr (std::is_same_v<T, hosting_paid>) {
          out["type"] = "hosting_paid";
          out["to"] = id_hex(ev.to);
          out["amount_units"] = ev.amount.units;
        } else if constexpr (std::is_same_v<T, feed_backed>) {
          out["type"] = "feed_backed";
          out["backer"] = id_hex(ev.backer);
          out["amount_units"] = ev.amount.units;
        } else if constexpr (std::is_same_v<T, feed_published>) {
          out["type"] = "feed_published";
          out["publisher"] = id_hex(ev.publisher);
        } else if constexpr (std::is_same_v<T, validator_join_requested>) {
          out["type"] = "validator_join_requested";
          out["who"] = id_hex(ev.who);
        } else if constexpr (std::is_same_v<T, validator_leave_requested>) {
          out["type"] = "validator_leave_requested";
          out["who"] = id_hex(ev.who);
        } else if constexpr (std::is_same_v<T, validator_set_changed>) {
          out["type"] = "validator_set_changed";
          out["set"] = ev.set.value;
          out["epoch"] = ev.epoch.value;
          json members = json::array();
          for (const auto& m : ev.members) members.push_back(id_hex(m));
          out["members"] = members;
        } else {
          static_assert(std::is_same_v<T, offence_recorded>, "every event kind has its JSON");
          out["type"] = "offence_recorded";
          out["offender"] = id_hex(ev.offender);
          out["kind"] = ev.kind == offence_kind::equivocation ? "equivocation" : "double_vote";
        }
      },
      e);
  return out;
}

}  // namespace datdot

#include "actors/sim/sim_scenario.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "actors/deterministic_random.hpp"
#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/storage_challenges.hpp"
#include "protocol/feed_limits.hpp"

namespace datdot {
namespace {

// Adversaries drawn by share come from their own stream: adding one never
// changes who the nodes are or how their links behave.
constexpr std::uint64_t adversary_stream = 0x616476657273ull;  // "advers"

constexpr std::array<adversary_kind, 12> adversary_kinds{
    adversary_kind::equivocating_validator, adversary_kind::double_voting_validator, adversary_kind::garbage_sender,
    adversary_kind::lazy_hoster,            adversary_kind::sybil_hoster,            adversary_kind::outsourcing_hoster,
    adversary_kind::self_service_hoster,    adversary_kind::slow_attester,           adversary_kind::colluding_encoder,
    adversary_kind::colluding_hoster,       adversary_kind::withholding_encoder,     adversary_kind::false_root_encoder};

constexpr const char* adversary_kind_names =
    "equivocating_validator, double_voting_validator, garbage_sender, lazy_hoster, sybil_hoster, outsourcing_hoster, "
    "self_service_hoster, slow_attester, colluding_encoder, colluding_hoster, withholding_encoder or "
    "false_root_encoder";

std::optional<adversary_kind> adversary_kind_of(std::string_view name) {
  for (auto k : adversary_kinds)
    if (to_string(k) == name) return k;
  return std::nullopt;
}

bool only_validators(adversary_kind k) {
  return k == adversary_kind::equivocating_validator || k == adversary_kind::double_voting_validator;
}

// The nodes that can be an adversary of this kind.
std::pair<sim_node_index, sim_node_index> candidates(adversary_kind k, const sim_scenario& s) {
  if (only_validators(k)) return {0, static_cast<sim_node_index>(s.validators)};
  if (is_hoster_kind(k)) return s.hoster_nodes();
  if (is_attester_kind(k)) return s.attester_nodes();
  if (is_encoder_kind(k)) return s.encoder_nodes();
  return {0, static_cast<sim_node_index>(s.nodes())};
}

std::string range_text(std::pair<sim_node_index, sim_node_index> r) {
  return std::to_string(r.first) + " to " + std::to_string(r.second - 1);
}

using json = nlohmann::json;

error fail(std::string why) { return make_error(errc::invalid_argument, std::move(why)); }

// The object's keys must all be known: a misspelt field would silently run another scenario.
result<void> only_keys(const json& j, std::initializer_list<const char*> known, const std::string& where) {
  if (!j.is_object()) return fail(where + ": want an object");
  for (const auto& [key, value] : j.items())
    if (std::none_of(known.begin(), known.end(), [&](const char* k) { return key == k; }))
      return fail(where + ": unknown field \"" + key + "\"");
  return {};
}

// Reads an unsigned field when present; out keeps its value when absent.
template <class T>
result<void> read_unsigned(const json& j, const char* key, T& out, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end()) return {};
  if (!it->is_number_unsigned()) return fail(where + "." + key + ": want a non-negative integer");
  const auto v = it->get<std::uint64_t>();
  if (v > std::numeric_limits<T>::max()) return fail(where + "." + key + ": too large");
  out = static_cast<T>(v);
  return {};
}

template <class T>
result<void> read_optional(const json& j, const char* key, std::optional<T>& out, const std::string& where) {
  if (!j.contains(key)) return {};
  T v{};
  DATDOT_CHECK(read_unsigned(j, key, v, where));
  out = v;
  return {};
}

result<void> read_string(const json& j, const char* key, std::string& out, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end()) return {};
  if (!it->is_string()) return fail(where + "." + key + ": want a string");
  out = it->get<std::string>();
  return {};
}

result<void> read_links(const json& j, link_profile& p) {
  const std::string where = "links";
  DATDOT_CHECK(only_keys(j,
                         {"latency_us_min", "latency_us_max", "loss_permille", "duplicate_permille",
                          "reorder_permille", "reorder_delay_us_max"},
                         where));
  DATDOT_CHECK(read_unsigned(j, "latency_us_min", p.latency_us_min, where));
  DATDOT_CHECK(read_unsigned(j, "latency_us_max", p.latency_us_max, where));
  DATDOT_CHECK(read_unsigned(j, "loss_permille", p.loss_permille, where));
  DATDOT_CHECK(read_unsigned(j, "duplicate_permille", p.duplicate_permille, where));
  DATDOT_CHECK(read_unsigned(j, "reorder_permille", p.reorder_permille, where));
  return read_unsigned(j, "reorder_delay_us_max", p.reorder_delay_us_max, where);
}

result<std::vector<sim_node_index>> read_nodes(const json& j, const std::string& where) {
  if (!j.is_array()) return fail(where + ": want an array of node indices");
  std::vector<sim_node_index> nodes;
  for (const auto& n : j) {
    if (!n.is_number_unsigned() || n.get<std::uint64_t>() > sim_limits::nodes_max)
      return fail(where + ": " + n.dump() + " is not a node index");
    nodes.push_back(static_cast<sim_node_index>(n.get<std::uint64_t>()));
  }
  return nodes;
}

result<sim_partition> read_partition(const json& j, const std::string& where) {
  sim_partition p;
  DATDOT_CHECK(only_keys(j, {"at_slot", "groups", "heal_at_slot"}, where));
  if (!j.contains("at_slot") || !j.contains("groups")) return fail(where + ": needs at_slot and groups");
  DATDOT_CHECK(read_unsigned(j, "at_slot", p.at_slot, where));
  DATDOT_CHECK(read_optional(j, "heal_at_slot", p.heal_at_slot, where));
  const auto& groups = j["groups"];
  if (!groups.is_array()) return fail(where + ".groups: want an array of arrays of node indices");
  for (const auto& g : groups) {
    auto group = read_nodes(g, where + ".groups");
    if (!group) return group.err();
    p.groups.push_back(std::move(*group));
  }
  return p;
}

result<sim_crash> read_crash(const json& j, const std::string& where) {
  sim_crash c;
  DATDOT_CHECK(only_keys(j, {"node", "at_slot", "restart_at_slot"}, where));
  if (!j.contains("node") || !j.contains("at_slot")) return fail(where + ": needs node and at_slot");
  DATDOT_CHECK(read_unsigned(j, "node", c.node, where));
  DATDOT_CHECK(read_unsigned(j, "at_slot", c.at_slot, where));
  DATDOT_CHECK(read_optional(j, "restart_at_slot", c.restart_at_slot, where));
  return c;
}

result<sim_membership_change> read_membership(const json& j, const std::string& where) {
  sim_membership_change m;
  DATDOT_CHECK(only_keys(j, {"node", "at_slot"}, where));
  if (!j.contains("node") || !j.contains("at_slot")) return fail(where + ": needs node and at_slot");
  DATDOT_CHECK(read_unsigned(j, "node", m.node, where));
  DATDOT_CHECK(read_unsigned(j, "at_slot", m.at_slot, where));
  return m;
}

result<sim_adversary_spec> read_adversary(const json& j, const std::string& where) {
  sim_adversary_spec a;
  DATDOT_CHECK(only_keys(j, {"kind", "nodes", "share_permille"}, where));
  std::string kind;
  DATDOT_CHECK(read_string(j, "kind", kind, where));
  auto k = adversary_kind_of(kind);
  if (!k) return fail(where + ".kind: want " + adversary_kind_names);
  a.kind = *k;
  DATDOT_CHECK(read_optional(j, "share_permille", a.share_permille, where));
  if (auto it = j.find("nodes"); it != j.end()) {
    auto nodes = read_nodes(*it, where + ".nodes");
    if (!nodes) return nodes.err();
    a.nodes = std::move(*nodes);
  }
  if (a.nodes.empty() == !a.share_permille) return fail(where + ": needs either nodes or share_permille");
  return a;
}

template <class T>
result<void> read_list(const json& j, const char* key, std::vector<T>& out,
                       result<T> (*read)(const json&, const std::string&)) {
  auto it = j.find(key);
  if (it == j.end()) return {};
  if (!it->is_array()) return fail(std::string{key} + ": want an array");
  out.clear();
  for (std::size_t i = 0; i < it->size(); ++i) {
    auto x = read((*it)[i], std::string{key} + "[" + std::to_string(i) + "]");
    if (!x) return x.err();
    out.push_back(std::move(*x));
  }
  return {};
}

result<void> read_hosting(const json& j, sim_hosting& h) {
  const std::string where = "hosting";
  DATDOT_CHECK(only_keys(j,
                         {"publishers", "encoders", "hosters", "attesters", "capacity_bytes", "feeds", "feed_bytes",
                          "replicas", "publish_at_slot", "feeds_per_slot", "challenge_period_slots",
                          "challenge_deadline_blocks", "reshuffle_period_slots", "append_every_slots", "append_bytes"},
                         where));
  DATDOT_CHECK(read_unsigned(j, "publishers", h.publishers, where));
  DATDOT_CHECK(read_unsigned(j, "encoders", h.encoders, where));
  DATDOT_CHECK(read_unsigned(j, "hosters", h.hosters, where));
  DATDOT_CHECK(read_unsigned(j, "attesters", h.attesters, where));
  DATDOT_CHECK(read_unsigned(j, "capacity_bytes", h.capacity_bytes, where));
  DATDOT_CHECK(read_unsigned(j, "feeds", h.feeds, where));
  DATDOT_CHECK(read_unsigned(j, "feed_bytes", h.feed_bytes, where));
  DATDOT_CHECK(read_unsigned(j, "replicas", h.replicas, where));
  DATDOT_CHECK(read_unsigned(j, "publish_at_slot", h.publish_at_slot, where));
  DATDOT_CHECK(read_unsigned(j, "feeds_per_slot", h.feeds_per_slot, where));
  DATDOT_CHECK(read_unsigned(j, "challenge_period_slots", h.challenge_period_slots, where));
  DATDOT_CHECK(read_unsigned(j, "challenge_deadline_blocks", h.challenge_deadline_blocks, where));
  DATDOT_CHECK(read_unsigned(j, "append_every_slots", h.append_every_slots, where));
  DATDOT_CHECK(read_unsigned(j, "append_bytes", h.append_bytes, where));
  return read_unsigned(j, "reshuffle_period_slots", h.reshuffle_period_slots, where);
}

result<void> read_scenario(const json& j, sim_scenario& s) {
  DATDOT_CHECK(only_keys(j,
                         {"name", "description", "seed", "validators", "followers", "slots", "slot_ms", "links",
                          "partitions", "crashes", "adversaries", "joins", "leaves", "hosting"},
                         "scenario"));
  if (j.contains("hosting")) DATDOT_CHECK(read_hosting(j["hosting"], s.hosting));
  DATDOT_CHECK(read_string(j, "name", s.name, "scenario"));
  DATDOT_CHECK(read_string(j, "description", s.description, "scenario"));
  DATDOT_CHECK(read_unsigned(j, "seed", s.seed, "scenario"));
  DATDOT_CHECK(read_unsigned(j, "validators", s.validators, "scenario"));
  DATDOT_CHECK(read_unsigned(j, "followers", s.followers, "scenario"));
  DATDOT_CHECK(read_unsigned(j, "slots", s.slots, "scenario"));
  DATDOT_CHECK(read_unsigned(j, "slot_ms", s.slot_ms, "scenario"));
  if (j.contains("links")) DATDOT_CHECK(read_links(j["links"], s.links));
  DATDOT_CHECK(read_list(j, "partitions", s.partitions, &read_partition));
  DATDOT_CHECK(read_list(j, "adversaries", s.adversaries, &read_adversary));
  DATDOT_CHECK(read_list(j, "joins", s.joins, &read_membership));
  DATDOT_CHECK(read_list(j, "leaves", s.leaves, &read_membership));
  return read_list(j, "crashes", s.crashes, &read_crash);
}

result<void> check_slot(std::uint64_t slot, const sim_scenario& s, const std::string& what) {
  if (slot == 0 || slot > s.slots)
    return fail(what + " " + std::to_string(slot) + " is outside the run (slots 1 to " + std::to_string(s.slots) + ")");
  return {};
}

result<void> check_partition(const sim_partition& p, const sim_scenario& s, std::size_t i) {
  const auto where = "partitions[" + std::to_string(i) + "]";
  DATDOT_CHECK(check_slot(p.at_slot, s, where + ".at_slot"));
  if (p.heal_at_slot) {
    DATDOT_CHECK(check_slot(*p.heal_at_slot, s, where + ".heal_at_slot"));
    if (*p.heal_at_slot <= p.at_slot) return fail(where + ": heal_at_slot must come after at_slot");
  }
  if (p.groups.empty()) return fail(where + ": no groups");
  std::set<sim_node_index> seen;
  for (const auto& g : p.groups)
    for (auto n : g) {
      if (n >= s.nodes()) return fail(where + ": node " + std::to_string(n) + " does not exist");
      if (!seen.insert(n).second) return fail(where + ": node " + std::to_string(n) + " is in two groups");
    }
  return {};
}

// A node's crash windows must not overlap: it cannot crash while it is down.
result<void> check_crashes(const sim_scenario& s) {
  std::map<sim_node_index, std::vector<const sim_crash*>> by_node;
  for (std::size_t i = 0; i < s.crashes.size(); ++i) {
    const auto& c = s.crashes[i];
    const auto where = "crashes[" + std::to_string(i) + "]";
    if (c.node >= s.nodes()) return fail(where + ": node " + std::to_string(c.node) + " does not exist");
    DATDOT_CHECK(check_slot(c.at_slot, s, where + ".at_slot"));
    if (c.restart_at_slot) {
      DATDOT_CHECK(check_slot(*c.restart_at_slot, s, where + ".restart_at_slot"));
      if (*c.restart_at_slot <= c.at_slot) return fail(where + ": restart_at_slot must come after at_slot");
    }
    by_node[c.node].push_back(&c);
  }
  for (auto& [node, list] : by_node) {
    std::sort(list.begin(), list.end(), [](auto* a, auto* b) { return a->at_slot < b->at_slot; });
    for (std::size_t k = 1; k < list.size(); ++k)
      if (!list[k - 1]->restart_at_slot || *list[k - 1]->restart_at_slot > list[k]->at_slot)
        return fail("crashes: node " + std::to_string(node) + " crashes again at slot " +
                    std::to_string(list[k]->at_slot) + " while it is down");
  }
  return {};
}

// Named adversaries exist, validator kinds name validators, and no node misbehaves two ways.
result<void> check_adversaries(const sim_scenario& s) {
  if (s.adversaries.size() > sim_limits::adversary_specs_max)
    return fail("at most " + std::to_string(sim_limits::adversary_specs_max) + " adversaries entries");
  std::set<sim_node_index> seen;
  for (std::size_t i = 0; i < s.adversaries.size(); ++i) {
    const auto& a = s.adversaries[i];
    const auto where = "adversaries[" + std::to_string(i) + "]";
    if (a.nodes.empty() == !a.share_permille) return fail(where + ": needs either nodes or share_permille");
    if (a.share_permille && *a.share_permille > 1000) return fail(where + ".share_permille: at most 1000");
    const auto can_be = candidates(a.kind, s);
    if (can_be.first == can_be.second)
      return fail(where + ": no node can be " + std::string{to_string(a.kind)} +
                  (is_hoster_kind(a.kind)     ? " (hosting.hosters is 0)"
                   : is_attester_kind(a.kind) ? " (hosting.attesters is 0)"
                   : is_encoder_kind(a.kind)  ? " (hosting.encoders is 0)"
                                              : ""));
    for (auto n : a.nodes) {
      if (n >= s.nodes()) return fail(where + ": node " + std::to_string(n) + " does not exist");
      if (n < can_be.first || n >= can_be.second)
        return fail(where + ": node " + std::to_string(n) + " cannot be " + std::string{to_string(a.kind)} +
                    ": only nodes " + range_text(can_be) + " can");
      if (!seen.insert(n).second) return fail(where + ": node " + std::to_string(n) + " is already an adversary");
    }
  }
  return {};
}

// The slot a node starts at: 1, or the slot it joins at.
std::uint64_t joined_at(const sim_scenario& s, sim_node_index node) {
  for (const auto& j : s.joins)
    if (j.node == node) return j.at_slot;
  return 1;
}

result<void> check_churn(const sim_scenario& s) {
  std::set<sim_node_index> joined, left;
  for (std::size_t i = 0; i < s.joins.size(); ++i) {
    const auto& j = s.joins[i];
    const auto where = "joins[" + std::to_string(i) + "]";
    if (j.node >= s.nodes()) return fail(where + ": node " + std::to_string(j.node) + " does not exist");
    if (j.node < s.validators) return fail(where + ": node " + std::to_string(j.node) + " is a genesis validator");
    DATDOT_CHECK(check_slot(j.at_slot, s, where + ".at_slot"));
    if (!joined.insert(j.node).second) return fail(where + ": node " + std::to_string(j.node) + " joins twice");
  }
  const auto roles = s.hosting.role_nodes();
  for (std::size_t i = 0; i < s.leaves.size(); ++i) {
    const auto& l = s.leaves[i];
    const auto where = "leaves[" + std::to_string(i) + "]";
    if (l.node < s.validators || l.node >= s.validators + roles)
      return fail(where + ": node " + std::to_string(l.node) + " runs no role to leave");
    DATDOT_CHECK(check_slot(l.at_slot, s, where + ".at_slot"));
    if (l.at_slot <= joined_at(s, l.node))
      return fail(where + ": node " + std::to_string(l.node) + " leaves before it joined");
    if (!left.insert(l.node).second) return fail(where + ": node " + std::to_string(l.node) + " leaves twice");
  }
  for (std::size_t i = 0; i < s.crashes.size(); ++i)
    if (s.crashes[i].at_slot <= joined_at(s, s.crashes[i].node) && joined.contains(s.crashes[i].node))
      return fail("crashes[" + std::to_string(i) + "]: node " + std::to_string(s.crashes[i].node) +
                  " crashes before it joined");
  return {};
}

result<void> check_hosting(const sim_scenario& s) {
  const auto& h = s.hosting;
  if (h.role_nodes() > s.followers)
    return fail("hosting: " + std::to_string(h.role_nodes()) + " role nodes, but only " + std::to_string(s.followers) +
                " followers to run them");
  if (h.feeds > sim_limits::feeds_max) return fail("hosting.feeds: at most " + std::to_string(sim_limits::feeds_max));
  if (h.feeds == 0) return {};
  if (h.publishers == 0 || h.encoders == 0 || h.hosters == 0)
    return fail("hosting: feeds need at least one publisher, encoder and hoster");
  if (h.feed_bytes == 0 || h.feed_bytes > sim_limits::feed_bytes_max)
    return fail("hosting.feed_bytes: from 1 to " + std::to_string(sim_limits::feed_bytes_max));
  if (h.replicas == 0 || h.replicas > h.hosters) return fail("hosting.replicas: from 1 to hosting.hosters");
  if (h.replicas > chain_limits::replicas_per_feed_max)
    return fail("hosting.replicas: at most " + std::to_string(chain_limits::replicas_per_feed_max));
  DATDOT_CHECK(check_slot(h.publish_at_slot, s, "hosting.publish_at_slot"));
  if (h.feeds_per_slot == 0 || h.feeds_per_slot > sim_limits::feeds_per_slot_max)
    return fail("hosting.feeds_per_slot: from 1 to " + std::to_string(sim_limits::feeds_per_slot_max));
  if (h.challenge_period_slots == 0) return fail("hosting.challenge_period_slots: at least 1");
  if (h.challenge_deadline_blocks < chain_limits::challenge_deadline_blocks_min)
    return fail("hosting.challenge_deadline_blocks: at least " +
                std::to_string(chain_limits::challenge_deadline_blocks_min));
  if (h.append_every_slots != 0 && (h.append_bytes == 0 || h.append_bytes > sim_limits::feed_bytes_max))
    return fail("hosting.append_bytes: from 1 to " + std::to_string(sim_limits::feed_bytes_max));
  if (h.reshuffle_period_slots != 0 && h.reshuffle_period_slots < h.challenge_period_slots)
    return fail("hosting.reshuffle_period_slots: 0 (off) or at least hosting.challenge_period_slots");
  if (h.reshuffle_period_slots > chain_limits::reshuffle_period_slots_max)
    return fail("hosting.reshuffle_period_slots: at most " + std::to_string(chain_limits::reshuffle_period_slots_max));
  return {};
}

result<std::uint64_t> number_in(std::string_view text, const std::string& what) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
    return fail(what + ": \"" + std::string{text} + "\" is not a number");
  return v;
}

// "NODE,NODE...": at least one node index.
result<std::vector<sim_node_index>> node_list(std::string_view text, const std::string& what) {
  std::vector<sim_node_index> nodes;
  for (std::size_t m = 0; m <= text.size();) {
    const auto comma = std::min(text.find(',', m), text.size());
    auto node = number_in(text.substr(m, comma - m), what);
    if (!node) return node.err();
    if (*node > sim_limits::nodes_max) return fail(what + ": no such node");
    nodes.push_back(static_cast<sim_node_index>(*node));
    m = comma + 1;
  }
  return nodes;
}

// "SLOT" or "SLOT-END": the slot a fault starts and, optionally, ends at.
result<std::pair<std::uint64_t, std::optional<std::uint64_t>>> slot_range(std::string_view text,
                                                                          const std::string& what) {
  const auto dash = text.find('-');
  auto start = number_in(text.substr(0, dash), what);
  if (!start) return start.err();
  if (dash == std::string_view::npos) return std::pair{*start, std::optional<std::uint64_t>{}};
  auto end = number_in(text.substr(dash + 1), what);
  if (!end) return end.err();
  return std::pair{*start, std::optional<std::uint64_t>{*end}};
}

}  // namespace

result<sim_scenario> parse_scenario(std::string_view text, sim_scenario base) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return fail("scenario: not valid JSON");
  if (auto ok = read_scenario(j, base); !ok) return ok.err();
  return base;
}

std::optional<std::string> challenge_load_warning(const sim_scenario& s) {
  const auto& h = s.hosting;
  const std::uint64_t replicas = std::uint64_t{h.feeds} * h.replicas;
  if (replicas == 0 || h.hosters == 0) return std::nullopt;
  // A replica as the workload publishes it (datdot publish cuts 64 KiB blocks); one append at least, if any.
  replica_record r;
  r.covers.byte_size = h.feed_bytes + (h.append_every_slots != 0 ? h.append_bytes : 0);
  r.covers.length = std::max<std::uint64_t>(
      1, (r.covers.byte_size + feed_limits::block_bytes_default - 1) / feed_limits::block_bytes_default);
  chain_params p;
  p.attesters_per_challenge = static_cast<std::uint32_t>(std::min<std::size_t>(p.attesters_per_challenge, h.attesters));
  const auto cost = challenge_bytes(p, r);
  const std::uint64_t per_block = std::max<std::size_t>(1, chain_limits::challenge_bytes_per_block_max / cost);
  // Each replica comes due once a period on average.
  if (replicas <= per_block * h.challenge_period_slots) return std::nullopt;
  const auto keeps_up = (replicas + per_block - 1) / per_block * 5 / 4;
  return std::to_string(replicas) + " replicas challenged about every " + std::to_string(h.challenge_period_slots) +
         " slots call for " + std::to_string((replicas + h.challenge_period_slots - 1) / h.challenge_period_slots) +
         " challenges a block, and a block opens " + std::to_string(per_block) + " (each calls for up to " +
         std::to_string(cost) + " bytes of proof and attestations, a block takes " +
         std::to_string(chain_limits::challenge_bytes_per_block_max) +
         "): expect replicas_challenged to fail once they are active; --challenge-period-slots " +
         std::to_string(keeps_up) + " keeps up";
}

result<void> validate(const sim_scenario& s) {
  if (s.validators == 0) return fail("validators: at least one");
  if (s.nodes() > sim_limits::nodes_max) return fail("at most " + std::to_string(sim_limits::nodes_max) + " nodes");
  if (s.slots == 0 || s.slots > sim_limits::slots_max)
    return fail("slots: from 1 to " + std::to_string(sim_limits::slots_max));
  if (s.slot_ms < sim_limits::slot_ms_min || s.slot_ms > sim_limits::slot_ms_max)
    return fail("slot_ms: from " + std::to_string(sim_limits::slot_ms_min) + " to " +
                std::to_string(sim_limits::slot_ms_max));
  const auto& l = s.links;
  if (l.latency_us_min > l.latency_us_max || l.latency_us_max > sim_limits::latency_us_max)
    return fail("links: latency_us_min <= latency_us_max <= " + std::to_string(sim_limits::latency_us_max));
  if (l.reorder_delay_us_max > sim_limits::latency_us_max)
    return fail("links.reorder_delay_us_max: at most " + std::to_string(sim_limits::latency_us_max));
  for (auto p : {l.loss_permille, l.duplicate_permille, l.reorder_permille})
    if (p > 1000) return fail("links: a permille is at most 1000");
  if (s.partitions.size() + s.crashes.size() + s.joins.size() + s.leaves.size() > sim_limits::faults_max)
    return fail("at most " + std::to_string(sim_limits::faults_max) + " partitions, crashes, joins and leaves");
  for (std::size_t i = 0; i < s.partitions.size(); ++i) DATDOT_CHECK(check_partition(s.partitions[i], s, i));
  DATDOT_CHECK(check_adversaries(s));
  DATDOT_CHECK(check_hosting(s));
  DATDOT_CHECK(check_churn(s));
  return check_crashes(s);
}

std::string scenario_json(const sim_scenario& s) {
  json partitions = json::array();
  for (const auto& p : s.partitions) {
    json x{{"at_slot", p.at_slot}, {"groups", p.groups}};
    if (p.heal_at_slot) x["heal_at_slot"] = *p.heal_at_slot;
    partitions.push_back(std::move(x));
  }
  json crashes = json::array();
  for (const auto& c : s.crashes) {
    json x{{"node", c.node}, {"at_slot", c.at_slot}};
    if (c.restart_at_slot) x["restart_at_slot"] = *c.restart_at_slot;
    crashes.push_back(std::move(x));
  }
  json adversaries = json::array();
  for (const auto& a : s.adversaries) {
    json x{{"kind", to_string(a.kind)}};
    if (a.share_permille)
      x["share_permille"] = *a.share_permille;
    else
      x["nodes"] = a.nodes;
    adversaries.push_back(std::move(x));
  }
  const auto membership = [](const std::vector<sim_membership_change>& list) {
    json out = json::array();
    for (const auto& m : list) out.push_back({{"node", m.node}, {"at_slot", m.at_slot}});
    return out;
  };
  const auto& l = s.links;
  const auto& h = s.hosting;
  return json{{"name", s.name},
              {"description", s.description},
              {"seed", s.seed},
              {"validators", s.validators},
              {"followers", s.followers},
              {"slots", s.slots},
              {"slot_ms", s.slot_ms},
              {"links",
               {{"latency_us_min", l.latency_us_min},
                {"latency_us_max", l.latency_us_max},
                {"loss_permille", l.loss_permille},
                {"duplicate_permille", l.duplicate_permille},
                {"reorder_permille", l.reorder_permille},
                {"reorder_delay_us_max", l.reorder_delay_us_max}}},
              {"partitions", partitions},
              {"crashes", crashes},
              {"adversaries", adversaries},
              {"joins", membership(s.joins)},
              {"leaves", membership(s.leaves)},
              {"hosting",
               {{"publishers", h.publishers},
                {"encoders", h.encoders},
                {"hosters", h.hosters},
                {"attesters", h.attesters},
                {"capacity_bytes", h.capacity_bytes},
                {"feeds", h.feeds},
                {"feed_bytes", h.feed_bytes},
                {"replicas", h.replicas},
                {"publish_at_slot", h.publish_at_slot},
                {"feeds_per_slot", h.feeds_per_slot},
                {"challenge_period_slots", h.challenge_period_slots},
                {"challenge_deadline_blocks", h.challenge_deadline_blocks},
                {"reshuffle_period_slots", h.reshuffle_period_slots},
                {"append_every_slots", h.append_every_slots},
                {"append_bytes", h.append_bytes}}}}
      .dump();
}

std::string_view to_string(adversary_kind k) noexcept {
  switch (k) {
    case adversary_kind::equivocating_validator: return "equivocating_validator";
    case adversary_kind::double_voting_validator: return "double_voting_validator";
    case adversary_kind::garbage_sender: return "garbage_sender";
    case adversary_kind::lazy_hoster: return "lazy_hoster";
    case adversary_kind::sybil_hoster: return "sybil_hoster";
    case adversary_kind::outsourcing_hoster: return "outsourcing_hoster";
    case adversary_kind::self_service_hoster: return "self_service_hoster";
    case adversary_kind::slow_attester: return "slow_attester";
    case adversary_kind::colluding_encoder: return "colluding_encoder";
    case adversary_kind::colluding_hoster: return "colluding_hoster";
    case adversary_kind::withholding_encoder: return "withholding_encoder";
    case adversary_kind::false_root_encoder: return "false_root_encoder";
  }
  return "unknown";
}

bool is_hoster_kind(adversary_kind k) noexcept {
  return k == adversary_kind::lazy_hoster || k == adversary_kind::sybil_hoster ||
         k == adversary_kind::outsourcing_hoster || k == adversary_kind::self_service_hoster ||
         k == adversary_kind::colluding_hoster;
}

bool is_encoder_kind(adversary_kind k) noexcept {
  return k == adversary_kind::colluding_encoder || k == adversary_kind::withholding_encoder ||
         k == adversary_kind::false_root_encoder;
}

bool is_attester_kind(adversary_kind k) noexcept { return k == adversary_kind::slow_attester; }

std::pair<sim_node_index, sim_node_index> sim_scenario::publisher_nodes() const noexcept {
  const auto first = static_cast<sim_node_index>(validators);
  return {first, static_cast<sim_node_index>(first + hosting.publishers)};
}
std::pair<sim_node_index, sim_node_index> sim_scenario::encoder_nodes() const noexcept {
  const auto first = publisher_nodes().second;
  return {first, static_cast<sim_node_index>(first + hosting.encoders)};
}
std::pair<sim_node_index, sim_node_index> sim_scenario::hoster_nodes() const noexcept {
  const auto first = encoder_nodes().second;
  return {first, static_cast<sim_node_index>(first + hosting.hosters)};
}
std::pair<sim_node_index, sim_node_index> sim_scenario::attester_nodes() const noexcept {
  const auto first = hoster_nodes().second;
  return {first, static_cast<sim_node_index>(first + hosting.attesters)};
}

std::vector<sim_adversary> adversaries_of(const sim_scenario& s) {
  std::map<sim_node_index, adversary_kind> chosen;
  for (const auto& a : s.adversaries)
    for (auto n : a.nodes) chosen.emplace(n, a.kind);
  deterministic_random random{s.seed ^ adversary_stream};
  for (const auto& a : s.adversaries) {
    if (!a.share_permille) continue;
    const auto [first, end] = candidates(a.kind, s);
    std::vector<sim_node_index> free;
    for (sim_node_index n = first; n < end; ++n)
      if (!chosen.contains(n)) free.push_back(n);
    auto wanted = std::min<std::size_t>((end - first) * *a.share_permille / 1000, free.size());
    // A partial Fisher-Yates shuffle: the first `wanted` of `free` are the draw.
    for (std::size_t i = 0; i < wanted; ++i) {
      std::swap(free[i], free[random.uniform(i, free.size() - 1)]);
      chosen.emplace(free[i], a.kind);
    }
  }
  std::vector<sim_adversary> out;
  for (const auto& [node, kind] : chosen) out.push_back(sim_adversary{kind, node});
  return out;
}

result<sim_adversary_spec> parse_adversary_flag(std::string_view text) {
  const auto what = "--adversary " + std::string{text};
  const auto usage = what + ": want KIND:nodes=NODE,NODE... or KIND:share_permille=N";
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return fail(usage);
  auto kind = adversary_kind_of(text.substr(0, colon));
  if (!kind) return fail(what + ": KIND is " + adversary_kind_names);
  sim_adversary_spec a{*kind, {}, std::nullopt};
  const auto rest = text.substr(colon + 1);
  if (rest.starts_with("share_permille=")) {
    auto share = number_in(rest.substr(15), what);
    if (!share) return share.err();
    if (*share > 1000) return fail(what + ": share_permille is at most 1000");
    a.share_permille = static_cast<std::uint32_t>(*share);
    return a;
  }
  if (!rest.starts_with("nodes=")) return fail(usage);
  auto nodes = node_list(rest.substr(6), what);
  if (!nodes) return nodes.err();
  a.nodes = std::move(*nodes);
  return a;
}

result<sim_membership_change> parse_membership_flag(std::string_view text, std::string_view flag) {
  const auto what = std::string{flag} + " " + std::string{text};
  const auto at = text.find('@');
  if (at == std::string_view::npos) return fail(what + ": want NODE@SLOT");
  auto node = number_in(text.substr(0, at), what);
  if (!node) return node.err();
  auto slot = number_in(text.substr(at + 1), what);
  if (!slot) return slot.err();
  if (*node > sim_limits::nodes_max) return fail(what + ": no such node");
  return sim_membership_change{static_cast<sim_node_index>(*node), *slot};
}

result<sim_crash> parse_crash_flag(std::string_view text) {
  const auto what = "--crash " + std::string{text};
  const auto at = text.find('@');
  if (at == std::string_view::npos) return fail(what + ": want NODE@SLOT[-RESTART_SLOT]");
  auto node = number_in(text.substr(0, at), what);
  if (!node) return node.err();
  auto slots = slot_range(text.substr(at + 1), what);
  if (!slots) return slots.err();
  if (*node > sim_limits::nodes_max) return fail(what + ": no such node");
  return sim_crash{static_cast<sim_node_index>(*node), slots->first, slots->second};
}

result<sim_partition> parse_partition_flag(std::string_view text) {
  const auto what = "--partition " + std::string{text};
  const auto at = text.find('@');
  if (at == std::string_view::npos)
    return fail(what + ": want NODE,NODE|NODE,...@SLOT[-HEAL_SLOT]");
  sim_partition p;
  auto slots = slot_range(text.substr(at + 1), what);
  if (!slots) return slots.err();
  p.at_slot = slots->first;
  p.heal_at_slot = slots->second;
  auto groups = text.substr(0, at);
  for (std::size_t start = 0; start <= groups.size();) {
    const auto bar = std::min(groups.find('|', start), groups.size());
    auto group = node_list(groups.substr(start, bar - start), what);
    if (!group) return group.err();
    p.groups.push_back(std::move(*group));
    start = bar + 1;
  }
  return p;
}

}  // namespace datdot

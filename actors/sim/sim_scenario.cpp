#include "actors/sim/sim_scenario.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

namespace datdot {
namespace {

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

result<sim_partition> read_partition(const json& j, const std::string& where) {
  sim_partition p;
  DATDOT_CHECK(only_keys(j, {"at_slot", "groups", "heal_at_slot"}, where));
  if (!j.contains("at_slot") || !j.contains("groups")) return fail(where + ": needs at_slot and groups");
  DATDOT_CHECK(read_unsigned(j, "at_slot", p.at_slot, where));
  DATDOT_CHECK(read_optional(j, "heal_at_slot", p.heal_at_slot, where));
  const auto& groups = j["groups"];
  if (!groups.is_array()) return fail(where + ".groups: want an array of arrays of node indices");
  for (const auto& g : groups) {
    if (!g.is_array()) return fail(where + ".groups: want an array of arrays of node indices");
    auto& group = p.groups.emplace_back();
    for (const auto& n : g) {
      if (!n.is_number_unsigned() || n.get<std::uint64_t>() > sim_limits::nodes_max)
        return fail(where + ".groups: " + n.dump() + " is not a node index");
      group.push_back(static_cast<sim_node_index>(n.get<std::uint64_t>()));
    }
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

result<void> read_scenario(const json& j, sim_scenario& s) {
  DATDOT_CHECK(only_keys(j,
                         {"name", "description", "seed", "validators", "followers", "slots", "slot_ms", "links",
                          "partitions", "crashes"},
                         "scenario"));
  DATDOT_CHECK(read_string(j, "name", s.name, "scenario"));
  DATDOT_CHECK(read_string(j, "description", s.description, "scenario"));
  DATDOT_CHECK(read_unsigned(j, "seed", s.seed, "scenario"));
  DATDOT_CHECK(read_unsigned(j, "validators", s.validators, "scenario"));
  DATDOT_CHECK(read_unsigned(j, "followers", s.followers, "scenario"));
  DATDOT_CHECK(read_unsigned(j, "slots", s.slots, "scenario"));
  DATDOT_CHECK(read_unsigned(j, "slot_ms", s.slot_ms, "scenario"));
  if (j.contains("links")) DATDOT_CHECK(read_links(j["links"], s.links));
  DATDOT_CHECK(read_list(j, "partitions", s.partitions, &read_partition));
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

result<std::uint64_t> number_in(std::string_view text, const std::string& what) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
    return fail(what + ": \"" + std::string{text} + "\" is not a number");
  return v;
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
  if (s.partitions.size() + s.crashes.size() > sim_limits::faults_max)
    return fail("at most " + std::to_string(sim_limits::faults_max) + " partitions and crashes");
  for (std::size_t i = 0; i < s.partitions.size(); ++i) DATDOT_CHECK(check_partition(s.partitions[i], s, i));
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
  const auto& l = s.links;
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
              {"crashes", crashes}}
      .dump();
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
    auto& group = p.groups.emplace_back();
    auto members = groups.substr(start, bar - start);
    for (std::size_t m = 0; m <= members.size();) {
      const auto comma = std::min(members.find(',', m), members.size());
      auto node = number_in(members.substr(m, comma - m), what);
      if (!node) return node.err();
      if (*node > sim_limits::nodes_max) return fail(what + ": no such node");
      group.push_back(static_cast<sim_node_index>(*node));
      m = comma + 1;
    }
    start = bar + 1;
  }
  return p;
}

}  // namespace datdot

#include "actors/sim/scenario_driver.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "actors/sim/hosting_tally.hpp"
#include "actors/sim/ledger_checker.hpp"
#include "actors/sim/resident_memory.hpp"
#include "actors/sim/sim_adversaries.hpp"
#include "actors/sim/sim_cluster.hpp"
#include "actors/sim/sim_feeds.hpp"
#include "protocol/chain/block.hpp"
#include "protocol/chain/import_memo.hpp"

namespace datdot {
namespace {

// The feeds' keys and bytes come from their own stream: adding a feed never
// changes who the nodes are.
constexpr std::uint64_t feed_stream = 0x6665656473ull;  // "feeds"

// The sides of a partition as sim_network::partition takes them: a group's
// nodes on side index+1, the nodes named in no group together on side 0.
std::vector<std::uint32_t> sides_of(const sim_partition& p, std::size_t nodes) {
  std::vector<std::uint32_t> side(nodes, 0);
  for (std::size_t g = 0; g < p.groups.size(); ++g)
    for (auto n : p.groups[g]) side[n] = static_cast<std::uint32_t>(g + 1);
  return side;
}

// A slot's faults, in a fixed order: heals, joins, restarts, then leaves, new partitions and crashes.
std::optional<invariant_violation> apply_faults(sim_cluster& cluster, const sim_scenario& s, std::uint64_t slot,
                                                sim_report& r) {
  for (const auto& p : s.partitions)
    if (p.heal_at_slot == slot) cluster.network().heal();
  for (const auto& j : s.joins) {
    if (j.at_slot != slot) continue;
    ++r.joins;
    if (auto ok = cluster.restart(j.node); !ok)
      return invariant_violation{"restart_restores", j.node, "the joining node cannot start: " + ok.err().describe()};
  }
  for (const auto& c : s.crashes) {
    if (c.restart_at_slot != slot) continue;
    ++r.restarts;
    if (auto ok = cluster.restart(c.node); !ok)
      return invariant_violation{"restart_restores", c.node, "the restarted node cannot rebuild its chain: " +
                                                                 ok.err().describe()};
  }
  for (const auto& l : s.leaves) {
    if (l.at_slot != slot || !cluster.is_up(l.node)) continue;
    ++r.leaves;
    cluster.leave(l.node);
  }
  for (const auto& p : s.partitions)
    if (p.at_slot == slot) cluster.network().partition(sides_of(p, cluster.size()));
  for (const auto& c : s.crashes) {
    if (c.at_slot != slot) continue;
    ++r.crashes;
    cluster.crash(c.node);
  }
  return std::nullopt;
}

result<block_header> stored_header(const storage::chain_store& store, const block_hash& hash) {
  auto bytes = store.block(hash);
  if (!bytes) return bytes.err();
  if (!*bytes) return make_error(errc::not_found, "no stored block " + to_hex(hash.bytes));
  auto b = decode_block(**bytes);
  if (!b) return make_error(errc::corrupt_data, "stored block: " + b.err().detail);
  return b->header.header;
}

// The events of the block `f` names, from the store of the node that finalized it first.
std::optional<invariant_violation> check_events(const sim_cluster& cluster, const first_finality& f,
                                                std::uint64_t slot, adversary_checker& adversaries,
                                                hosting_tally& hosting, ledger_checker& ledger) {
  auto stored = cluster.chain_store_of(f.node)->events(f.number, 1);
  if (!stored || stored->empty() || stored->front().first != f.number) return std::nullopt;
  // Parsed once for the three readers.
  const auto& bytes = stored->front().second;
  const auto events = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (!events.is_array()) return std::nullopt;
  hosting.on_finalized_events(events);
  if (auto bad = ledger.check_events(events)) return bad;
  return adversaries.on_finalized_events(slot, events);
}

// The newest state any node up has finalized; null before the first.
std::shared_ptr<const chain_state> newest_finalized(const sim_cluster& cluster) {
  std::shared_ptr<const chain_state> newest;
  for (sim_node_index i = 0; i < cluster.size(); ++i)
    if (auto s = cluster.finalized_state_of(i); s && (!newest || s->number.value > newest->number.value))
      newest = std::move(s);
  return newest;
}

// The newest finalized state, once per height.
std::optional<invariant_violation> check_ledger(const sim_cluster& cluster, ledger_checker& ledger,
                                                std::uint64_t& checked_height) {
  const auto newest = newest_finalized(cluster);
  if (!newest || newest->number.value <= checked_height) return std::nullopt;
  checked_height = newest->number.value;
  return ledger.check_state(*newest);
}

// Each role node's roles; hoster, attester and encoder adversaries serve their way.
std::vector<sim_node_roles> roles_of(const sim_scenario& s, const sim_adversaries& adversaries) {
  std::vector<sim_node_roles> out(s.nodes());
  const auto give = [&](std::pair<sim_node_index, sim_node_index> nodes, role r) {
    for (auto i = nodes.first; i < nodes.second; ++i) out[i].roles.add(r);
  };
  give(s.publisher_nodes(), role::publisher);
  give(s.encoder_nodes(), role::encoder);
  give(s.hoster_nodes(), role::hoster);
  give(s.attester_nodes(), role::attester);
  for (auto i = s.hoster_nodes().first; i < s.hoster_nodes().second; ++i) {
    out[i].capacity_bytes = s.hosting.capacity_bytes;
    out[i].hosting = adversaries.hoster_conduct_of(i);
  }
  for (auto i = s.attester_nodes().first; i < s.attester_nodes().second; ++i)
    out[i].attesting = adversaries.attester_conduct_of(i);
  for (auto i = s.encoder_nodes().first; i < s.encoder_nodes().second; ++i)
    out[i].encoding = adversaries.encoder_conduct_of(i);
  return out;
}

// Nodes the scenario's faults may cut off from the chain long enough to miss
// a challenge: every node when the network splits, else the ones that crash.
std::set<sim_node_index> excused_of(const sim_scenario& s) {
  std::set<sim_node_index> out;
  if (!s.partitions.empty())
    for (sim_node_index i = 0; i < s.nodes(); ++i) out.insert(i);
  for (const auto& c : s.crashes) out.insert(c.node);
  return out;
}

// What the newest finalized state says the hosters keep: each live replica is a copy of the head it covers.
std::uint64_t live_replica_bytes(const sim_cluster& cluster) {
  const auto newest = newest_finalized(cluster);
  std::uint64_t total = 0;
  if (newest)
    for (const auto& [key, f] : newest->feeds)
      for (const auto& r : f.replicas)
        if (r.state == replica_state::active) total += r.covers.byte_size;
  return total;
}

// The workload's feeds as their publish answers name them: feed k, published
// in slot publish_slot_of(k) by publisher_of(k).
using published_feeds = std::map<std::uint64_t, feed_key>;

std::uint64_t publish_slot_of(const sim_scenario& s, std::uint64_t k) {
  return s.hosting.publish_at_slot + k / s.hosting.feeds_per_slot;
}

sim_node_index publisher_of(const sim_scenario& s, std::uint64_t k) {
  return static_cast<sim_node_index>(s.publisher_nodes().first + k % s.hosting.publishers);
}

// Feed `k` of the workload, from seeded bytes, to its publisher. Publish
// answers arrive as the cluster runs, possibly after the report is gone (the
// cluster's shutdown fails the ones in flight), hence shared counts.
result<void> publish_feed(sim_cluster& cluster, const sim_scenario& s, std::uint64_t k,
                          const std::filesystem::path& dir, sim_report& r,
                          const std::shared_ptr<std::uint64_t>& failures,
                          const std::shared_ptr<published_feeds>& published) {
  const auto& h = s.hosting;
  const auto file = dir / ("feed-" + std::to_string(k) + ".bytes");
  DATDOT_CHECK(make_sim_bytes(file, deterministic_random{s.seed ^ feed_stream}.split(k).next(), h.feed_bytes));
  ++r.feeds_requested;
  if (!cluster.publish(publisher_of(s, k), publish_request{file.string(), h.replicas},
                       [failures, published, k](result<publish_answer> a) {
                         if (!a || !a->ok) {
                           ++*failures;
                           return;
                         }
                         const auto key = nlohmann::json::parse(a->json, nullptr, false).value("key", "");
                         if (auto bytes = from_hex_fixed<32>(key)) published->emplace(k, feed_key{*bytes});
                       }))
    ++*failures;  // its publisher is down
  return {};
}

// The feeds of the workload due in this slot, each to the next publisher in turn.
result<void> publish_due(sim_cluster& cluster, const sim_scenario& s, std::uint64_t slot, sim_report& r,
                         const std::shared_ptr<std::uint64_t>& failures,
                         const std::shared_ptr<published_feeds>& published) {
  const auto& h = s.hosting;
  if (slot < h.publish_at_slot) return {};
  const auto dir = cluster.store_root() / "workload";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const auto first = (slot - h.publish_at_slot) * h.feeds_per_slot;
  for (auto k = first; k < h.feeds && k < first + h.feeds_per_slot; ++k)
    DATDOT_CHECK(publish_feed(cluster, s, k, dir, r, failures, published));
  return {};
}

// Every append_every_slots after its publish slot, a published feed's
// publisher appends seeded bytes to it.
void append_due(sim_cluster& cluster, const sim_scenario& s, std::uint64_t slot, sim_report& r,
                const std::shared_ptr<std::uint64_t>& failures, const published_feeds& published) {
  const auto& h = s.hosting;
  if (h.append_every_slots == 0) return;
  const auto dir = cluster.store_root() / "workload";
  for (const auto& [k, key] : published) {
    const auto since = slot - std::min(slot, publish_slot_of(s, k));
    if (since == 0 || since % h.append_every_slots != 0) continue;
    const auto file = dir / ("append-" + std::to_string(k) + "-" + std::to_string(slot) + ".bytes");
    const auto seed = deterministic_random{s.seed ^ feed_stream}.split(k).split(slot).next();
    ++r.appends_requested;
    if (!make_sim_bytes(file, seed, h.append_bytes) ||
        !cluster.append(publisher_of(s, k), append_request{key, file.string()}, [failures](result<publish_answer> a) {
          if (!a || !a->ok) ++*failures;
        }))
      ++*failures;
  }
}

std::optional<invariant_violation> check_all(sim_cluster& cluster, finality_checker& checker) {
  for (sim_node_index i = 0; i < cluster.size(); ++i)
    if (const auto* store = cluster.chain_store_of(i))
      if (auto bad = checker.check(i, *store)) return bad;
  return std::nullopt;
}

// The highest block a node has stored: its finalized height or an unfinalized block above it.
std::uint64_t best_height(const storage::chain_store& store, std::uint64_t finalized) {
  auto unfinalized = store.unfinalized();
  if (!unfinalized) return finalized;
  for (const auto& ref : *unfinalized) finalized = std::max(finalized, ref.number.value);
  return finalized;
}

sim_slot_sample sample_of(const sim_cluster& cluster, const finality_checker& checker,
                          const adversary_checker& caught, const hosting_tally& hosting, std::uint64_t slot) {
  sim_slot_sample out;
  out.slot = slot;
  bool first = true;
  for (sim_node_index i = 0; i < cluster.size(); ++i) {
    const auto* store = cluster.chain_store_of(i);
    if (!store) continue;
    const auto finalized = checker.height_of(i);
    const auto best = best_height(*store, finalized);
    out.best_height_max = std::max(out.best_height_max, best);
    out.best_height_min = first ? best : std::min(out.best_height_min, best);
    out.finalized_height_min = first ? finalized : std::min(out.finalized_height_min, finalized);
    first = false;
  }
  out.finalized_height_max = checker.highest();
  out.finality_lag_blocks = out.best_height_max - std::min(out.best_height_max, out.finalized_height_max);
  const auto& n = cluster.network().counters();
  out.frames_delivered = n.delivered;
  out.frames_lost = n.lost;
  out.frames_duplicated = n.duplicated;
  out.events = cluster.events();
  out.adversaries_caught = caught.caught();
  out.by_behaviour = hosting.summary().by_behaviour;
  return out;
}

// Nearest rank: the smallest lag at least `percent` of the blocks had.
std::uint64_t percentile(const std::vector<std::uint64_t>& sorted, unsigned percent) {
  if (sorted.empty()) return 0;
  const auto rank = (sorted.size() * percent + 99) / 100;
  return sorted[std::max<std::size_t>(rank, 1) - 1];
}

// The state every node up at the end has finalized: the root committed by
// the block at the lowest of their finalized heights.
result<void> agreed_state(const sim_cluster& cluster, const finality_checker& checker, sim_report& r) {
  std::optional<sim_node_index> lowest;
  for (sim_node_index i = 0; i < cluster.size(); ++i)
    if (cluster.is_up(i) && (!lowest || checker.height_of(i) < checker.height_of(*lowest))) lowest = i;
  r.finalized_height_min = lowest ? checker.height_of(*lowest) : 0;
  r.state_root_height = r.finalized_height_min;
  if (r.state_root_height == 0) {
    r.state_root = state_root(cluster.chain_genesis().state);
    return {};
  }
  auto header = stored_header(*cluster.chain_store_of(*lowest), checker.agreed_at(r.state_root_height));
  if (!header) return header.err();
  r.state_root = header->state_root;
  return {};
}

}  // namespace

result<std::uint32_t> sim_threads(const sim_scenario& s, const scenario_hooks& hooks, unsigned cores) {
  const bool shared = !adversaries_of(s).empty() || hooks.wrap_transport || hooks.wrap_sealer;
  if (hooks.threads == 0) {
    const bool worth = s.nodes() >= sim_threads_auto_nodes_min && cores >= 2;
    return worth && !shared && s.links.latency_us_min > 0 ? 2u : 1u;
  }
  if (hooks.threads > sim_threads_max)
    return make_error(errc::invalid_argument, "--threads " + std::to_string(hooks.threads) + " is more than " +
                                                  std::to_string(sim_threads_max));
  if (hooks.threads > 1 && shared)
    return make_error(errc::invalid_argument,
                      "adversaries (and transport or sealing-key wrappers) share state across nodes: a run with "
                      "them takes one thread (--threads 1)");
  if (hooks.threads > 1 && s.links.latency_us_min == 0)
    return make_error(errc::invalid_argument,
                      "several threads run the nodes in windows shorter than the least latency: it must be above 0 "
                      "(--latency-us-min) or the run takes one thread (--threads 1)");
  return hooks.threads;
}

result<sim_report> run_scenario(const sim_scenario& s, const scenario_hooks& hooks) {
  if (auto ok = validate(s); !ok) return ok.err();
  const auto threads = sim_threads(s, hooks, std::thread::hardware_concurrency());
  if (!threads) return threads.err();
  const auto started = std::chrono::steady_clock::now();
  const auto memo_before = verify_memo_counts();
  const auto imports_before = import_memo_counts();
  sim_chain_config chain;
  chain.validators = s.validators;
  chain.slot_duration_ms = s.slot_ms;
  chain.log = hooks.chain_log;
  chain.replicas_per_feed = std::max(chain.replicas_per_feed, s.hosting.replicas);
  chain.challenge_period_slots = s.hosting.challenge_period_slots;
  chain.challenge_deadline_blocks = s.hosting.challenge_deadline_blocks;
  chain.reshuffle_period_slots = s.hosting.reshuffle_period_slots;
  chain.replica_stores = std::make_shared<sim_replica_stores>();
  sim_adversaries adversaries{s.seed, adversaries_of(s), chain.replica_stores, s.publisher_nodes().first};
  chain.roles = roles_of(s, adversaries);
  sim_cluster_config config{s.seed, s.nodes(), s.links};
  config.threads = *threads;
  for (const auto& j : s.joins) config.start_down.insert(j.node);
  config.wrap_transport = [&adversaries, &hooks](sim_node_index node, std::shared_ptr<bus_transport> inner) {
    auto wrapped = adversaries.wrap(node, std::move(inner));
    return hooks.wrap_transport ? hooks.wrap_transport(node, std::move(wrapped)) : wrapped;
  };
  config.wrap_sealer = hooks.wrap_sealer;
  auto made = sim_cluster::with_chain(std::move(config), std::move(chain));
  if (!made) return made.err();
  auto& cluster = **made;
  adversaries.arm(cluster);
  finality_checker checker{cluster.size(), cluster.chain_genesis().hash};
  adversary_checker caught{cluster, adversaries.who(), excused_of(s)};
  hosting_tally hosting{cluster, adversaries.who()};
  std::vector<account_id> accounts;
  for (sim_node_index i = 0; i < cluster.size(); ++i) accounts.push_back(cluster.id_of(i));
  ledger_checker ledger{cluster.chain_genesis().state, accounts};
  std::uint64_t ledger_height = 0;
  const auto publish_failures = std::make_shared<std::uint64_t>(0);
  const auto append_failures = std::make_shared<std::uint64_t>(0);
  const auto published = std::make_shared<published_feeds>();
  sim_report r;
  r.scenario = s;
  std::vector<std::uint64_t> lags;
  for (std::uint64_t slot = 1; slot <= s.slots && !r.violation; ++slot) {
    r.violation = apply_faults(cluster, s, slot, r);
    if (!r.violation) {
      if (auto ok = publish_due(cluster, s, slot, r, publish_failures, published); !ok) return ok.err();
      append_due(cluster, s, slot, r, append_failures, *published);
      adversaries.act(cluster);
      cluster.run_for(std::chrono::milliseconds{s.slot_ms});
      r.violation = check_all(cluster, checker);
    }
    r.slots_run = slot;
    for (const auto& f : checker.take_first_finalities()) {
      auto header = stored_header(*cluster.chain_store_of(f.node), f.hash);
      if (!header) return header.err();
      lags.push_back(slot - std::min(slot, header->slot.value));
      if (!r.violation) r.violation = check_events(cluster, f, slot, caught, hosting, ledger);
    }
    if (!r.violation) r.violation = check_ledger(cluster, ledger, ledger_height);
    if (auto bad = caught.on_bans(slot, cluster.network().take_bans(), cluster); bad && !r.violation)
      r.violation = bad;
    if (r.violation) r.violation_slot = slot;
    if (const auto memory = resident_memory_now()) {
      r.peak_rss_anon_bytes = std::max(r.peak_rss_anon_bytes, memory->anon_bytes);
      r.peak_rss_file_bytes = std::max(r.peak_rss_file_bytes, memory->file_bytes);
    }
    if (hooks.on_slot) hooks.on_slot(sample_of(cluster, checker, caught, hosting, slot));
    const bool report_now = hooks.progress_every_slots > 0 && slot % hooks.progress_every_slots == 0;
    if (hooks.on_progress && (report_now || slot == s.slots || r.violation))
      hooks.on_progress(sim_progress{slot, s.slots, checker.highest(), cluster.events()});
  }
  std::sort(lags.begin(), lags.end());
  r.finality_lag_slots_p50 = percentile(lags, 50);
  r.finality_lag_slots_p99 = percentile(lags, 99);
  r.finality_lag_slots_max = lags.empty() ? 0 : lags.back();
  r.finalized_height = checker.highest();
  if (auto ok = agreed_state(cluster, checker, r); !ok) return ok.err();
  r.network = cluster.network().counters();
  r.events = cluster.events();
  r.threads = *threads;
  const auto memo = verify_memo_counts();
  r.signatures_verified = memo.misses - memo_before.misses;
  r.signatures_memoized = memo.hits - memo_before.hits;
  const auto imports = import_memo_counts();
  r.blocks_applied = imports.misses - imports_before.misses;
  r.blocks_memoized = imports.hits - imports_before.hits;
  r.blocks_built = imports.built - imports_before.built;
  r.trace_hash = cluster.network().trace_hash();
  r.adversaries = caught.results();
  for (auto& a : r.adversaries) {
    a.frames_sent = adversaries.frames_sent(a.who.node);
    if (const auto* h = adversaries.hoster_of(a.who.node)) {
      a.replicas_dropped = h->replicas_dropped();
      a.first_drop_height = h->first_drop_height();
      if (const auto c = h->collusion(r.finalized_height)) {
        a.longest_unkept_blocks = c->longest_unkept_blocks;
        a.reseals = c->reseals;
      }
    }
    if (const auto* at = adversaries.attester_of(a.who.node)) {
      a.attestations_held = at->held();
      a.first_held_height = at->first_held_height();
    }
    if (const auto* e = adversaries.encoder_of(a.who.node)) {
      a.sealing_lies = e->lies();
      a.first_lie_height = e->first_lie_height();
    }
  }
  r.hosting = hosting.summary();
  r.publish_failures = *publish_failures;
  r.append_failures = *append_failures;
  r.disk_sealed_bytes = cluster.sealed_bytes_stored();
  r.disk_model_bytes = live_replica_bytes(cluster);
  r.ledger_states_checked = ledger.states_checked();
  r.ledger_payouts_checked = ledger.payouts_checked();
  r.excused_failures = caught.excused_failures();
  r.honest_attester_misses = caught.honest_misses();
  r.adversaries_caught = caught.caught();
  r.false_accusations = caught.false_accusations();
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return r;
}

}  // namespace datdot

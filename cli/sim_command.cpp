// `datdot sim`: runs a whole network in this one process — validators and
// followers running the real chain actor over the simulated bus, in virtual
// time, role nodes running the real role actors on a feed workload, with the
// scenario's faults and adversaries — from a scenario file and
// flags that override its fields, checks the invariants as it goes, and
// prints a report (human or --json). A run is reproducible from its scenario
// and seed; a violated invariant prints the command that replays it and exits 3.
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "actors/sim/scenario_driver.hpp"
#include "actors/sim/sim_csv.hpp"
#include "actors/sim/sim_html.hpp"
#include "cli/commands.hpp"

namespace datdot::cli {
namespace {

constexpr int exit_invariant_violated = 3;

struct sim_options {
  std::string scenario_file;
  std::string save_failure_dir;
  std::string csv_file;
  std::string html_file;
  bool json = false;
  bool quiet = false;
  bool log = false;
  std::uint64_t progress_every_slots = 10;
  std::uint32_t threads = 0;
  // Overrides: applied only when given (CLI11 counts them).
  sim_scenario flags;
  std::size_t nodes = 0;
  std::vector<std::string> partitions;
  std::vector<std::string> crashes;
  std::vector<std::string> joins;
  std::vector<std::string> leaves;
  std::vector<std::string> adversaries;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw command_failed{2, "cannot read --scenario " + path};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool given(const CLI::App& cmd, const char* name) { return cmd.get_option(name)->count() > 0; }

// A list flag given at least once replaces the scenario's whole list.
template <class T>
void replace_from_flags(const std::vector<std::string>& texts, std::vector<T>& list,
                        result<T> (*parse)(std::string_view)) {
  if (texts.empty()) return;
  list.clear();
  for (const auto& text : texts) {
    auto x = parse(text);
    if (!x) throw command_failed{2, x.err().message};
    list.push_back(std::move(*x));
  }
}

// The scenario file's fields, then each flag given on the command line.
sim_scenario scenario_of(const sim_options& o, const CLI::App& cmd) {
  sim_scenario s;
  if (!o.scenario_file.empty()) {
    auto parsed = parse_scenario(read_file(o.scenario_file));
    if (!parsed) throw command_failed{2, o.scenario_file + ": " + parsed.err().message};
    s = std::move(*parsed);
  }
  const auto& f = o.flags;
  if (given(cmd, "--seed")) s.seed = f.seed;
  if (given(cmd, "--validators")) s.validators = f.validators;
  if (given(cmd, "--followers")) s.followers = f.followers;
  if (given(cmd, "--nodes")) {
    if (o.nodes < s.validators) throw command_failed{2, "--nodes is fewer than the validators"};
    s.followers = o.nodes - s.validators;
  }
  if (given(cmd, "--slots")) s.slots = f.slots;
  if (given(cmd, "--slot-ms")) s.slot_ms = f.slot_ms;
  if (given(cmd, "--latency-us-min")) s.links.latency_us_min = f.links.latency_us_min;
  if (given(cmd, "--latency-us-max")) s.links.latency_us_max = f.links.latency_us_max;
  if (given(cmd, "--loss-permille")) s.links.loss_permille = f.links.loss_permille;
  if (given(cmd, "--duplicate-permille")) s.links.duplicate_permille = f.links.duplicate_permille;
  if (given(cmd, "--reorder-permille")) s.links.reorder_permille = f.links.reorder_permille;
  auto& h = s.hosting;
  if (given(cmd, "--publishers")) h.publishers = f.hosting.publishers;
  if (given(cmd, "--encoders")) h.encoders = f.hosting.encoders;
  if (given(cmd, "--hosters")) h.hosters = f.hosting.hosters;
  if (given(cmd, "--attesters")) h.attesters = f.hosting.attesters;
  if (given(cmd, "--capacity-bytes")) h.capacity_bytes = f.hosting.capacity_bytes;
  if (given(cmd, "--feeds")) h.feeds = f.hosting.feeds;
  if (given(cmd, "--feed-bytes")) h.feed_bytes = f.hosting.feed_bytes;
  if (given(cmd, "--replicas")) h.replicas = f.hosting.replicas;
  if (given(cmd, "--publish-at-slot")) h.publish_at_slot = f.hosting.publish_at_slot;
  if (given(cmd, "--feeds-per-slot")) h.feeds_per_slot = f.hosting.feeds_per_slot;
  if (given(cmd, "--challenge-period-slots")) h.challenge_period_slots = f.hosting.challenge_period_slots;
  if (given(cmd, "--challenge-deadline-blocks")) h.challenge_deadline_blocks = f.hosting.challenge_deadline_blocks;
  if (given(cmd, "--reshuffle-period-slots")) h.reshuffle_period_slots = f.hosting.reshuffle_period_slots;
  if (given(cmd, "--append-every-slots")) h.append_every_slots = f.hosting.append_every_slots;
  if (given(cmd, "--append-bytes")) h.append_bytes = f.hosting.append_bytes;
  replace_from_flags(o.partitions, s.partitions, &parse_partition_flag);
  replace_from_flags(o.crashes, s.crashes, &parse_crash_flag);
  replace_from_flags(o.joins, s.joins, +[](std::string_view t) { return parse_membership_flag(t, "--join"); });
  replace_from_flags(o.leaves, s.leaves, +[](std::string_view t) { return parse_membership_flag(t, "--leave"); });
  replace_from_flags(o.adversaries, s.adversaries, &parse_adversary_flag);
  if (auto ok = validate(s); !ok) throw command_failed{2, "scenario: " + ok.err().message};
  if (const auto warning = challenge_load_warning(s)) std::cerr << "warning: " << *warning << "\n";
  return s;
}

std::string shell_quoted(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,/@=:+") ==
                           std::string::npos)
    return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string{"'\\''"} : std::string{c};
  return out + "'";
}

// The command that runs this scenario again: the options that shape the run,
// as given, and the seed always (it may have come from the file).
std::string replay_command(const CLI::App& cmd, const sim_scenario& s) {
  std::string out = "datdot sim";
  for (const auto* opt : cmd.get_options()) {
    const auto name = opt->get_name();
    if (opt->count() == 0 || name == "--seed" || name == "--json" || name == "--quiet" || name == "--log" ||
        name == "--progress-every" || name == "--help" || name == "--save-failure" || name == "--csv" ||
        name == "--html")
      continue;
    for (const auto& value : opt->results()) out += " " + name + " " + shell_quoted(value);
  }
  return out + " --seed " + std::to_string(s.seed);
}

// A failed run's scenario as DIR/NAME-seed-SEED.json, which replays it alone.
std::filesystem::path save_failure(const std::string& dir, const sim_report& r) {
  const auto s = failure_scenario(r);
  auto name = s.name;
  for (auto& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '-';
  const auto path = std::filesystem::path{dir} / (name + "-seed-" + std::to_string(s.seed) + ".json");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::ofstream out(path);
  out << nlohmann::json::parse(scenario_json(s)).dump(2) << "\n";
  if (!out.flush()) throw command_failed{1, "--save-failure: cannot write " + path.string()};
  return path;
}

void run_sim(const sim_options& o, const CLI::App& cmd) {
  const auto s = scenario_of(o, cmd);
  scenario_hooks hooks;
  hooks.progress_every_slots = o.progress_every_slots;
  hooks.threads = o.threads;
  if (!o.quiet)
    hooks.on_progress = [started = std::chrono::steady_clock::now()](const sim_progress& p) {
      // Wall time only goes to the screen: the run itself never reads a clock.
      const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
      std::cerr << "slot " << p.slot << "/" << p.slots << "  finalized " << p.finalized_height << "  events "
                << p.events << "  " << std::fixed << std::setprecision(1) << elapsed.count() << " s";
      if (p.slot > 0 && p.slot < p.slots)
        std::cerr << " (about " << elapsed.count() / static_cast<double>(p.slot) * static_cast<double>(p.slots - p.slot)
                  << " s to go)";
      std::cerr << std::defaultfloat << std::endl;
    };
  if (o.log) hooks.chain_log = [](const std::string& line) { std::cerr << line << "\n"; };
  std::ofstream csv;
  if (!o.csv_file.empty()) {
    csv.open(o.csv_file);
    if (!csv) throw command_failed{2, "--csv: cannot write " + o.csv_file};
    csv << csv_header();
  }
  std::ofstream html;
  if (!o.html_file.empty()) {
    html.open(o.html_file);
    if (!html) throw command_failed{2, "--html: cannot write " + o.html_file};
  }
  std::vector<sim_slot_sample> samples;
  if (csv.is_open() || html.is_open())
    hooks.on_slot = [&](const sim_slot_sample& sample) {
      if (csv.is_open()) csv << csv_row(sample);
      if (html.is_open()) samples.push_back(sample);
    };
  auto report = run_scenario(s, hooks);
  if (!report) throw command_failed{1, "sim: " + report.err().describe()};
  if (csv.is_open() && !csv.flush()) throw command_failed{1, "--csv: cannot write " + o.csv_file};
  auto replay = replay_command(cmd, s);
  if (report->violation && !o.save_failure_dir.empty())
    replay = "datdot sim --scenario " + shell_quoted(save_failure(o.save_failure_dir, *report).string());
  if (html.is_open() && !(html << report_html(*report, samples, replay)).flush())
    throw command_failed{1, "--html: cannot write " + o.html_file};
  if (o.json)
    std::cout << report_json(*report, replay) << std::endl;
  else
    std::cout << report_text(*report, replay);
  if (const auto& bad = report->violation)
    throw command_failed{exit_invariant_violated, "invariant " + bad->invariant + " violated at slot " +
                                                      std::to_string(report->violation_slot) + " on node " +
                                                      std::to_string(bad->node) + ": " + bad->detail + "\n  seed " +
                                                      std::to_string(s.seed) + "\n  replay: " + replay};
}

}  // namespace

void add_sim_command(CLI::App& app) {
  auto o = std::make_shared<sim_options>();
  auto* cmd = app.add_subcommand("sim", "Simulate a whole network in this process, deterministically from a seed");
  cmd->footer(
      "Validators and followers run the real chain over a simulated bus in virtual time, with the link faults, "
      "partitions, crashes and adversaries of a scenario; followers named as publishers, encoders, hosters and "
      "attesters (in that order after the validators) run the real role actors and host the scenario's feeds. The "
      "same scenario and seed give the same trace_hash and state_root. Checks that nodes agree on the finalized "
      "prefix, that finality never goes back and that no honest node is reported, banned, convicted or fails a "
      "challenge; reports when each adversary was caught (an offence on the finalized chain, banned by every honest "
      "node, a failed storage challenge, or an attestation missed). A violation prints the seed and the command that replays it and "
      "exits 3; with --save-failure DIR the scenario and seed are also written to a file that command runs.\n"
      "Example: datdot sim --scenario scenarios/partition-heal.json --seed 7 --json");
  cmd->add_option("--scenario", o->scenario_file,
                  "Scenario JSON (see scenarios/README.md); fields it leaves out keep the defaults, flags override it")
      ->check(CLI::ExistingFile);
  auto& f = o->flags;
  const sim_scenario defaults;
  cmd->add_option("--seed", f.seed, "Seed of everything random: identities, genesis, link delays and faults")
      ->default_str(std::to_string(defaults.seed));
  cmd->add_option("--validators", f.validators, "Validators (nodes 0 .. V-1): they produce blocks and vote")
      ->default_str(std::to_string(defaults.validators));
  cmd->add_option("--followers", f.followers, "Nodes that follow the chain without voting")
      ->default_str(std::to_string(defaults.followers));
  cmd->add_option("--nodes", o->nodes, "All nodes, validators included (sets the followers to NODES - VALIDATORS)");
  cmd->add_option("--slots", f.slots, "Slots to run")->default_str(std::to_string(defaults.slots));
  cmd->add_option("--slot-ms", f.slot_ms, "Slot length in virtual milliseconds (the chain's slot_duration_ms)")
      ->default_str(std::to_string(defaults.slot_ms));
  cmd->add_option("--latency-us-min", f.links.latency_us_min, "Shortest one-way link delay, microseconds")
      ->default_str(std::to_string(defaults.links.latency_us_min));
  cmd->add_option("--latency-us-max", f.links.latency_us_max, "Longest one-way link delay, microseconds")
      ->default_str(std::to_string(defaults.links.latency_us_max));
  cmd->add_option("--loss-permille", f.links.loss_permille, "Frames lost per thousand")
      ->default_str(std::to_string(defaults.links.loss_permille));
  cmd->add_option("--duplicate-permille", f.links.duplicate_permille, "Frames delivered twice per thousand")
      ->default_str(std::to_string(defaults.links.duplicate_permille));
  cmd->add_option("--reorder-permille", f.links.reorder_permille, "Frames held back by an extra delay per thousand")
      ->default_str(std::to_string(defaults.links.reorder_permille));
  const auto& hd = defaults.hosting;
  auto& fh = f.hosting;
  cmd->add_option("--publishers", fh.publishers, "Followers that publish the feeds (right after the validators)")
      ->default_str(std::to_string(hd.publishers));
  cmd->add_option("--encoders", fh.encoders, "Followers that seal replicas (after the publishers)")
      ->default_str(std::to_string(hd.encoders));
  cmd->add_option("--hosters", fh.hosters, "Followers that keep replicas (after the encoders)")
      ->default_str(std::to_string(hd.hosters));
  cmd->add_option("--attesters", fh.attesters, "Followers that attest to hosters' service (after the hosters)")
      ->default_str(std::to_string(hd.attesters));
  cmd->add_option("--capacity-bytes", fh.capacity_bytes, "Capacity each hoster offers")
      ->default_str(std::to_string(hd.capacity_bytes));
  cmd->add_option("--feeds", fh.feeds, "Feeds to publish, --feeds-per-slot a slot, the publishers in turn")
      ->default_str(std::to_string(hd.feeds));
  cmd->add_option("--feed-bytes", fh.feed_bytes, "Size of each feed (64 KiB blocks of seeded bytes)")
      ->default_str(std::to_string(hd.feed_bytes));
  cmd->add_option("--replicas", fh.replicas, "Replicas each feed asks for")->default_str(std::to_string(hd.replicas));
  cmd->add_option("--publish-at-slot", fh.publish_at_slot, "Slot the first feed is published in")
      ->default_str(std::to_string(hd.publish_at_slot));
  cmd->add_option("--feeds-per-slot", fh.feeds_per_slot, "Feeds published in each slot from --publish-at-slot on")
      ->default_str(std::to_string(hd.feeds_per_slot));
  cmd->add_option("--challenge-period-slots", fh.challenge_period_slots,
                  "About how often each replica is challenged (the chain's challenge_period_slots)")
      ->default_str(std::to_string(hd.challenge_period_slots));
  cmd->add_option("--challenge-deadline-blocks", fh.challenge_deadline_blocks,
                  "Blocks a hoster has to prove a challenge (at most half the period)")
      ->default_str(std::to_string(hd.challenge_deadline_blocks));
  cmd->add_option("--append-every-slots", fh.append_every_slots,
                  "Every this many slots after a feed is published, its publisher appends --append-bytes to it "
                  "(0: feeds do not grow); its replicas are extended")
      ->default_str(std::to_string(hd.append_every_slots));
  cmd->add_option("--append-bytes", fh.append_bytes, "Bytes each append adds (seeded)")
      ->default_str(std::to_string(hd.append_bytes));
  cmd->add_option("--reshuffle-period-slots", fh.reshuffle_period_slots,
                  "Each active replica moves to another hoster, sealed anew by a newly drawn encoder, one to two of "
                  "these after it went active (the chain's reshuffle_period_slots; 0: never)")
      ->default_str(std::to_string(hd.reshuffle_period_slots));
  cmd->add_option("--partition", o->partitions,
                  "A partition as GROUP|GROUP...@SLOT[-HEAL_SLOT], GROUP = NODE,NODE... (nodes in no group form "
                  "one more side), e.g. '0,1|2,3@10-30'; repeatable; replaces the scenario's partitions");
  cmd->add_option("--crash", o->crashes,
                  "A crash as NODE@SLOT[-RESTART_SLOT], e.g. 2@10-20 (restarts from its store); repeatable; "
                  "replaces the scenario's crashes");
  cmd->add_option("--join", o->joins,
                  "A follower that joins late as NODE@SLOT: down from the start, it starts at SLOT with a fresh "
                  "store; repeatable; replaces the scenario's joins");
  cmd->add_option("--leave", o->leaves,
                  "A role node that leaves the service as NODE@SLOT: it stops its roles and unregisters (its "
                  "replicas are re-created elsewhere); repeatable; replaces the scenario's leaves");
  cmd->add_option("--adversary", o->adversaries,
                  "Adversaries as KIND:nodes=NODE,NODE... or KIND:share_permille=N, KIND = equivocating_validator, "
                  "double_voting_validator, garbage_sender, lazy_hoster, sybil_hoster, outsourcing_hoster, "
                  "self_service_hoster, slow_attester, colluding_encoder, colluding_hoster, withholding_encoder or "
                  "false_root_encoder, e.g. "
                  "equivocating_validator:nodes=1 or lazy_hoster:share_permille=200; repeatable; "
                  "replaces the scenario's adversaries");
  cmd->add_option("--save-failure", o->save_failure_dir,
                  "When an invariant fails, write the scenario with its seed to DIR/NAME-seed-SEED.json (keep it in "
                  "scenarios/regressions/ to replay it in the tests); the printed replay command runs that file");
  cmd->add_option("--csv", o->csv_file,
                  "Write one CSV row per slot to FILE, after a header: slot, best_height_max/min, "
                  "finalized_height_max/min, finality_lag_blocks, frames_delivered/lost/duplicated, events and "
                  "adversaries_caught so far (changes nothing in the run)");
  cmd->add_option("--html", o->html_file,
                  "Write a self-contained HTML report to FILE: the summary, finalized height and finality lag per "
                  "slot as inline SVG plots with adversary catches marked, and the adversaries (no network access)");
  cmd->add_flag("--json", o->json, "Print the report as one JSON object (with trace_hash and state_root)");
  cmd->add_option("--progress-every", o->progress_every_slots,
                  "A progress line on stderr every N slots (0: only at the end)")
      ->capture_default_str();
  cmd->add_flag("--quiet", o->quiet, "No progress lines");
  cmd->add_option("--threads", o->threads,
                  "Threads that run the nodes; the run is the same on any number (same events, trace_hash and "
                  "state_root). 0: two on a machine with two cores or more for 1000 nodes or more without "
                  "adversaries, else one. More than one (at most 64) needs --latency-us-min above 0 and no "
                  "adversaries")
      ->capture_default_str();
  cmd->add_flag("--log", o->log, "The chain and role actors' log lines on stderr, prefixed with their node");
  cmd->callback([o, cmd] { run_sim(*o, *cmd); });
}

}  // namespace datdot::cli

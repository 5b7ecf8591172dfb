// `datdot publish`, `datdot append`, `datdot status` and `datdot fetch`: the
// pinning-service view of a running node. publish hands a file, directory or
// feed export to the node's publisher (POST /roles/publish), prints the feed
// key and follows the hosting request on the finalized chain until it is
// pinned or failed; append grows a published feed by a file (POST
// /roles/append) and follows until every replica covers the new length;
// status prints one feed's state per replica; fetch has the node's reader
// download a hosted feed from its hosters into a file (POST /roles/fetch),
// resuming an interrupted one.
#include <chrono>
#include <filesystem>
#include <functional>
#include <iostream>
#include <thread>

#include "cli/commands.hpp"
#include "cli/node_client.hpp"

namespace datdot::cli {
namespace {

using json = nlohmann::json;

constexpr int follow_poll_ms = 500;

// The feed on the finalized chain, or null while it is not there yet.
json feed_of(const client_options& o, const std::string& key) {
  auto answer = ask(o, "GET", "/chain/feeds/" + key, {}, 0, true);
  return answer.is_null() ? answer : answer.at("feed");
}

std::size_t active(const json& feed) {
  std::size_t n = 0;
  for (const auto& r : feed.at("replicas")) n += r.at("state") == "active" ? 1 : 0;
  return n;
}

void print_status(const json& f) {
  std::cout << "feed " << f.at("key").get<std::string>() << ": " << f.at("state").get<std::string>() << ", "
            << active(f) << "/" << f.at("replicas_wanted") << " replicas active, " << f.at("length") << " blocks, "
            << f.at("byte_size") << " bytes\n";
  for (const auto& r : f.at("replicas"))
    std::cout << "  replica " << r.at("replica") << ": " << r.at("state").get<std::string>() << " at "
              << r.at("length") << " blocks"
              << (r.at("extending_to").is_null() ? std::string{}
                                                 : ", extending to " + r.at("extending_to").dump())
              << "  hoster "
              << r.at("hoster").get<std::string>().substr(0, 16) << "  encoder "
              << r.at("encoder").get<std::string>().substr(0, 16) << "  challenges passed " << r.at("challenges_passed")
              << ", failed in a row " << r.at("failures_in_a_row") << ", last proof at block " << r.at("last_proof_at")
              << "\n";
}

struct publish_options {
  client_options client;
  std::string file;
  std::uint32_t replicas = 3;
  bool follow = true;
  int follow_ms = 600'000;
};

// The absolute path of what the node is to read (a regular file unless
// directories are allowed too), or the command fails.
std::string absolute_source(const std::string& source, bool directory_ok) {
  std::error_code ec;
  const auto path = std::filesystem::absolute(source, ec);
  if (ec || !std::filesystem::exists(path)) throw command_failed{2, "no such file or directory: " + source};
  if (!std::filesystem::is_regular_file(path) && !(directory_ok && std::filesystem::is_directory(path)))
    throw command_failed{2, source + " is not a " + (directory_ok ? "file or directory" : "regular file")};
  return path.string();
}

// Reads the feed from the finalized chain until `done` says so, printing
// `progress` whenever it changes; fails after follow_ms. Returns the last view.
// A busy node (503) is asked again: a follow lasts as long as a big feed's
// sealing, and a node whose disk is busy with it may miss one answer window.
json follow(const client_options& o, const std::string& key, int follow_ms,
            const std::function<std::string(const json&)>& progress, const std::function<bool(const json&)>& done) {
  std::string last;
  bool told_busy = false;
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds{follow_ms};;) {
    json f;
    try {
      f = feed_of(o, key);
    } catch (const command_failed& e) {
      if (!e.busy || std::chrono::steady_clock::now() >= deadline) throw;
      if (!told_busy) std::cerr << "datdot: " << e.message << "; asking again while following\n";
      told_busy = true;
      std::this_thread::sleep_for(std::chrono::milliseconds{follow_poll_ms});
      continue;
    }
    const auto now = progress(f);
    if (now != last && !o.json_out) std::cout << now << "\n" << std::flush;
    last = now;
    if (done(f)) return f;
    if (std::chrono::steady_clock::now() >= deadline)
      throw command_failed{1, "gave up after " + std::to_string(follow_ms) + " ms (" + now + ")"};
    std::this_thread::sleep_for(std::chrono::milliseconds{follow_poll_ms});
  }
}

void publish(const publish_options& o) {
  const auto path = absolute_source(o.file, true);
  const auto made = ask(o.client, "POST", "/roles/publish", json{{"file", path}, {"replicas", o.replicas}}.dump(),
                        600'000);
  const auto key = made.at("key").get<std::string>();
  if (!o.client.json_out)
    std::cout << "feed key " << key << " (" << made.value("source", "file") << ", " << made.at("length") << " blocks)\n"
              << std::flush;
  if (!o.follow) {
    if (o.client.json_out) std::cout << made.dump() << "\n";
    return;
  }
  const auto f = follow(
      o.client, key, o.follow_ms,
      [&](const json& f) -> std::string {
        if (f.is_null()) return "waiting for the request to be finalized";
        return f.at("state").get<std::string>() + ": " + std::to_string(active(f)) + "/" +
               std::to_string(o.replicas) + " replicas active";
      },
      [](const json& f) { return !f.is_null() && (f.at("state") == "pinned" || f.at("state") == "failed"); });
  if (o.client.json_out) std::cout << json{{"published", made}, {"feed", f}}.dump() << "\n";
  if (f.at("state") == "failed") throw command_failed{1, "hosting failed"};
}

struct append_options {
  client_options client;
  std::string key;
  std::string file;
  bool follow = true;
  int follow_ms = 600'000;
};

// Active replicas at `length` blocks (the feed's length once the update is final).
std::size_t active_at(const json& f, std::uint64_t length) {
  std::size_t n = 0;
  for (const auto& r : f.at("replicas")) n += r.at("state") == "active" && r.at("length") == length ? 1 : 0;
  return n;
}

void append(const append_options& o) {
  const auto path = absolute_source(o.file, false);
  const auto made = ask(o.client, "POST", "/roles/append", json{{"key", o.key}, {"file", path}}.dump(), 600'000);
  const auto length = made.at("length").get<std::uint64_t>();
  if (!o.client.json_out) std::cout << "feed " << o.key << " now " << length << " blocks\n" << std::flush;
  if (!o.follow) {
    if (o.client.json_out) std::cout << made.dump() << "\n";
    return;
  }
  const auto grown = [&](const json& f) { return !f.is_null() && f.at("length") == length; };
  const auto f = follow(
      o.client, o.key, o.follow_ms,
      [&](const json& f) -> std::string {
        if (!grown(f)) return "waiting for the update to be finalized";
        return std::to_string(active_at(f, length)) + "/" + f.at("replicas_wanted").dump() + " replicas active at " +
               std::to_string(length) + " blocks";
      },
      [&](const json& f) {
        return (!f.is_null() && f.at("state") == "failed") ||
               (grown(f) && active_at(f, length) == f.at("replicas_wanted").get<std::size_t>());
      });
  if (o.client.json_out) std::cout << json{{"appended", made}, {"feed", f}}.dump() << "\n";
  if (f.at("state") == "failed") throw command_failed{1, "hosting failed"};
}

}  // namespace

void add_hosting_commands(CLI::App& app) {
  auto p = std::make_shared<publish_options>();
  auto* pc = app.add_subcommand("publish", "Publish FILE, DIR or FEED_EXPORT as a feed through a running publisher "
                                           "node and follow it until its replicas are pinned");
  pc->add_option("SOURCE", p->file,
                 "What to publish, on the publisher node's file system: a file (its bytes in 64 KiB blocks), a "
                 "directory (as a ustar archive; `tar -xf` what `datdot fetch` writes) or an export from "
                 "`datdot feed export` (the feed itself: its key and signature, blocks of at most 64 KiB)")
      ->required();
  pc->add_option("--replicas", p->replicas, "Replicas wanted (at most the chain's replicas_per_feed)")
      ->capture_default_str();
  pc->add_flag("!--no-follow", p->follow, "Print the key and return without following the request");
  pc->add_option("--follow-ms", p->follow_ms, "Give up following after this long")->capture_default_str();
  add_client_options(pc, p->client);
  pc->callback([p] { publish(*p); });

  auto a = std::make_shared<append_options>();
  auto* ac = app.add_subcommand("append", "Append FILE's bytes as new blocks to a feed this node published, ask the "
                                          "chain to follow it (update_feed), and follow until every replica covers "
                                          "the new length");
  ac->add_option("FEED_KEY", a->key, "The feed's key (64 hex)")->required();
  ac->add_option("FILE", a->file, "The file whose bytes are appended (split into 64 KiB blocks)")->required();
  ac->add_flag("!--no-follow", a->follow, "Print the new length and return without following the replicas");
  ac->add_option("--follow-ms", a->follow_ms, "Give up following after this long")->capture_default_str();
  add_client_options(ac, a->client);
  ac->callback([a] { append(*a); });

  auto fe = std::make_shared<std::tuple<client_options, std::string, std::string>>();
  auto* fc = app.add_subcommand("fetch", "Download a hosted feed from its hosters into OUT through a running node, "
                                         "checking every block against the feed's tree on chain; resumable");
  fc->footer("The node writes OUT.part with a progress record OUT.part.progress and renames it to OUT when every "
             "block is in. Run the same command again after an interruption to resume at the last recorded block "
             "(\"resumed at block K of N\"; resumed_from with --json); if the feed's head on chain changed or the "
             "record is unusable, it starts over and says why. OUT is a path on the node's machine.");
  fc->add_option("FEED_KEY", std::get<1>(*fe), "The feed's key (64 hex)")->required();
  fc->add_option("OUT", std::get<2>(*fe), "The file to write (made absolute here; the node writes it)")->required();
  add_client_options(fc, std::get<0>(*fe));
  fc->callback([fe] {
    auto& [client, key, out] = *fe;
    const auto path = std::filesystem::absolute(out).string();
    const auto got = ask(client, "POST", "/roles/fetch", json{{"key", key}, {"out", path}}.dump(), 1'800'000);
    if (client.json_out) return void(std::cout << got.dump() << "\n");
    if (got.contains("restart_reason"))
      std::cout << "started over: " << got.at("restart_reason").get<std::string>() << "\n";
    if (got.value("resumed_from", std::uint64_t{0}) > 0)
      std::cout << "resumed at block " << got.at("resumed_from") << " of " << got.at("blocks") << "\n";
    std::cout << "fetched " << got.at("blocks") << " blocks, " << got.at("bytes") << " bytes from "
              << got.at("hosters").size() << " hosters in " << got.at("seconds") << " s into " << path << "\n";
  });

  auto s = std::make_shared<std::pair<client_options, std::string>>();
  auto* sc = app.add_subcommand("status", "A feed's hosting state: queued, pinning, pinned or failed, per replica "
                                          "its hoster, state and challenges");
  sc->add_option("FEED_KEY", s->second, "The feed's key (64 hex)")->required();
  add_client_options(sc, s->first);
  sc->callback([s] {
    const auto f = feed_of(s->first, s->second);
    if (f.is_null()) throw command_failed{1, "no hosting request for feed " + s->second + " on the finalized chain"};
    if (s->first.json_out)
      std::cout << f.dump() << "\n";
    else
      print_status(f);
  });
}

}  // namespace datdot::cli

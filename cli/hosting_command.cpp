// `datdot publish`, `datdot status` and `datdot fetch`: the pinning-service
// view of a running node. publish hands a file to the node's publisher (POST
// /roles/publish), prints the feed key and follows the hosting request on the
// finalized chain until it is pinned or failed; status prints one feed's
// state per replica; fetch has the node's reader download a hosted feed from
// its hosters into a file (POST /roles/fetch), resuming an interrupted one.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cli/commands.hpp"
#include "cli/node_client.hpp"

namespace datdot::cli {
namespace {

using json = nlohmann::json;

constexpr int follow_poll_ms = 500;

json feed_of(const client_options& o, const std::string& key) {
  const auto answer = ask(o, "GET", "/chain/feeds");  // kept: the loop reads into it
  for (const auto& f : answer.at("feeds"))
    if (f.at("key") == key) return f;
  return nullptr;
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
    std::cout << "  replica " << r.at("replica") << ": " << r.at("state").get<std::string>() << "  hoster "
              << r.at("hoster").get<std::string>().substr(0, 16) << "  challenges passed " << r.at("challenges_passed")
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

void publish(const publish_options& o) {
  std::error_code ec;
  const auto path = std::filesystem::absolute(o.file, ec);
  if (ec || !std::filesystem::is_regular_file(path)) throw command_failed{2, o.file + " is not a readable file"};
  const auto made = ask(o.client, "POST", "/roles/publish", json{{"file", path.string()}, {"replicas", o.replicas}}.dump(),
                        600'000);
  const auto key = made.at("key").get<std::string>();
  if (!o.client.json_out) std::cout << "feed key " << key << " (" << made.at("length") << " blocks)\n" << std::flush;
  if (!o.follow) {
    if (o.client.json_out) std::cout << made.dump() << "\n";
    return;
  }
  std::string last;
  json f;
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds{o.follow_ms};;) {
    f = feed_of(o.client, key);
    const std::string now = f.is_null() ? "submitted" : f.at("state").get<std::string>() + " " + std::to_string(active(f));
    if (now != last && !o.client.json_out) {
      if (f.is_null())
        std::cout << "waiting for the request to be finalized\n";
      else
        std::cout << f.at("state").get<std::string>() << ": " << active(f) << "/" << o.replicas << " replicas active\n";
      std::cout << std::flush;
    }
    last = now;
    if (!f.is_null() && (f.at("state") == "pinned" || f.at("state") == "failed")) break;
    if (std::chrono::steady_clock::now() >= deadline)
      throw command_failed{1, "not pinned within " + std::to_string(o.follow_ms) + " ms (state: " + now + ")"};
    std::this_thread::sleep_for(std::chrono::milliseconds{follow_poll_ms});
  }
  if (o.client.json_out) std::cout << json{{"published", made}, {"feed", f}}.dump() << "\n";
  if (f.at("state") == "failed") throw command_failed{1, "hosting failed"};
}

}  // namespace

void add_hosting_commands(CLI::App& app) {
  auto p = std::make_shared<publish_options>();
  auto* pc = app.add_subcommand("publish", "Publish FILE as a feed through a running publisher node and follow it "
                                           "until its replicas are pinned");
  pc->add_option("FILE", p->file, "The file to publish (split into 64 KiB blocks)")->required();
  pc->add_option("--replicas", p->replicas, "Replicas wanted (at most the chain's replicas_per_feed)")
      ->capture_default_str();
  pc->add_flag("!--no-follow", p->follow, "Print the key and return without following the request");
  pc->add_option("--follow-ms", p->follow_ms, "Give up following after this long")->capture_default_str();
  add_client_options(pc, p->client);
  pc->callback([p] { publish(*p); });

  auto fe = std::make_shared<std::tuple<client_options, std::string, std::string>>();
  auto* fc = app.add_subcommand("fetch", "Download a hosted feed from its hosters into OUT through a running node, "
                                         "checking every block against the feed's tree on chain. The node writes "
                                         "OUT.part with a progress record OUT.part.progress and renames it to OUT "
                                         "when every block is in. Run the same command again after an interruption "
                                         "to resume at the last recorded block (\"resumed at block K of N\"; "
                                         "resumed_from with --json); if the feed's head on chain changed or the "
                                         "record is unusable, it starts over and says why. OUT is a path on the "
                                         "node's machine");
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

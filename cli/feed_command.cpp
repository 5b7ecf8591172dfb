// `datdot feed ...`: create, append to, inspect, verify, prove, read, export
// and import a hypercore-compatible feed kept in a data directory.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/feed_json.hpp"
#include "cli/progress.hpp"
#include "protocol/feed_limits.hpp"
#include "storage/feed_directory.hpp"
#include "storage/feed_export.hpp"

namespace datdot::cli {

namespace fs = std::filesystem;
using storage::feed_directory;

namespace {

template <class T>
T unwrap(result<T> r) {
  if (!r) throw command_failed{1, r.err().describe()};
  return std::move(r).value();
}
void unwrap(result<void> r) {
  if (!r) throw command_failed{1, r.err().describe()};
}

std::uint64_t total_size(const std::vector<std::string>& files) {
  std::uint64_t total = 0;
  for (const auto& f : files) {
    std::error_code ec;
    if (!fs::is_regular_file(f, ec)) throw command_failed{1, f + " is not a readable file"};
    total += fs::file_size(f);
  }
  return total;
}

// Splits each file into blocks of block_size (blocks never span files; an empty
// file adds no block) and appends them in batches, each batch one atomic, signed append.
void append_split(feed_directory& dir, const std::vector<std::string>& files, std::size_t block_size) {
  progress_bar bar("appending", total_size(files), "B");
  std::vector<bytes> batch;
  std::size_t batch_bytes = 0;
  std::uint64_t done = 0;
  auto flush = [&] {
    unwrap(dir.the_feed().append(batch, dir.keys()->sk));
    batch.clear();
    batch_bytes = 0;
  };
  for (const auto& name : files) {
    std::ifstream in(name, std::ios::binary);
    if (!in) throw command_failed{1, "cannot open " + name};
    while (in) {
      bytes block(block_size);
      in.read(reinterpret_cast<char*>(block.data()), static_cast<std::streamsize>(block_size));
      block.resize(static_cast<std::size_t>(in.gcount()));
      if (block.empty()) break;
      done += block.size();
      batch_bytes += block.size();
      batch.push_back(std::move(block));
      if (batch_bytes >= feed_limits::batch_bytes_max) flush();
      bar.update(done);
    }
    if (in.bad()) throw command_failed{1, "reading " + name + " failed"};
  }
  if (!batch.empty()) flush();
  bar.finish();
}

void append_whole(feed_directory& dir, const std::vector<std::string>& files) {
  std::vector<bytes> blocks;
  for (const auto& name : files) {
    const auto size = total_size({name});
    if (size > feed_limits::block_bytes_max)
      throw command_failed{1, name + " has " + std::to_string(size) + " bytes; a block holds at most " +
                                  std::to_string(feed_limits::block_bytes_max)};
    std::ifstream in(name, std::ios::binary);
    bytes block(size);
    if (!in.read(reinterpret_cast<char*>(block.data()), static_cast<std::streamsize>(size)))
      throw command_failed{1, "reading " + name + " failed"};
    blocks.push_back(std::move(block));
  }
  unwrap(dir.the_feed().append(blocks, dir.keys()->sk));
}

void print_summary(const storage::feed& f, bool json, const char* verb, double seconds) {
  if (json) {
    auto j = feed_info_json(f);
    j["seconds"] = seconds;
    std::cout << j.dump(2) << "\n";
    return;
  }
  const auto& h = f.head();
  std::cout << (*verb ? std::string{verb} + " " : std::string{}) << "feed " << to_hex(f.identity().core_key()) << "\n"
            << "  length      " << h.length << " blocks, " << h.byte_length << " bytes\n"
            << "  tree hash   " << to_hex(f.tree().hash()) << "\n"
            << "  signing     " << (f.identity().mode() == signing_mode::compat ? "hypercore 10 (compat)" : "hypercore 11 (manifest)") << "\n";
  if (seconds > 0)
    std::cout << "  took        " << seconds << " s ("
              << (static_cast<double>(h.byte_length) / 1e6 / seconds) << " MB/s)\n";
}

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void add_create(CLI::App& feed) {
  struct opts {
    std::string dir;
    std::vector<std::string> files;
    std::size_t block_size = feed_limits::block_bytes_default;
    std::string seed_hex;
    bool compat = false, json = false;
  };
  auto o = std::make_shared<opts>();
  auto* c = feed.add_subcommand("create", "Create a new feed in DIR from FILEs split into blocks");
  c->add_option("dir", o->dir, "Data directory for the new feed (created if missing)")->required();
  c->add_option("files", o->files, "Files whose bytes become the feed's blocks, in order")->required();
  c->add_option("--block-size", o->block_size, "Block size in bytes; each file is split on its own")
      ->check(CLI::Range(std::size_t{1}, feed_limits::block_bytes_max))
      ->capture_default_str();
  c->add_option("--key-seed", o->seed_hex, "32-byte hex seed: makes the key pair reproducible");
  c->add_flag("--compat", o->compat, "Sign as hypercore 10 does (key = public key); default is hypercore 11");
  c->add_flag("--json", o->json, "Print the new feed's info as JSON");
  c->callback([o] {
    std::optional<key_seed> seed;
    if (!o->seed_hex.empty()) seed = unwrap(from_hex_fixed<32>(o->seed_hex));
    total_size(o->files);  // fail on a missing file before creating anything
    const auto t0 = std::chrono::steady_clock::now();
    auto dir = unwrap(feed_directory::create(o->dir, seed, o->compat ? signing_mode::compat : signing_mode::manifest_v1));
    append_split(dir, o->files, o->block_size);
    print_summary(dir.the_feed(), o->json, "created", since(t0));
  });
}

void add_append(CLI::App& feed) {
  struct opts {
    std::string dir;
    std::vector<std::string> files;
    std::size_t block_size = feed_limits::block_bytes_default;
    bool whole = false, json = false;
  };
  auto o = std::make_shared<opts>();
  auto* c = feed.add_subcommand("append", "Append FILEs to the feed in DIR (needs its feed.key)");
  c->add_option("dir", o->dir, "Data directory of a feed created here")->required()->check(CLI::ExistingDirectory);
  c->add_option("files", o->files, "Files to append, in order")->required();
  c->add_flag("--whole", o->whole, "Append each file as exactly one block, all in one atomic step");
  c->add_option("--block-size", o->block_size, "Block size when splitting (ignored with --whole)")
      ->check(CLI::Range(std::size_t{1}, feed_limits::block_bytes_max))
      ->capture_default_str();
  c->add_flag("--json", o->json, "Print the feed's info as JSON afterwards");
  c->callback([o] {
    const auto t0 = std::chrono::steady_clock::now();
    auto dir = unwrap(feed_directory::open(o->dir));
    if (!dir.keys()) throw command_failed{1, o->dir + " has no feed.key: only the feed's creator can append"};
    if (o->whole)
      append_whole(dir, o->files);
    else
      append_split(dir, o->files, o->block_size);
    print_summary(dir.the_feed(), o->json, "appended to", since(t0));
  });
}

void add_info(CLI::App& feed) {
  struct opts {
    std::string dir;
    bool json = false;
  };
  auto o = std::make_shared<opts>();
  auto* c = feed.add_subcommand("info", "Show a feed's key, discovery key, length, roots and signature");
  c->add_option("dir", o->dir, "Data directory of the feed")->required();
  c->add_flag("--json", o->json, "Print JSON (key, discovery_key, length, byte_length, fork, tree_hash, roots, signature)");
  c->callback([o] {
    auto dir = unwrap(feed_directory::open(o->dir));
    const auto& f = dir.the_feed();
    if (o->json) {
      std::cout << feed_info_json(f).dump(2) << "\n";
      return;
    }
    print_summary(f, false, "", 0);
    std::cout << "  discovery   " << to_hex(f.identity().discovery_key()) << "\n"
              << "  fork        " << f.head().fork << "\n"
              << "  writable    " << (dir.keys() ? "yes (feed.key present)" : "no") << "\n";
    for (const auto& r : f.tree().roots())
      std::cout << "  root        " << r.index << "  " << r.size << " bytes  " << to_hex(r.hash) << "\n";
  });
}

void add_verify(CLI::App& feed) {
  struct opts {
    std::string dir;
    bool json = false;
  };
  auto o = std::make_shared<opts>();
  auto* c = feed.add_subcommand("verify", "Re-hash every block and check it against the signed tree (exit 1 on the first bad block)");
  c->add_option("dir", o->dir, "Data directory of the feed")->required();
  c->add_flag("--json", o->json, "Print {\"ok\": bool, \"length\": n, \"error\": text}");
  c->callback([o] {
    auto dir = unwrap(feed_directory::open(o->dir));
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = dir.the_feed().verify_all();
    const auto& h = dir.the_feed().head();
    if (o->json) {
      nlohmann::json j{{"ok", r.has_value()}, {"length", h.length}, {"seconds", since(t0)}};
      if (!r) j["error"] = r.err().message;
      std::cout << j.dump(2) << "\n";
      if (!r) throw command_failed{1, ""};
      return;
    }
    if (!r) throw command_failed{1, "verification failed: " + r.err().message};
    std::cout << "ok: " << h.length << " blocks (" << h.byte_length << " bytes) match the signed tree\n";
  });
}

void add_proof(CLI::App& feed) {
  struct opts {
    std::string dir;
    std::uint64_t index = 0;
    bool json = false;
  };
  auto o = std::make_shared<opts>();
  auto* c = feed.add_subcommand("proof", "Print the proof of block INDEX (block, sibling path, upgrade from zero, signature)");
  c->add_option("dir", o->dir, "Data directory of the feed")->required();
  c->add_option("index", o->index, "Block index")->required();
  c->add_flag("--json", o->json, "Print JSON (the only format; the flag is accepted for symmetry)");
  c->callback([o] {
    auto dir = unwrap(feed_directory::open(o->dir));
    const auto proof = unwrap(dir.the_feed().proof(o->index));
    std::cout << to_json(proof).dump(2) << "\n";
  });
}

void add_get(CLI::App& feed) {
  struct opts {
    std::string dir, out;
    std::uint64_t index = 0;
  };
  auto o = std::make_shared<opts>();
  auto* c = feed.add_subcommand("get", "Write block INDEX's bytes to stdout (or --out FILE)");
  c->add_option("dir", o->dir, "Data directory of the feed")->required();
  c->add_option("index", o->index, "Block index")->required();
  c->add_option("-o,--out", o->out, "Write to this file instead of stdout");
  c->callback([o] {
    auto dir = unwrap(feed_directory::open(o->dir));
    const auto block = unwrap(dir.the_feed().get(o->index));
    std::ofstream file;
    if (!o->out.empty()) file.open(o->out, std::ios::binary | std::ios::trunc);
    std::ostream& out = o->out.empty() ? std::cout : file;
    out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(block.size()));
    out.flush();
    if (!out) throw command_failed{1, "writing the block failed"};
  });
}

void add_export(CLI::App& feed) {
  struct opts {
    std::string dir, file;
  };
  auto o = std::make_shared<opts>();
  auto* c = feed.add_subcommand("export", "Write the feed to one portable FILE (blocks + signature)");
  c->add_option("dir", o->dir, "Data directory of the feed")->required();
  c->add_option("file", o->file, "Export file to write (replaced if it exists)")->required();
  c->callback([o] {
    auto dir = unwrap(feed_directory::open(o->dir));
    const auto tmp = o->file + ".partial";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      if (!out) throw command_failed{1, "cannot write " + tmp};
      progress_bar bar("exporting", dir.the_feed().head().length, "blocks");
      unwrap(storage::export_feed(dir.the_feed(), out, [&](auto done, auto) { bar.update(done); }));
      bar.finish();
    }
    fs::rename(tmp, o->file);
    std::cout << "exported " << dir.the_feed().head().length << " blocks to " << o->file << "\n";
  });
}

void add_import(CLI::App& feed) {
  struct opts {
    std::string dir, file;
    bool json = false;
  };
  auto o = std::make_shared<opts>();
  auto* c = feed.add_subcommand("import", "Import an export FILE into a new data directory DIR, verifying everything");
  c->add_option("dir", o->dir, "Data directory to import into (must not hold a feed)")->required();
  c->add_option("file", o->file, "Export file made by `datdot feed export`")->required()->check(CLI::ExistingFile);
  c->add_flag("--json", o->json, "Print the imported feed's info as JSON");
  c->callback([o] {
    const auto t0 = std::chrono::steady_clock::now();
    std::ifstream in(o->file, std::ios::binary);
    if (!in) throw command_failed{1, "cannot open " + o->file};
    auto dir = unwrap(feed_directory::open_empty(o->dir));
    std::optional<progress_bar> bar;
    auto f = unwrap(storage::import_feed(dir.store(), in, [&](auto done, auto total) {
      if (!bar) bar.emplace("importing", total, "blocks");
      bar->update(done);
    }));
    if (bar) bar->finish();
    dir.adopt(std::move(f));
    print_summary(dir.the_feed(), o->json, "imported", since(t0));
  });
}

}  // namespace

void add_feed_commands(CLI::App& app) {
  auto* feed = app.add_subcommand("feed", "Create, inspect, verify, prove and move hypercore feeds");
  feed->require_subcommand(1);
  add_create(*feed);
  add_append(*feed);
  add_info(*feed);
  add_verify(*feed);
  add_proof(*feed);
  add_get(*feed);
  add_export(*feed);
  add_import(*feed);
}

}  // namespace datdot::cli

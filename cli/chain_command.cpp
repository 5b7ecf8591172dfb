// `datdot chain`: a genesis generator, and a client of a running node's chain
// API (JSON over the node's loopback HTTP endpoint, beside /metrics; see
// actors/chain/chain_http.hpp): status, block, account, feeds, events, and
// signed transactions (transfer, register, and the top-level `back`) submitted
// to the node's pool after a dry run on its best state.
#include <sodium.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/node_client.hpp"
#include "crypto/rabin_williams.hpp"
#include "protocol/chain/extrinsic.hpp"
#include "protocol/chain/genesis.hpp"
#include "storage/key_file.hpp"

namespace datdot::cli {
namespace {

using json = nlohmann::json;

constexpr std::uint64_t devnet_validator_ratio_units = 1'000'000'000'000;  // a million whole ratio each
constexpr int poll_interval_ms = 200;


// The devnet's validator identities: seed i = SHA-256("datdot devnet validator i"),
// as deploy/devnet.sh computes them for --key-seed.
key_pair devnet_validator(std::size_t i) {
  auto text = "datdot devnet validator " + std::to_string(i);
  key_seed seed{};
  crypto_hash_sha256(seed.data(), reinterpret_cast<const unsigned char*>(text.data()), text.size());
  return key_pair_from_seed(seed);
}

struct genesis_options {
  std::size_t devnet_validators = 0;
  std::vector<std::string> validators;
  std::vector<std::string> accounts;  // ID=UNITS
  std::uint64_t slot_duration_ms = 6000;
  std::uint64_t epoch_length_slots = 600;
  chain_params hosting;  // the challenge, price and reshuffle parameters
  std::string out;
};

void write_genesis(const genesis_options& o) {
  json validators = json::array(), accounts = json::array();
  for (std::size_t i = 1; i <= o.devnet_validators; ++i) {
    auto id = to_hex(byte_view{devnet_validator(i).pk});
    validators.push_back(id);
    accounts.push_back({{"id", id}, {"ratio_units", devnet_validator_ratio_units}});
  }
  for (const auto& v : o.validators) validators.push_back(v);
  for (const auto& a : o.accounts) {
    auto eq = a.find('=');
    if (eq == std::string::npos) throw command_failed{2, "--account wants ID=UNITS, got " + a};
    try {
      accounts.push_back({{"id", a.substr(0, eq)}, {"ratio_units", std::stoull(a.substr(eq + 1))}});
    } catch (const std::exception&) {
      throw command_failed{2, "--account wants ID=UNITS, got " + a};
    }
  }
  const auto& h = o.hosting;
  json g{{"params",
          {{"slot_duration_ms", o.slot_duration_ms},
           {"epoch_length_slots", o.epoch_length_slots},
           {"challenge_period_slots", h.challenge_period_slots},
           {"challenge_deadline_blocks", h.challenge_deadline_blocks},
           {"challenge_failures_max", h.challenge_failures_max},
           {"attesters_per_challenge", h.attesters_per_challenge},
           {"price_units_per_mib", h.price_units_per_mib},
           {"attestation_units", h.attestation_units},
           {"reshuffle_period_slots", h.reshuffle_period_slots}}},
         {"validators", validators},
         {"accounts", accounts}};
  auto text = g.dump(2) + "\n";
  // Checked by the same code a node runs, so a bad genesis fails here and not at start.
  auto config = parse_genesis_config(text);
  if (!config) throw command_failed{2, config.err().describe()};
  auto made = make_genesis(*config);
  if (!made) throw command_failed{2, made.err().describe()};
  if (o.out.empty()) {
    std::cout << text;
    return;
  }
  std::ofstream f(o.out);
  f << text;
  if (!f) throw command_failed{1, "cannot write " + o.out};
  std::cerr << "genesis with " << validators.size() << " validators, chain id "
            << to_hex(byte_view{made->state.chain.bytes}) << " -> " << o.out << "\n";
}

struct tx_options {
  client_options client;
  std::string key_file;
  bool wait_final = false;
  std::string to;
  std::uint64_t amount_units = 0;
  std::string roles;
  std::uint64_t capacity_bytes = 0;
  std::string bus_address;
  std::string feed;
};

// Signs `c` with the key file's key and the account's next nonce on the node's
// best chain, submits it, and with --wait-final waits until it is finalized.
key_pair signer_keys(const tx_options& o) {
  auto keys = storage::load_key_file(o.key_file);
  if (!keys) throw command_failed{1, keys.err().describe()};
  return *keys;
}

void submit(const tx_options& o, call c) {
  const auto keys = signer_keys(o);
  const auto me = to_hex(byte_view{keys.pk});
  auto status = ask(o.client, "GET", "/chain/status");
  auto chain = from_hex_fixed<32>(status.at("chain_id").get<std::string>());
  if (!chain) throw command_failed{1, "the node's chain id: " + chain.err().describe()};
  auto account = ask(o.client, "GET", "/chain/account/" + me);
  const std::uint64_t nonce = account.at("best_nonce").get<std::uint64_t>();
  auto x = make_extrinsic(chain_id{*chain}, keys, nonce, std::move(c));
  auto answer = ask(o.client, "POST", "/chain/transaction", to_hex(byte_view{encode_extrinsic(x)}));
  json out{{"hash", answer.at("hash")}, {"signer", me}, {"nonce", nonce}, {"accepted", answer.at("accepted")}};
  if (o.wait_final && answer.at("accepted").get<bool>()) {
    bool final = false;
    for (auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds{o.client.timeout_ms};
         !final && std::chrono::steady_clock::now() < deadline;) {
      std::this_thread::sleep_for(std::chrono::milliseconds{poll_interval_ms});
      auto now = ask(o.client, "GET", "/chain/account/" + me);
      final = now.value("finalized", false) && now.at("nonce").get<std::uint64_t>() > nonce;
    }
    out["finalized"] = final;
    if (!final) {
      std::cout << out.dump() << "\n";
      throw command_failed{1, "not finalized within " + std::to_string(o.client.timeout_ms) + " ms"};
    }
  }
  if (!answer.at("accepted").get<bool>()) out["detail"] = answer.value("detail", "");
  std::cout << (o.client.json_out ? out.dump() : out.dump(2)) << "\n";
}

struct events_options {
  client_options client;
  std::uint64_t from = 1;
  std::size_t count = 0;
  std::uint64_t wait_ms = 2000;
  bool follow = false;
  std::string feed;                // only events about this feed (hex key)
  std::vector<std::string> types;  // only events of these types
};

bool wanted(const events_options& o, const json& e) {
  if (!o.feed.empty() && e.value("feed", std::string{}) != o.feed) return false;
  return o.types.empty() || std::find(o.types.begin(), o.types.end(), e.value("type", std::string{})) != o.types.end();
}

// Long-polls the node: each answer carries the events of newly finalized
// blocks and where to continue. Stops after --count events, or once it has
// read up to the finalized height without --follow; --timeout-ms bounds the
// whole run.
void follow_events(const events_options& o) {
  std::size_t printed = 0;
  auto from = o.from;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds{o.client.timeout_ms};
  for (;;) {
    auto answer = ask(o.client, "GET",
                       "/chain/events?from=" + std::to_string(from) + "&wait_ms=" + std::to_string(o.wait_ms), {},
                       static_cast<int>(o.wait_ms));
    for (const auto& e : answer.at("events")) {
      if (!wanted(o, e)) continue;
      if (o.client.json_out)
        std::cout << e.dump() << std::endl;
      else
        std::cout << "block " << e.at("block") << "  " << e.at("type").get<std::string>() << "  " << e.dump() << std::endl;
      if (o.count > 0 && ++printed >= o.count) return;
    }
    from = answer.at("next").get<std::uint64_t>();
    // Without --follow, page through every finalized block, then stop.
    const bool caught_up = from > answer.at("finalized_height").get<std::uint64_t>();
    if ((!o.follow && o.count == 0 && caught_up) || std::chrono::steady_clock::now() >= deadline) return;
  }
}

}  // namespace

void add_chain_commands(CLI::App& app) {
  auto* chain = app.add_subcommand("chain", "The chain: write a genesis, query a running node, submit transactions");
  chain->require_subcommand(1);

  auto g = std::make_shared<genesis_options>();
  auto* gen = chain->add_subcommand("genesis", "Write a genesis JSON for `datdot node --genesis`");
  gen->add_option("--devnet-validators", g->devnet_validators,
                  "Validators 1..N with the devnet's public seeds (SHA-256 of \"datdot devnet validator i\", as "
                  "deploy/devnet.sh passes to --key-seed), each with an account of 10^12 ratio units");
  gen->add_option("--validator", g->validators, "Another validator's node id (hex; repeatable)");
  gen->add_option("--account", g->accounts, "An initial account as ID=RATIO_UNITS (repeatable)");
  gen->add_option("--slot-duration-ms", g->slot_duration_ms, "Aura slot length")->capture_default_str();
  gen->add_option("--epoch-length-slots", g->epoch_length_slots, "Slots per epoch (validator set changes)")
      ->capture_default_str();
  gen->add_option("--challenge-period-slots", g->hosting.challenge_period_slots,
                  "Each active replica is challenged about once per this many blocks")
      ->capture_default_str();
  gen->add_option("--challenge-deadline-blocks", g->hosting.challenge_deadline_blocks,
                  "Blocks a hoster has to prove a challenge (at most half the period)")
      ->capture_default_str();
  gen->add_option("--challenge-failures-max", g->hosting.challenge_failures_max,
                  "Failed challenges in a row after which a replica is re-created elsewhere")
      ->capture_default_str();
  gen->add_option("--attesters-per-challenge", g->hosting.attesters_per_challenge,
                  "Attesters picked to fetch each challenged block")
      ->capture_default_str();
  gen->add_option("--price-units-per-mib", g->hosting.price_units_per_mib,
                  "Ratio units a feed pays per MiB for sealing a replica and for each passed challenge")
      ->capture_default_str();
  gen->add_option("--attestation-units", g->hosting.attestation_units, "Ratio units a feed pays per attestation")
      ->capture_default_str();
  gen->add_option("--reshuffle-period-slots", g->hosting.reshuffle_period_slots,
                  "Each active replica moves to another hoster one to two periods after its activation "
                  "(0: never; at least --challenge-period-slots)")
      ->capture_default_str();
  gen->add_option("-o,--out", g->out, "Write here instead of stdout");
  gen->callback([g] { write_genesis(*g); });

  auto status = std::make_shared<client_options>();
  auto* st = chain->add_subcommand("status", "Best and finalized block, state root, round, pool");
  add_client_options(st, *status);
  st->callback([status] {
    print(*status, ask(*status, "GET", "/chain/status"),
          {"node", "validator", "slot", "best_height", "best_hash", "finalized_height", "finalized_hash",
           "state_root", "round", "tx_pool"});
  });

  auto block_o = std::make_shared<client_options>();
  auto block_arg = std::make_shared<std::string>();
  auto* bl = chain->add_subcommand("block", "A block by height or hash, with its extrinsics");
  bl->add_option("BLOCK", *block_arg, "Height or 64-hex hash")->required();
  add_client_options(bl, *block_o);
  bl->callback([block_o, block_arg] { print(*block_o, ask(*block_o, "GET", "/chain/block/" + *block_arg), {}); });

  auto account_o = std::make_shared<client_options>();
  auto account_arg = std::make_shared<std::string>();
  auto* ac = chain->add_subcommand("account", "An account's ratio, nonce and node registration (finalized state)");
  ac->add_option("ID", *account_arg, "Account (node) id, 64 hex")->required();
  add_client_options(ac, *account_o);
  ac->callback([account_o, account_arg] {
    print(*account_o, ask(*account_o, "GET", "/chain/account/" + *account_arg), {});
  });

  auto feeds_o = std::make_shared<client_options>();
  auto* fe = chain->add_subcommand("feeds", "Hosting requests and their state (finalized state)");
  add_client_options(fe, *feeds_o);
  fe->callback([feeds_o] { print(*feeds_o, ask(*feeds_o, "GET", "/chain/feeds"), {}); });

  auto ev = std::make_shared<events_options>();
  auto* evc = chain->add_subcommand("events", "Events of finalized blocks (new feeds, registrations, transfers, ...)");
  evc->add_option("--from", ev->from, "First block height")->capture_default_str();
  evc->add_option("--count", ev->count, "Stop after this many events");
  evc->add_flag("--follow", ev->follow, "Keep waiting for new blocks (until --count or --timeout-ms)");
  evc->add_option("--wait-ms", ev->wait_ms, "Each long-poll waits this long for a new block")->capture_default_str();
  evc->add_option("--feed", ev->feed,
                  "Only events about this feed (64-hex key): its publication, hosting changes and updates")
      ->check([](const std::string& key) {
        return key.size() == 64 && key.find_first_not_of("0123456789abcdef") == std::string::npos
                   ? std::string{}
                   : std::string{"a feed key is 64 lowercase hex digits"};
      });
  evc->add_option("--type", ev->types, "Only events of this type, e.g. feed_published (repeatable)");
  add_client_options(evc, ev->client);
  evc->callback([ev] { follow_events(*ev); });

  auto add_tx_options = [](CLI::App* cmd, tx_options& o) {
    cmd->add_option("--key", o.key_file, "The signer's key file (a node's DATA_DIR/node.key)")->required();
    cmd->add_flag("--wait-final", o.wait_final, "Wait (up to --timeout-ms) until the transaction is finalized");
    add_client_options(cmd, o.client);
  };
  auto tr = std::make_shared<tx_options>();
  auto* trc = chain->add_subcommand("transfer", "Transfer ratio to another account");
  trc->add_option("--to", tr->to, "Receiving account id (64 hex)")->required();
  trc->add_option("--amount", tr->amount_units, "Ratio units (10^6 units are one ratio)")->required();
  add_tx_options(trc, *tr);
  trc->callback([tr] {
    auto to = from_hex_fixed<32>(tr->to);
    if (!to) throw command_failed{2, "--to: " + to.err().describe()};
    submit(*tr, transfer_ratio{account_id{*to}, ratio{tr->amount_units}});
  });

  auto rg = std::make_shared<tx_options>();
  auto* rgc = chain->add_subcommand(
      "register", "Register the key's node: roles, capacity, bus address (an encoder also its public sealing key)");
  rgc->add_option("--roles", rg->roles, "Comma-separated roles")->required();
  rgc->add_option("--capacity-bytes", rg->capacity_bytes, "Storage offered for hosting");
  rgc->add_option("--bus-address", rg->bus_address, "Where its bus listens (tcp://HOST:PORT)");
  add_tx_options(rgc, *rg);
  rgc->callback([rg] {
    auto roles = parse_roles(rg->roles);
    if (!roles) throw command_failed{2, "--roles: " + roles.err().describe()};
    register_node r{*roles, rg->capacity_bytes, rg->bus_address};
    // An encoder publishes the public half of its sealing key, derived from node.key.
    if (roles->contains(role::encoder))
      r.seal_key = rabin_williams::of_node(signer_keys(*rg))->public_part().public_key_bytes();
    submit(*rg, std::move(r));
  });

  // The seed's backer, at the top level beside the other user commands.
  auto bk = std::make_shared<tx_options>();
  auto* bkc = app.add_subcommand(
      "back", "Back a feed with ratio: its hosting charges draw on the backing before its publisher's ratio");
  bkc->add_option("FEED_KEY", bk->feed, "The feed's key (64 hex)")->required();
  bkc->add_option("AMOUNT", bk->amount_units, "Ratio units (10^6 units are one ratio); not refunded")->required();
  add_tx_options(bkc, *bk);
  bkc->callback([bk] {
    auto key = from_hex_fixed<32>(bk->feed);
    if (!key) throw command_failed{2, "FEED_KEY: " + key.err().describe()};
    submit(*bk, back_feed{feed_key{*key}, ratio{bk->amount_units}});
  });
}

}  // namespace datdot::cli

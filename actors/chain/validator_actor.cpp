#include "actors/chain/validator_actor.hpp"

#include <deque>
#include <tuple>

#include "actors/chain/chain_json.hpp"
#include "crypto/blake2b.hpp"
#include "protocol/chain/import_memo.hpp"
#include "protocol/chain/service_record.hpp"
#include "protocol/seen_filter.hpp"

namespace datdot {
namespace {

using json = nlohmann::json;

// Bounds of the actor's own queues (the validator bounds its pools itself).
constexpr std::size_t event_blocks_per_answer = 256;  // blocks of finalized events in one `chain events` answer
constexpr std::size_t waiters_max = 32;              // long-polls waiting for events
constexpr std::uint64_t wait_ms_max = 30'000;
constexpr std::size_t sync_in_flight_max = 16;       // block requests awaiting an answer
constexpr std::size_t peers_remembered_max = 16;     // recent senders, asked for missing blocks
constexpr std::chrono::milliseconds sync_timeout{2000};
// The envelope and the answer's own field headers; each block adds its bytes
// and at most 8 bytes of field header.
constexpr std::size_t sync_answer_slack_bytes = bus_limits::envelope_overhead_bytes_max + 16;
constexpr std::size_t sync_block_header_bytes = 8;
static_assert(sync_answer_slack_bytes + chain_limits::block_bytes_max + sync_block_header_bytes <=
                  bus_limits::frame_bytes_min,
              "a sync answer always carries at least one largest block");
static_assert(sync_in_flight_max <= bus_limits::pending_requests_max);

// Gossip passed on goes to this many random peers (see bus_limits::relay_fanout_max);
// a voter hands another's vote, and a signer its own transaction, to this many
// besides the voters (see execute).
constexpr auto relay_fanout = static_cast<std::uint32_t>(bus_limits::relay_fanout_max);
constexpr std::uint32_t vote_relay_followers = 2;
constexpr std::uint32_t transaction_relay_peers = 2;
// A commit also rides with the next block (chain_block.commit), so on its own
// it need not reach everyone: a voter sends it to all its peers and they pass
// it to two more, most nodes hear it within the slot with about two copies
// each instead of eight, and the rest learn it with the next block. Commits
// at full fanout were a third of a large simulation's events.
constexpr std::uint32_t commit_relay_fanout = 2;

// Prevote after a quarter slot, precommit after half: longer than loopback or
// LAN delays, so honest voters usually see each other's votes first.
finality_timing timing_for(const chain_params& p) {
  return finality_timing{p.slot_duration_ms / 4, p.slot_duration_ms / 2};
}

// A block imported but not yet final: what finality needs to store it and to
// release its transactions and events.
struct pending_block {
  storage::stored_block_ref ref;
  std::vector<hash32> tx_hashes;
  std::vector<chain_event> events;
};

struct waiter {
  std::uint64_t id;
  std::uint64_t from;
  caf::typed_response_promise<chain_reply> promise;
};

// What replaying the store leaves for the actor to run.
struct restored {
  std::unique_ptr<validator> v;
  std::vector<start_timer> timers;
  std::map<block_hash, pending_block> pending;
  block_number started_from;  // the snapshot's height, 0 for genesis
  std::size_t replayed = 0;   // blocks applied again on top of it
  block_number finalized;     // the store's finalized head
  bytes latest_commit;        // its justification, if it has one
  std::set<hash32> durable_pool;  // the hashes of the store's pool
};

struct validator_state {
  std::optional<validator_config> config_;  // set at spawn (the chain store has no empty state)
  validator_config& config() { return *config_; }
  const validator_config& config() const { return *config_; }
  bus_actor bus;
  std::unique_ptr<validator> v;
  std::map<block_hash, pending_block> pending;
  std::vector<waiter> waiters;
  std::vector<chain_watcher> watchers;
  std::uint64_t next_waiter_id = 1;
  std::set<block_hash> syncing;
  std::deque<node_id> peers;  // most recent first
  // Blocks and votes sent, by the hash of their bytes: each is relayed once.
  // Copies that arrive again still reach the validator (it drops them cheaply
  // itself): a repeated vote from a lagging voter is what makes it send a
  // catch-up, so they must not be filtered out at the door.
  seen_filter seen{bus_limits::chain_seen_max};
  std::uint64_t relayed = 0;
  std::map<chain_errc, std::uint64_t> rejected;
  std::set<std::uint64_t> imported_slots;  // recent, for missed-slot counting
  std::uint64_t slot = 0;
  std::uint64_t highest_heard = 0;  // the highest block number peers have sent
  std::uint64_t slot_misses = 0;
  std::uint64_t equivocations = 0;
  // The newest own vote made durable; votes go out in (set, round, kind) order.
  std::optional<std::tuple<set_id, round_number, vote_kind>> own_vote_written;
  // The store's finalized head, kept here: reading it back for each
  // finalization was a read transaction per node and block.
  block_number stored_finalized;
  // The justification of the newest block finalized here, encoded: it rides
  // with this node's own blocks (chain_block.commit).
  bytes latest_commit;
  // What the store's pool holds: only calls this node acknowledged (its own
  // and its clients') go there, so most nodes finalize blocks of calls they
  // never held, and need no write transaction to forget them.
  std::set<hash32> durable_pool;
  static inline const char* name = "datdot.validator";
};

using validator_pointer = validator_actor::stateful_pointer<validator_state>;

void log(validator_state& st, const std::string& line) {
  if (st.config().log) st.config().log(line);
}

// Takes the effect's transaction hashes and events: nothing reads them after.
pending_block pending_of(block_imported& e) {
  return pending_block{
      {e.hash, e.b.header.header.number, e.b.header.header.parent}, std::move(e.tx_hashes), std::move(e.events)};
}

// The blocks a finality effect makes final, oldest first: from `hash` down to
// just above the previous finalized number.
std::vector<pending_block> take_final_path(std::map<block_hash, pending_block>& pending, const block_hash& hash,
                                           block_number previous) {
  std::vector<pending_block> path;
  for (auto h = hash;;) {
    auto it = pending.find(h);
    if (it == pending.end() || it->second.ref.number <= previous) break;
    h = it->second.ref.parent;
    path.push_back(std::move(it->second));  // erased below
  }
  std::reverse(path.begin(), path.end());
  const auto top = path.empty() ? previous : path.back().ref.number;
  std::erase_if(pending, [&](const auto& e) { return e.second.ref.number <= top; });
  return path;
}

// --- restart ------------------------------------------------------------------

template <class T>
result<T> from_store(result<std::optional<T>> r, const std::string& what) {
  if (!r) return r.err();
  if (!*r) return make_error(errc::corrupt_data, "chain store: missing " + what);
  return std::move(**r);
}

result<block> stored_block(const storage::chain_store& store, const block_hash& hash) {
  auto bytes = from_store(store.block(hash), "block " + hex_of(hash.bytes));
  if (!bytes) return bytes.err();
  auto b = decode_block(*bytes);
  if (!b) return make_error(errc::corrupt_data, "chain store: " + b.err().describe());
  return std::move(*b);
}

// Replays a stored input; a rejection means the store is not this chain's.
result<void> replay(effects out, restored& r, const std::string& what) {
  for (auto& effect : out) {
    if (auto* t = std::get_if<start_timer>(&effect)) r.timers.push_back(*t);
    if (auto* i = std::get_if<block_imported>(&effect)) r.pending.emplace(i->hash, pending_of(*i));
    if (auto* bad = std::get_if<input_rejected>(&effect))
      return make_error(errc::corrupt_data, "chain store: " + what + " rejected on replay: " + to_string(bad->code) +
                                           ": " + bad->detail);
  }
  return {};
}

// The newest state snapshot as the tree's root, once it matches the state root
// its block committed to; genesis without one.
result<trusted_root> starting_root(const validator_config& c) {
  auto snapshot = c.store.snapshot();
  if (!snapshot) return snapshot.err();
  if (!*snapshot) return root_of(c.g);
  const auto& [head, state_bytes] = **snapshot;
  auto state = decode_state(state_bytes);
  if (!state) return make_error(errc::corrupt_data, "chain store: state snapshot: " + state.err().describe());
  auto b = stored_block(c.store, head.hash);
  if (!b) return b.err();
  const auto& h = b->header.header;
  auto final_at = c.store.finalized_hash_at(head.number);
  if (!final_at) return final_at.err();
  if (h.number != head.number || state_root(*state) != h.state_root || !*final_at || **final_at != head.hash)
    return make_error(errc::corrupt_data, "chain store: the state snapshot does not match its finalized block");
  return trusted_root{head.hash, h.parent, h.number, h.slot, std::make_shared<const chain_state>(std::move(*state))};
}

// Rebuilds the pure validator: from the newest snapshot (or genesis), replays
// every later finalized block with its justification as a commit, then the
// unfinalized blocks and the durable pool. Its clock starts at the newest
// stored block's slot (validator::restore_clock), so replay produces nothing.
result<restored> restore(const validator_config& c) {
  restored r;
  // A new store starts at genesis (the store's finalized chain begins at height 0);
  // an existing one must be of this genesis.
  auto genesis_at = c.store.finalized_hash_at(block_number{0});
  if (!genesis_at) return genesis_at.err();
  if (!*genesis_at) {
    const storage::stored_block_ref root{c.g->hash, block_number{0}, c.g->header.parent};
    if (auto ok = c.store.put_block(root, header_bytes(c.g->header)); !ok) return ok.err();
    if (auto ok = c.store.finalize({root}, byte_view{}); !ok) return ok.err();
  } else if (**genesis_at != c.g->hash) {
    return make_error(errc::invalid_argument, "the chain store holds another genesis (another --genesis file?)");
  }
  auto root = starting_root(c);
  if (!root) return root.err();
  const auto root_number = root->number;
  effects first;
  r.v = std::make_unique<validator>(*root, c.keys, timing_for(c.g->state.params), first);
  for (auto& e : first)
    if (auto* t = std::get_if<start_timer>(&e)) r.timers.push_back(*t);
  // Before anything can make the voter sign: the votes it sent before the restart.
  auto own_votes = c.store.own_votes();
  if (!own_votes) return own_votes.err();
  for (const auto& bytes : *own_votes) {
    auto v = decode_signed_vote(byte_view{bytes});
    if (!v) return make_error(errc::corrupt_data, "chain store: own vote: " + v.err().describe());
    r.v->restore_own_vote(*v);
  }
  auto head = c.store.finalized();
  if (!head) return head.err();
  auto unfinalized = c.store.unfinalized();
  if (!unfinalized) return unfinalized.err();
  const std::uint64_t finalized_number = *head ? (*head)->number.value : 0;

  slot_number top{0};
  if (*head && finalized_number > 0) {
    auto b = stored_block(c.store, (*head)->hash);
    if (!b) return b.err();
    top = b->header.header.slot;
  }
  std::vector<block> later;
  for (const auto& ref : *unfinalized) {
    auto b = stored_block(c.store, ref.hash);
    if (!b) return b.err();
    top = std::max(top, b->header.header.slot);
    later.push_back(std::move(*b));
  }
  r.v->restore_clock(top);

  block_number done = root_number;
  for (std::uint64_t n = root_number.value + 1; n <= finalized_number; ++n) {
    auto hash = from_store(c.store.finalized_hash_at(block_number{n}), "finalized block " + std::to_string(n));
    if (!hash) return hash.err();
    auto b = stored_block(c.store, *hash);
    if (!b) return b.err();
    if (auto ok = replay(r.v->on_block(std::move(*b)), r, "block " + std::to_string(n)); !ok) return ok.err();
    auto j = c.store.justification(*hash);
    if (!j) return j.err();
    if (!*j) continue;
    auto decoded = decode_justification(**j);
    if (!decoded) return make_error(errc::corrupt_data, "chain store: " + decoded.err().describe());
    if (auto ok = replay(r.v->on_commit(*decoded), r, "justification " + std::to_string(n)); !ok) return ok.err();
    r.latest_commit = std::move(**j);
    take_final_path(r.pending, *hash, done);
    done = block_number{n};
  }
  if (r.v->tree().finalized().number.value != finalized_number)
    return make_error(errc::corrupt_data, "chain store: finalized blocks do not replay to the stored head");
  r.started_from = root_number;
  r.finalized = block_number{finalized_number};
  r.replayed = finalized_number - root_number.value + later.size();
  for (const auto& b : later)
    if (auto ok = replay(r.v->on_block(b), r, "unfinalized block"); !ok) return ok.err();
  auto pool = c.store.pool();
  if (!pool) return pool.err();
  std::vector<hash32> stale;
  for (const auto& bytes : *pool) {
    auto x = decode_extrinsic(bytes);
    if (!x) return make_error(errc::corrupt_data, "chain store: pool: " + x.err().describe());
    auto out = r.v->on_transaction(*x);
    if (out.empty())
      stale.push_back(hash_of(*x));  // already included, or superseded
    else
      r.durable_pool.insert(hash_of(*x));
  }
  if (!stale.empty())
    if (auto ok = c.store.pool_remove(stale); !ok) return ok.err();
  return r;
}

// --- effects ------------------------------------------------------------------

void count_rejection(validator_state& st, chain_errc code, const std::string& detail) {
  ++st.rejected[code];
  if (st.config().metrics) st.config().metrics->rejected.Add({{"reason", to_string(code)}}).Increment();
  log(st, std::string{"chain: rejected "} + to_string(code) + ": " + detail);
}

void update_metrics(validator_state& st) {
  if (!st.config().metrics) return;
  auto& m = *st.config().metrics;
  const auto best = st.v->tree().best().number.value;
  const auto final = st.v->tree().finalized().number.value;
  m.best_height.Set(static_cast<double>(best));
  m.finalized_height.Set(static_cast<double>(final));
  m.finality_lag.Set(static_cast<double>(best - final));
  m.tx_pool.Set(static_cast<double>(st.v->pool_size()));
}

void remember_peer(validator_state& st, const node_id& peer) {
  if (!st.peers.empty() && st.peers.front() == peer) return;
  std::erase(st.peers, peer);
  st.peers.push_front(peer);
  if (st.peers.size() > peers_remembered_max) st.peers.pop_back();
}

void answer_waiters(validator_pointer self);
// A block as its frame brought it: its bytes are its encoding, so they are
// stored as they came, then moved on to the relay (relay_block comes after
// block_imported, and is the last to need them).
struct arrived_block {
  block_hash hash;
  bytes& encoded;
};

void execute(validator_pointer self, effects out, const node_id* from, arrived_block* arrived_with = nullptr);

finalized_view view_of(const validator_state& st) {
  const auto& final = st.v->tree().finalized();
  return {final.number, final.hash, final.state_after};  // shared, not copied: it never changes
}

// This node's service in newly finalized blocks, and its ratio and hosted
// replicas as the finalized state has them, into the role series.
void record_service(validator_state& st, std::span<const chain_event> events) {
  auto& own = st.config().own;
  const auto& state = st.v->tree().finalized().state();
  const auto me = st.v->id();
  const auto n = count_service(events, me);
  if (own.hoster) {
    own.hoster->challenges_received.Increment(static_cast<double>(n.challenges_received));
    own.hoster->challenges_passed.Increment(static_cast<double>(n.challenges_passed));
    own.hoster->challenges_failed.Increment(static_cast<double>(n.challenges_failed));
    own.hoster->replicas.Set(static_cast<double>(active_replicas_of(state, me)));
  }
  if (own.encoder) {
    own.encoder->sealed_blocks.Increment(static_cast<double>(n.sealed_blocks));
    own.encoder->sealed_bytes.Increment(static_cast<double>(n.sealed_bytes));
  }
  if (own.attester) {
    own.attester->made.Increment(static_cast<double>(n.attestations));
    own.attester->missed.Increment(static_cast<double>(n.attestations_missed));
  }
}

// After finality moved: the local watchers get the new view, the ratio gauge
// this node's finalized ratio.
void publish_finality(validator_pointer self) {
  auto& st = self->state;
  if (st.config().own.ratio) {
    const auto& accounts = st.v->tree().finalized().state().accounts;
    const auto mine = accounts.find(st.v->id());
    st.config().own.ratio->Set(mine == accounts.end() ? 0.0 : static_cast<double>(mine->second.balance.units) /
                                                                  chain_limits::ratio_units_per_one);
  }
  if (st.watchers.empty()) return;
  const auto view = view_of(st);
  for (const auto& w : st.watchers) self->send(w, chain_final_atom_v, view);
}

void request_blocks_from(validator_pointer self, const block_hash& hash, const node_id* from) {
  auto& st = self->state;
  if (st.syncing.contains(hash) || st.syncing.size() >= sync_in_flight_max) return;
  const node_id* peer = from ? from : (st.peers.empty() ? nullptr : &st.peers.front());
  if (!peer) return;
  st.syncing.insert(hash);
  const auto to = *peer;
  self->request(st.bus, sync_timeout + std::chrono::milliseconds{500}, bus_request_atom_v, to,
                message_body{block_request{hash.bytes, static_cast<std::uint32_t>(bus_limits::sync_blocks_max)}},
                caf::timespan{sync_timeout})
      .then(
          [=](inbound_message& reply) {
            self->state.syncing.erase(hash);
            auto* answer = std::get_if<block_response>(&reply.body);
            if (!answer) return;
            for (const auto& bytes : answer->blocks) {
              auto b = decode_block(bytes);
              if (!b) {
                count_rejection(self->state, b.err().code, "synced block: " + b.err().detail);
                return;
              }
              execute(self, self->state.v->on_block(std::move(*b)), &to);
            }
          },
          [=](caf::error&) { self->state.syncing.erase(hash); });
}

void on_finalized(validator_pointer self, const block_finalized& e) {
  auto& st = self->state;
  const block_number before = st.stored_finalized;
  auto path = take_final_path(st.pending, e.hash, before);
  if (path.empty() || path.front().ref.number.value != before.value + 1) {
    log(st, "chain: finalized " + hex_of(e.hash.bytes) + " without its stored path; store left at height " +
                std::to_string(before.value));
    return;
  }
  std::vector<storage::stored_block_ref> refs;
  std::vector<hash32> txs;
  for (auto& p : path) {
    refs.push_back(p.ref);
    txs.insert(txs.end(), p.tx_hashes.begin(), p.tx_hashes.end());
    record_service(st, p.events);
  }
  // Made only when the store wants them: a simulation's nodes share one copy (storage/shared_values.hpp).
  storage::chain_store::finality_record made;
  made.block_events = [&path](std::size_t i) {
    const auto& p = path[i];
    if (p.events.empty()) return bytes{};
    json list = json::array();
    for (const auto& ev : p.events) list.push_back(event_json(p.ref.number, p.ref.hash, ev));
    const auto text = list.dump();
    return bytes(text.begin(), text.end());
  };
  // A snapshot each time finality passes a multiple of the interval: a restart
  // replays only the blocks after it.
  const auto every = st.config().snapshot_every_blocks;
  if (every > 0 && before.value / every != e.number.value / every && st.v->tree().finalized().hash == e.hash)
    made.state_snapshot = [&st] { return encode_state(st.v->tree().finalized().state()); };
  auto commit = encode_justification(e.j);
  if (auto ok = st.config().store.finalize(refs, commit, made); !ok)
    log(st, "chain: storing finality failed: " + ok.err().describe());
  else
    st.stored_finalized = e.number;
  st.latest_commit = std::move(commit);
  std::erase_if(txs, [&st](const hash32& h) { return st.durable_pool.erase(h) == 0; });
  if (!txs.empty())
    if (auto ok = st.config().store.pool_remove(txs); !ok) log(st, "chain: pool update failed: " + ok.err().describe());
  answer_waiters(self);
  publish_finality(self);
}

// Write-ahead for this node's own votes: a vote leaves only once it is durable
// (see chain_store::put_own_vote); re-sent votes are already there.
bool persist_own_vote(validator_state& st, const signed_vote& v, byte_view bytes) {
  const auto key = std::tuple{v.body.set, v.body.round, v.body.kind};
  if (st.own_vote_written && *st.own_vote_written >= key) return true;
  constexpr std::uint64_t rounds_kept = chain_limits::future_rounds_window + 2;
  if (auto ok = st.config().store.put_own_vote(v.body.set.value, v.body.round.value,
                                               static_cast<std::uint8_t>(v.body.kind), bytes, rounds_kept);
      !ok) {
    log(st, "chain: storing an own vote failed, not sending it: " + ok.err().describe());
    return false;
  }
  st.own_vote_written = key;
  return true;
}

bool is_report(const extrinsic& x) {
  return std::holds_alternative<report_equivocation>(x.body) || std::holds_alternative<report_double_vote>(x.body);
}

void execute(validator_pointer self, effects out, const node_id* from, arrived_block* arrived_with) {
  auto& st = self->state;
  auto broadcast = [&](message_body body) { self->send(st.bus, bus_broadcast_atom_v, role::validator, std::move(body)); };
  // A block goes out with the newest commit this node holds (verified: this
  // node finalized by it) while both fit in a block's room in the frame.
  auto as_block = [&st](bytes b) {
    const bool fits = b.size() + st.latest_commit.size() <= chain_limits::block_bytes_max;
    return chain_block{std::move(b), fits ? st.latest_commit : bytes{}};
  };
  auto as_commit = [](bytes b) { return chain_commit{std::move(b)}; };
  // A message is relayed once (the seen filter): a block known by its header
  // hash (every node hashing the bytes of each block, tens of kilobytes with
  // storage proofs, was several percent of a large simulation), other
  // messages by their bytes.
  // Own blocks always go out (rebroadcasts are deliberate); they are marked
  // seen so that they are never relayed as if they were another node's.
  auto own_block = [&](const block& b) {
    st.seen.insert(hash_of(b).bytes);
    broadcast(as_block(encode_block(b)));
  };
  // Another node's message goes on once, to a few random peers but its sender.
  auto relay_keyed = [&](bytes encoded, const hash32& key, auto wrap, std::uint32_t fanout = relay_fanout) {
    if (!st.seen.insert(key)) return;
    ++st.relayed;
    const auto except = from ? *from : node_id{st.v->id()};
    self->send(st.bus, bus_relay_atom_v, role::validator, except, fanout, message_body{wrap(std::move(encoded))});
  };
  auto relay = [&](bytes encoded, auto wrap, std::uint32_t fanout = relay_fanout) {
    const auto digest = blake2b_256(encoded);
    relay_keyed(std::move(encoded), digest, wrap, fanout);
  };
  auto arrived = [&](const block_hash& hash) { return arrived_with && arrived_with->hash == hash ? arrived_with : nullptr; };
  // A vote goes to every voter this node has a route to (once each, by the
  // seen filter), and a voter also hands it to a few random peers. Those pass
  // it on to the voters they reach but to no follower, so voters that cannot
  // reach each other still hear each other through followers, while a
  // network of thousands no longer carries every vote to every node (votes
  // were most of its frames): followers learn finality from commits.
  auto voter_ids = [&] {
    const auto& members = st.v->voter().voters().members;
    std::vector<node_id> voters;
    voters.reserve(members.size());
    for (const auto& m : members) voters.push_back(node_id{m});
    return voters;
  };
  auto to_voters = [&](bytes encoded, bool mine) {
    if (!st.seen.insert(blake2b_256(encoded)) && !mine) return;
    if (!mine) ++st.relayed;
    const auto except = from && !mine ? *from : node_id{st.v->id()};
    message_body body{chain_vote{std::move(encoded)}};
    if (st.v->voter().voters().contains(st.v->id()))
      self->send(st.bus, bus_relay_atom_v, role::validator, except, vote_relay_followers, body);
    self->send(st.bus, bus_multicast_atom_v, role::validator, voter_ids(), except, std::uint32_t{0}, std::move(body));
  };
  // A transaction matters only to the block producers, the voters, so it
  // goes to the voters this node routes and stops there, instead of reaching
  // every node: a storage proof carries a sealed block, and flooding each to
  // every node made transactions most of a large network's bytes. A node that
  // routes no voter passes it to a few random peers (the multicast's
  // fallback), and its signer also hands it to a few, so that one stale route
  // does not hold it back until the next re-gossip.
  auto to_producers = [&](bytes encoded, bool mine) {
    const auto except = from && !mine ? *from : node_id{st.v->id()};
    message_body body{chain_transaction{std::move(encoded)}};
    if (mine) self->send(st.bus, bus_relay_atom_v, role::validator, except, transaction_relay_peers, body);
    self->send(st.bus, bus_multicast_atom_v, role::validator, voter_ids(), except, relay_fanout, std::move(body));
  };
  for (auto& effect : out) {
    std::visit(
        [&](auto& e) {
          using T = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<T, gossip_block>) {
            own_block(e.b);
          } else if constexpr (std::is_same_v<T, gossip_vote>) {
            auto bytes = encode_signed_vote(e.v);
            if (e.v.body.voter == st.v->id() && !persist_own_vote(st, e.v, bytes)) return;
            to_voters(std::move(bytes), true);
          } else if constexpr (std::is_same_v<T, relay_block>) {
            // Not in this message (an orphan's parent, a future or a synced
            // block): stored just before, at block_imported.
            if (auto* a = arrived(e.hash))
              relay_keyed(std::move(a->encoded), e.hash.bytes, as_block);
            else if (auto stored = st.config().store.block(e.hash); stored && *stored)
              relay_keyed(std::move(**stored), e.hash.bytes, as_block);
          } else if constexpr (std::is_same_v<T, relay_vote>) {
            to_voters(encode_signed_vote(e.v), false);
          } else if constexpr (std::is_same_v<T, relay_commit>) {
            relay(encode_justification(e.j), as_commit, commit_relay_fanout);
          } else if constexpr (std::is_same_v<T, gossip_commit>) {
            broadcast(chain_commit{encode_justification(e.j)});
          } else if constexpr (std::is_same_v<T, gossip_transaction>) {
            auto bytes = encode_extrinsic(e.x);
            if (e.x.signer == st.v->id() && is_report(e.x)) ++st.equivocations;
            if (e.x.signer == st.v->id() && is_report(e.x) && st.config().metrics)
              st.config().metrics->equivocations.Increment();
            to_producers(std::move(bytes), !from || e.x.signer == st.v->id());
          } else if constexpr (std::is_same_v<T, send_catch_up>) {
            chain_catch_up c{e.c.set.value, e.c.round.value, {}, {}};
            for (const auto& v : e.c.prevotes) c.prevotes.push_back(encode_signed_vote(v));
            for (const auto& v : e.c.precommits) c.precommits.push_back(encode_signed_vote(v));
            self->send(st.bus, bus_send_atom_v, e.to, message_body{std::move(c)});
          } else if constexpr (std::is_same_v<T, send_commit>) {
            self->send(st.bus, bus_send_atom_v, e.to, message_body{chain_commit{encode_justification(e.j)}});
          } else if constexpr (std::is_same_v<T, request_blocks>) {
            request_blocks_from(self, e.hash, from);
          } else if constexpr (std::is_same_v<T, start_timer>) {
            self->delayed_send(self, std::chrono::milliseconds{e.delay_ms}, chain_timer_atom_v, e.timer);
          } else if constexpr (std::is_same_v<T, block_imported>) {
            // Canonical decoding is strict, so re-encoding gives the bytes that arrived.
            const auto ref = storage::stored_block_ref{e.hash, e.b.header.header.number, e.b.header.header.parent};
            const auto* a = arrived(e.hash);
            if (auto ok = st.config().store.put_block(ref, a ? byte_view{a->encoded} : byte_view{encode_block(e.b)}); !ok)
              log(st, "chain: storing a block failed: " + ok.err().describe());
            st.imported_slots.insert(e.b.header.header.slot.value);
            st.pending.emplace(e.hash, pending_of(e));
          } else if constexpr (std::is_same_v<T, block_finalized>) {
            on_finalized(self, e);
          } else if constexpr (std::is_same_v<T, input_rejected>) {
            count_rejection(st, e.code, e.detail);
          }
        },
        effect);
  }
  update_metrics(st);
}

// --- inputs -------------------------------------------------------------------

template <class T>
std::optional<T> decoded_or_counted(validator_state& st, chain_result<T> r, const char* what) {
  if (r) return std::move(*r);
  count_rejection(st, r.err().code, std::string{what} + ": " + r.err().detail);
  return std::nullopt;
}

void on_message(validator_pointer self, inbound_message& msg) {
  auto& st = self->state;
  remember_peer(st, msg.sender);
  auto& v = *st.v;
  const auto* from = &msg.sender;
  std::visit(
      [&](auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, chain_block>) {
          // The commit first when it finalizes a block held here (usually the
          // parent), so that the block is relayed with it; else after the block.
          std::optional<justification> commit;
          if (!m.commit.empty()) commit = decoded_or_counted(st, decode_justification(m.commit), "commit");
          const bool commit_first = commit && v.tree().contains(commit->target);
          if (commit_first) execute(self, v.on_commit(*commit), from);
          // Most frames of a block are copies of one already here (each node relays it to several peers).
          if (const auto header = decode_block_header(m.encoded); header && v.knows(header->header)) {
            st.highest_heard = std::max(st.highest_heard, header->header.number.value);
          } else if (auto b = decoded_or_counted(st, decode_block(m.encoded), "block")) {
            st.highest_heard = std::max(st.highest_heard, b->header.header.number.value);
            arrived_block arrived{hash_of(*b), m.encoded};
            effects out;
            {
              const known_block_bytes known{arrived.hash, m.encoded};
              out = v.on_block(std::move(*b));
            }
            execute(self, std::move(out), from, &arrived);
          }
          if (commit && !commit_first) execute(self, v.on_commit(*commit), from);
        } else if constexpr (std::is_same_v<T, chain_vote>) {
          if (auto x = decoded_or_counted(st, decode_signed_vote(byte_view{m.encoded}), "vote"))
            execute(self, v.on_vote(*x), from);
        } else if constexpr (std::is_same_v<T, chain_commit>) {
          if (auto j = decoded_or_counted(st, decode_justification(m.encoded), "commit"))
            execute(self, v.on_commit(*j), from);
        } else if constexpr (std::is_same_v<T, chain_transaction>) {
          if (auto x = decoded_or_counted(st, decode_extrinsic(m.encoded), "transaction"))
            execute(self, v.on_transaction(*x), from);
        } else if constexpr (std::is_same_v<T, chain_catch_up>) {
          catch_up c{set_id{m.set}, round_number{m.round}, {}, {}};
          for (const auto* list : {&m.prevotes, &m.precommits})
            for (const auto& bytes : *list) {
              auto x = decoded_or_counted(st, decode_signed_vote(byte_view{bytes}), "catch-up vote");
              if (!x) return;
              (list == &m.prevotes ? c.prevotes : c.precommits).push_back(std::move(*x));
            }
          execute(self, v.on_catch_up(c), from);
        }
      },
      msg.body);
}

block_response answer_sync(validator_state& st, const block_request& r) {
  block_response out;
  std::size_t total = 0;
  const auto budget = st.config().frame_bytes_max - sync_answer_slack_bytes;
  auto hash = block_hash{r.hash};
  for (std::uint32_t i = 0; i < r.count; ++i) {
    auto bytes = st.config().store.block(hash);
    if (!bytes || !*bytes || total + (*bytes)->size() + sync_block_header_bytes > budget) break;
    auto b = decode_block(**bytes);
    if (!b) break;
    total += (*bytes)->size() + sync_block_header_bytes;
    out.blocks.push_back(std::move(**bytes));
    hash = b->header.header.parent;
    if (b->header.header.number.value <= 1) break;
  }
  std::reverse(out.blocks.begin(), out.blocks.end());
  return out;
}

void on_tick(validator_pointer self) {
  auto& st = self->state;
  const auto d = st.v->tree().best().state().params.slot_duration_ms;
  const auto now = st.config().wall_ms();
  const auto slot = now / d;
  if (slot > st.slot) {
    // A slot's block has a whole slot to arrive before its slot counts as missed.
    if (st.slot != 0 && slot >= 2 && !st.imported_slots.contains(slot - 2)) {
      ++st.slot_misses;
      if (st.config().metrics) st.config().metrics->slot_misses.Increment();
    }
    std::erase_if(st.imported_slots, [&](std::uint64_t s) { return s + 2 < slot; });
    st.slot = slot;
    execute(self, st.v->on_slot(slot_number{slot}), nullptr);
  }
  self->delayed_send(self, std::chrono::milliseconds{(slot + 1) * d - now + 1}, chain_tick_atom_v);
}

// --- queries ------------------------------------------------------------------

chain_reply reply(json j, int status = 200) { return chain_reply{status, j.dump()}; }
chain_reply fail(int status, const std::string& why) { return reply(json{{"error", why}}, status); }

// Synced: no blocks are being fetched and the best chain is as high as any
// block a peer has sent (one block may be on its way). A node that has heard
// no block yet counts as synced: in a live network one arrives every slot.
bool synced(const validator_state& st) {
  return st.syncing.empty() && st.v->tree().best().number.value + 1 >= st.highest_heard;
}

json status_json(const validator_state& st) {
  const auto& tree = st.v->tree();
  json rejected = json::object();
  for (const auto& [code, n] : st.rejected) rejected[to_string(code)] = n;
  return {{"chain_id", hex_of(st.config().g->state.chain.bytes)},
          {"genesis_hash", hex_of(st.config().g->hash.bytes)},
          {"node", to_hex(st.v->id())},
          {"validator", st.v->voter().voters().contains(st.v->id())},
          {"slot", st.slot},
          {"slot_duration_ms", tree.best().state().params.slot_duration_ms},
          {"synced", synced(st)},
          {"highest_heard_height", st.highest_heard},
          {"best_height", tree.best().number.value},
          {"best_hash", hex_of(tree.best().hash.bytes)},
          {"state_root", hex_of(state_root(tree.best().state()))},
          {"finalized_height", tree.finalized().number.value},
          {"finalized_hash", hex_of(tree.finalized().hash.bytes)},
          {"finalized_state_root", hex_of(state_root(tree.finalized().state()))},
          {"round", st.v->voter().round().value},
          {"set_id", st.v->voter().voters().id.value},
          {"tx_pool", st.v->pool_size()},
          {"slot_misses", st.slot_misses},
          {"equivocations_reported", st.equivocations},
          {"relayed", st.relayed},
          {"rejected", rejected}};
}

chain_reply block_answer(const validator_state& st, const std::string& arg) {
  const auto& tree = st.v->tree();
  std::optional<block_hash> hash;
  if (arg.size() == 64) {
    auto h = from_hex_fixed<32>(arg);
    if (!h) return fail(400, "block: " + h.err().describe());
    hash = block_hash{*h};
  } else {
    std::uint64_t n = 0;
    try {
      n = std::stoull(arg);
    } catch (const std::exception&) {
      return fail(400, "block: want a height or a 64-hex hash");
    }
    if (n <= tree.finalized().number.value) {
      auto h = st.config().store.finalized_hash_at(block_number{n});
      if (h && *h) hash = **h;
      if (n == 0) return reply({{"number", 0}, {"hash", hex_of(st.config().g->hash.bytes)}, {"finalized", true}});
    } else {
      hash = tree.ancestor_at(tree.best().hash, block_number{n});
    }
  }
  if (!hash) return fail(404, "no block " + arg);
  auto bytes = st.config().store.block(*hash);
  if (!bytes || !*bytes) return fail(404, "no block " + arg);
  auto b = decode_block(**bytes);
  if (!b) return fail(500, "stored block: " + b.err().describe());
  const auto number = b->header.header.number;
  auto final = st.config().store.finalized_hash_at(number);
  return reply(block_json(*b, *hash, final && *final && **final == *hash));
}

chain_reply account_answer(const validator_state& st, const std::string& arg) {
  auto id = from_hex_fixed<32>(arg);
  if (!id) return fail(400, "account: " + id.err().describe());
  const auto& tree = st.v->tree();
  auto final = find_account(tree.finalized().state(), account_id{*id});
  auto best = find_account(tree.best().state(), account_id{*id});
  if (!final && !best) return fail(404, "no account " + arg);
  json out = account_json(final ? *final : *best);
  out["finalized"] = final.has_value();
  // The nonce a client signs its next extrinsic with: the best chain's, after the pool's.
  out["best_nonce"] = best ? best->account.nonce : 0;
  out["best_ratio_units"] = best ? best->account.balance.units : 0;
  return reply(out);
}

// Every feed, or with a key the one feed: a client following its own request
// should not pay for the whole network's.
chain_reply feeds_answer(const validator_state& st, const std::string& arg) {
  const auto& final = st.v->tree().finalized();
  if (!arg.empty()) {
    auto key = from_hex_fixed<32>(arg);
    if (!key) return fail(400, "feed: " + key.err().describe());
    auto f = find_feed(final.state(), feed_key{*key});
    if (!f) return fail(404, "no feed " + arg + " on the finalized chain");
    return reply({{"finalized_height", final.number.value}, {"feed", feed_json(*f)}});
  }
  json feeds = json::array();
  for (const auto& f : list_feeds(final.state())) feeds.push_back(feed_json(f));
  return reply({{"finalized_height", final.number.value}, {"feeds", feeds}});
}

json events_since(const validator_state& st, std::uint64_t from) {
  json events = json::array();
  const auto final = st.v->tree().finalized().number.value;
  auto next = std::max(from, final + 1);
  auto stored = st.config().store.events(block_number{from}, event_blocks_per_answer);
  if (!stored) return {{"error", "reading events: " + stored.err().describe()}};
  for (const auto& [number, list] : *stored) {
    for (auto& e : json::parse(list.begin(), list.end(), nullptr, false)) events.push_back(std::move(e));
    // A full answer stops early: the client continues after its last block.
    if (stored->size() == event_blocks_per_answer) next = number.value + 1;
  }
  return {{"events", events}, {"finalized_height", final}, {"next", next}};
}

void answer_waiters(validator_pointer self) {
  auto& st = self->state;
  const auto final = st.v->tree().finalized().number.value;
  std::erase_if(st.waiters, [&](waiter& w) {
    if (final < w.from) return false;
    w.promise.deliver(reply(events_since(st, w.from)));
    return true;
  });
}

submitted_call submit_own(validator_pointer self, call c) {
  auto& st = self->state;
  auto out = st.v->on_own_call(std::move(c));
  submitted_call answer;
  for (const auto& e : out) {
    if (const auto* bad = std::get_if<input_rejected>(&e)) answer.detail = bad->detail;
    const auto* tx = std::get_if<gossip_transaction>(&e);
    if (!tx) continue;
    answer.hash = hash_of(tx->x);
    answer.nonce = tx->x.nonce;
    // Acknowledged means durable, as for a client's transaction.
    if (auto ok = st.config().store.pool_put(answer.hash, encode_extrinsic(tx->x)); !ok) {
      answer.detail = "cannot store the transaction: " + ok.err().describe();
      log(st, "chain: pool write failed: " + ok.err().describe());
    } else {
      answer.accepted = true;
      st.durable_pool.insert(answer.hash);
    }
  }
  execute(self, std::move(out), nullptr);
  return answer;
}

chain_reply submit_answer(validator_pointer self, const std::string& hex) {
  auto& st = self->state;
  auto raw = from_hex(hex);
  if (!raw) return fail(400, "submit: " + raw.err().describe());
  auto x = decode_extrinsic(*raw);
  if (!x) {
    count_rejection(st, x.err().code, "submitted: " + x.err().detail);
    return fail(400, std::string{"rejected: "} + to_string(x.err().code) + ": " + x.err().detail);
  }
  if (auto fits = st.v->dry_run(*x); !fits) {
    count_rejection(st, fits.err().code, "submitted: " + fits.err().detail);
    return fail(400, std::string{"rejected: "} + to_string(fits.err().code) + ": " + fits.err().detail);
  }
  auto out = st.v->on_transaction(*x);
  for (const auto& e : out)
    if (const auto* bad = std::get_if<input_rejected>(&e)) {
      auto why = std::string{"rejected: "} + to_string(bad->code) + ": " + bad->detail;
      execute(self, std::move(out), nullptr);
      return fail(400, why);
    }
  // Only what this node acknowledges to a client goes to the durable pool (one
  // synced write each); gossiped transactions live on at the peers that sent them.
  const bool accepted = !out.empty();
  if (accepted) {
    if (auto ok = st.config().store.pool_put(hash_of(*x), *raw); !ok) {
      log(st, "chain: pool write failed: " + ok.err().describe());
      return fail(503, "cannot store the transaction: " + ok.err().describe());
    }
    st.durable_pool.insert(hash_of(*x));
  }
  execute(self, std::move(out), nullptr);
  return reply({{"accepted", accepted},
                {"hash", hex_of(hash_of(*x))},
                {"detail", accepted ? "in the pool" : "already in the pool or nonce already used"}});
}

caf::result<chain_reply> query(validator_pointer self, const chain_request& r) {
  auto& st = self->state;
  switch (r.what) {
    case chain_request::kind::status: return reply(status_json(st));
    case chain_request::kind::block: return block_answer(st, r.arg);
    case chain_request::kind::account: return account_answer(st, r.arg);
    case chain_request::kind::feeds: return feeds_answer(st, r.arg);
    case chain_request::kind::submit: return submit_answer(self, r.arg);
    case chain_request::kind::events: {
      if (r.wait_ms == 0 || st.v->tree().finalized().number.value >= r.from) return reply(events_since(st, r.from));
      if (st.waiters.size() >= waiters_max) return fail(503, "too many clients waiting for events");
      auto promise = self->make_response_promise<chain_reply>();
      const auto id = st.next_waiter_id++;
      st.waiters.push_back(waiter{id, r.from, promise});
      self->delayed_send(self, std::chrono::milliseconds{std::min(r.wait_ms, wait_ms_max)}, chain_wait_atom_v, id);
      return promise;
    }
  }
  return fail(400, "unknown query");
}

validator_actor::behavior_type validator_impl(validator_pointer self, bus_actor bus, validator_config config,
                                              std::shared_ptr<restored> r) {
  auto& st = self->state;
  const auto* probe = config.probe;
  st.config_.emplace(std::move(config));
  st.bus = bus;
  st.v = std::move(r->v);
  st.pending = std::move(r->pending);
  st.stored_finalized = r->finalized;
  st.latest_commit = std::move(r->latest_commit);
  st.durable_pool = std::move(r->durable_pool);
  log(st, "chain: restored from " +
              (r->started_from.value == 0 ? std::string{"genesis"}
                                          : "the state snapshot at height " + std::to_string(r->started_from.value)) +
              ", replayed " + std::to_string(r->replayed) + " stored blocks");
  for (const auto& t : r->timers)
    self->delayed_send(self, std::chrono::milliseconds{t.delay_ms}, chain_timer_atom_v, t.timer);
  self->send(bus, bus_subscribe_atom_v, message_family::chain, caf::actor_cast<inbox_actor>(self));
  update_metrics(st);
  publish_finality(self);
  on_tick(self);
  return instrument(self, probe, validator_actor::behavior_type{
      [=](bus_ask_atom, inbound_message& msg) -> caf::result<message_body> {
        remember_peer(self->state, msg.sender);
        if (auto* req = std::get_if<block_request>(&msg.body)) return message_body{answer_sync(self->state, *req)};
        return caf::make_error(caf::sec::unexpected_message);
      },
      [=](bus_deliver_atom, inbound_message& msg) { on_message(self, msg); },
      [=](chain_tick_atom) { on_tick(self); },
      [=](chain_timer_atom, const finality_timer& t) { execute(self, self->state.v->on_timeout(t), nullptr); },
      [=](chain_wait_atom, std::uint64_t id) {
        auto& st = self->state;
        std::erase_if(st.waiters, [&](waiter& w) {
          if (w.id != id) return false;
          w.promise.deliver(reply(events_since(st, w.from)));
          return true;
        });
      },
      [=](chain_query_atom, const chain_request& r) { return query(self, r); },
      [=](chain_watch_atom, chain_watcher& w) {
        auto& st = self->state;
        if (st.watchers.size() >= chain_watchers_max) {
          log(st, "chain: too many local watchers; one more refused");
          return;
        }
        self->send(w, chain_final_atom_v, view_of(st));
        st.watchers.push_back(std::move(w));
      },
      [=](chain_submit_atom, call& c) { return submit_own(self, std::move(c)); },
  });
}

}  // namespace

result<validator_actor> spawn_validator_actor(caf::actor_system& sys, bus_actor bus, validator_config config) {
  auto r = restore(config);
  if (!r) return r.err();
  auto shared = std::make_shared<restored>(std::move(*r));
  return sys.spawn(validator_impl, std::move(bus), std::move(config), std::move(shared));
}

}  // namespace datdot

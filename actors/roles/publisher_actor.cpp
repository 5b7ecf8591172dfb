#include "actors/roles/publisher_actor.hpp"

#include <map>

#include <nlohmann/json.hpp>

#include "actors/roles/submit_call.hpp"
#include "protocol/chain/update_feed_call.hpp"
#include "storage/feed_directory.hpp"
#include "storage/feed_source.hpp"

namespace datdot {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// Finalized blocks after which an update the chain has not recorded is taken
// as lost (dropped from the pool, or refused when applied): the next append
// states its update from what the chain recorded again.
constexpr std::uint64_t pending_update_blocks = 20;

// An update_feed accepted into the pool and not final yet: the next append
// states its update from this length, since the chain will have applied this
// one first (one signer's calls go in nonce order). Stating it from the
// recorded length instead would fail once this one is applied.
struct pending_update {
  std::uint64_t length = 0;
  std::uint64_t since = 0;  // the finalized height when it was submitted
};

struct publisher_state {
  std::optional<role_context> ctx;
  fs::path feeds_dir;
  std::shared_ptr<const chain_state> chain;
  std::map<feed_key, std::unique_ptr<storage::feed_directory>> open;
  std::map<feed_key, pending_update> pending;
};

using publisher_pointer = publisher_actor::stateful_pointer<publisher_state>;

publish_answer failed(const std::string& why) { return {false, json{{"error", why}}.dump()}; }

// Submits the call and answers with `about`, the transaction and, if refused, why.
// `refused` runs when it did not get into the pool.
void submit(publisher_pointer self, call c, const json& about, const std::string& what,
            caf::typed_response_promise<publish_answer> promise, std::function<void()> refused = [] {}) {
  submit_call(self, *self->state.ctx, std::move(c), [=](caf::expected<submitted_call> s) mutable {
    if (!s || !s->accepted) refused();
    if (!s) {
      promise.deliver(failed("chain: " + caf::to_string(s.error())));
      return;
    }
    auto out = about;
    out["transaction"] = to_hex(byte_view{s->hash});
    if (!s->accepted) out["error"] = what + " not accepted: " + s->detail;
    promise.deliver(publish_answer{s->accepted, out.dump()});
  });
}

// A new feed's key: random on a node; from the run's seed in `datdot sim`,
// whose context draws from it, so that a run replays.
std::optional<key_seed> new_feed_seed(const role_context& ctx) {
  if (!ctx.uniform) return std::nullopt;
  key_seed seed{};
  for (auto& b : seed) b = static_cast<byte>(ctx.random_below(256));
  return seed;
}

void publish(publisher_pointer self, const publish_request& req, caf::typed_response_promise<publish_answer> promise) {
  auto& st = self->state;
  auto made = storage::make_feed_from(req.file, st.feeds_dir, new_feed_seed(*st.ctx));
  if (!made) {
    promise.deliver(failed(made.err().describe()));
    return;
  }
  auto dir = storage::feed_directory::open(made->dir);
  if (!dir) {
    promise.deliver(failed(dir.err().describe()));
    return;
  }
  const auto& f = dir->the_feed();
  publish_feed x{f.identity().signer(), f.identity().mode(), f.head().length, f.head().fork, f.head().byte_length,
                 f.tree().hash(),       f.head().sig,         req.replicas};
  const json about{{"key", to_hex(byte_view{f.identity().core_key()})},
                   {"source", storage::to_string(made->kind)},
                   {"length", f.head().length},
                   {"byte_size", f.head().byte_length},
                   {"replicas", req.replicas}};
  submit(self, call{x}, about, "publish_feed", promise);
}

result<storage::feed_directory*> feed_dir(publisher_state& st, const feed_key& key) {
  if (auto it = st.open.find(key); it != st.open.end()) return it->second.get();
  const auto path = st.feeds_dir / to_hex(byte_view{key.bytes});
  if (!fs::exists(path)) return make_error(errc::not_found, "this publisher does not have that feed");
  DATDOT_TRY(dir, storage::feed_directory::open(path));
  auto owned = std::make_unique<storage::feed_directory>(std::move(dir));
  auto* raw = owned.get();
  st.open.emplace(key, std::move(owned));
  return raw;
}

// Appends `file` to a feed this node published and states the update from
// the length the chain will hold when it applies it: the one recorded
// (finalized), or the one an update still pending takes it to.
result<update_feed> appended(publisher_state& st, const append_request& req) {
  if (!st.chain) return make_error(errc::not_found, "no finalized chain yet");
  const auto record = st.chain->feeds.find(req.feed);
  if (record == st.chain->feeds.end() || record->second.publisher != st.ctx->me())
    return make_error(errc::not_found, "not a feed this node published (or its publish_feed is not final yet)");
  DATDOT_TRY(dir, feed_dir(st, req.feed));
  DATDOT_CHECK(storage::append_file(*dir, req.file));
  const auto& f = dir->the_feed();
  auto from = record->second.length;
  if (const auto p = st.pending.find(req.feed); p != st.pending.end()) from = std::max(from, p->second.length);
  return make_update_feed(req.feed, f.lookup(), from, f.head().length, f.head().sig);
}

// Updates the chain has recorded, or lost, are pending no more.
void settle_pending(publisher_state& st) {
  std::erase_if(st.pending, [&](const auto& entry) {
    const auto record = st.chain->feeds.find(entry.first);
    return record == st.chain->feeds.end() || record->second.length >= entry.second.length ||
           st.chain->number.value >= entry.second.since + pending_update_blocks;
  });
}

void append(publisher_pointer self, const append_request& req, caf::typed_response_promise<publish_answer> promise) {
  auto update = appended(self->state, req);
  if (!update) {
    promise.deliver(failed(update.err().describe()));
    return;
  }
  const auto length = update->length;
  const auto& f = self->state.open.at(req.feed)->the_feed();
  const json about{{"key", to_hex(byte_view{req.feed.bytes})},
                   {"length", length},
                   {"byte_size", f.head().byte_length},
                   {"recorded_length", self->state.chain->feeds.at(req.feed).length}};
  auto& pending = self->state.pending;
  const auto before = pending.contains(req.feed) ? std::optional{pending.at(req.feed)} : std::nullopt;
  pending[req.feed] = pending_update{length, self->state.chain->number.value};
  const auto feed = req.feed;
  submit(self, call{std::move(*update)}, about, "update_feed", promise, [self, feed, before, length] {
    auto& now = self->state.pending;
    const auto mine = now.find(feed);
    if (mine == now.end() || mine->second.length != length) return;  // a later append took over
    if (before)
      mine->second = *before;
    else
      now.erase(mine);
  });
}

data_message serve(publisher_pointer self, const feed_blocks_request& req) {
  auto& st = self->state;
  if (!st.chain) return data_refusal{"no finalized chain yet"};
  const auto record = st.chain->feeds.find(req.feed);
  if (record == st.chain->feeds.end() || record->second.publisher != st.ctx->me())
    return data_refusal{"not a feed this node published"};
  auto dir = feed_dir(st, req.feed);
  if (!dir) return data_refusal{dir.err().describe()};
  const auto& f = (*dir)->the_feed();
  // What the chain recorded, whatever was appended since, unless an encoder
  // extending a replica asks for the head its extension is for.
  const auto length = req.length != 0 ? req.length : record->second.length;
  if (length > f.head().length) return data_refusal{"this publisher's feed is shorter than that"};
  const auto lookup = f.lookup();
  auto roots = roots_at(lookup, length);
  if (!roots) return data_refusal{roots.err().describe()};
  feed_blocks out{std::move(*roots), {}};
  std::size_t budget = data_limits::message_bytes_max * 3 / 4;
  for (std::uint64_t n = req.first; n < req.first + req.count && n < length; ++n) {
    auto value = f.get(n);
    auto path = block_path(lookup, length, n);
    if (!value || !path) return data_refusal{"cannot read block " + std::to_string(n)};
    const auto size = value->size() + path->size() * 48 + 32;
    if ((size > budget && !out.blocks.empty()) || out.blocks.size() == data_limits::blocks_per_message_max) break;
    budget -= std::min(budget, size);
    out.blocks.push_back({n, std::move(*value), std::move(*path)});
  }
  return out;
}

publisher_actor::behavior_type publisher_impl(publisher_pointer self, role_context ctx, fs::path feeds_dir) {
  self->state.ctx.emplace(std::move(ctx));
  self->state.feeds_dir = std::move(feeds_dir);
  self->send(self->state.ctx->chain, chain_watch_atom_v, caf::actor_cast<chain_watcher>(self));
  return instrument(self, self->state.ctx->probe, publisher_actor::behavior_type{
      [=](data_ask_atom, const node_id&, const data_message& m) -> data_message {
        if (const auto* req = std::get_if<feed_blocks_request>(&m)) return serve(self, *req);
        return data_refusal{"a publisher serves blocks only"};
      },
      [=](chain_final_atom, const finalized_view& view) {
        self->state.chain = view.state;
        settle_pending(self->state);
      },
      [=](publish_atom, const publish_request& req) -> caf::result<publish_answer> {
        auto promise = self->make_response_promise<publish_answer>();
        publish(self, req, promise);
        return promise;
      },
      [=](append_atom, const append_request& req) -> caf::result<publish_answer> {
        auto promise = self->make_response_promise<publish_answer>();
        append(self, req, promise);
        return promise;
      },
  });
}

}  // namespace

publisher_actor spawn_publisher(caf::actor_system& sys, role_context ctx, fs::path feeds_dir) {
  std::filesystem::create_directories(feeds_dir);
  if (!ctx.own_thread) return sys.spawn(publisher_impl, std::move(ctx), std::move(feeds_dir));
  return sys.spawn<caf::detached>(publisher_impl, std::move(ctx), std::move(feeds_dir));
}

}  // namespace datdot

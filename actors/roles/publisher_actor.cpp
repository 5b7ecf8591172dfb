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

struct publisher_state {
  std::optional<role_context> ctx;
  fs::path feeds_dir;
  std::shared_ptr<const chain_state> chain;
  std::map<feed_key, std::unique_ptr<storage::feed_directory>> open;
};

using publisher_pointer = publisher_actor::stateful_pointer<publisher_state>;

publish_answer failed(const std::string& why) { return {false, json{{"error", why}}.dump()}; }

// Submits the call and answers with `about`, the transaction and, if refused, why.
void submit(publisher_pointer self, call c, const json& about, const std::string& what,
            caf::typed_response_promise<publish_answer> promise) {
  submit_call(self, *self->state.ctx, std::move(c), [=](caf::expected<submitted_call> s) mutable {
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

void publish(publisher_pointer self, const publish_request& req, caf::typed_response_promise<publish_answer> promise) {
  auto& st = self->state;
  auto made = storage::make_feed_from(req.file, st.feeds_dir);
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
// the length the chain recorded (finalized): an update still pending is
// covered too, since the upgrade starts at what the chain holds.
result<update_feed> appended(publisher_state& st, const append_request& req) {
  if (!st.chain) return make_error(errc::not_found, "no finalized chain yet");
  const auto record = st.chain->feeds.find(req.feed);
  if (record == st.chain->feeds.end() || record->second.publisher != st.ctx->me())
    return make_error(errc::not_found, "not a feed this node published (or its publish_feed is not final yet)");
  DATDOT_TRY(dir, feed_dir(st, req.feed));
  DATDOT_CHECK(storage::append_file(*dir, req.file));
  const auto& f = dir->the_feed();
  return make_update_feed(req.feed, f.lookup(), record->second.length, f.head().length, f.head().sig);
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
  submit(self, call{std::move(*update)}, about, "update_feed", promise);
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
      [=](chain_final_atom, const finalized_view& view) { self->state.chain = view.state; },
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

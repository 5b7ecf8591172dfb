#include "actors/roles/reader_actor.hpp"

#include <deque>
#include <map>

#include <nlohmann/json.hpp>

#include "protocol/duties/replica_transfer.hpp"
#include "storage/partial_download.hpp"

namespace datdot {
namespace {

constexpr std::size_t in_flight_max = 8;
constexpr std::size_t request_bytes = 48 * 1024;  // aim: one answer fits a message with room to spare
// A checkpoint is two fsyncs and a rename, ≈ 5 ms here: one per answer would
// cap a fetch near 10 MB/s, one per 4 MiB costs about 1%.
constexpr std::uint64_t checkpoint_bytes_min = 4 * 1024 * 1024;
static_assert(checkpoint_bytes_min >= 8 * request_bytes);

struct fetch_job {
  feed_key key;
  feed_record feed;
  std::vector<account_id> hosters;
  std::optional<storage::partial_download> out;
  std::deque<std::pair<std::uint64_t, std::uint32_t>> todo;  // ranges (first, count) not yet asked
  std::map<std::uint64_t, int> tries;                        // per range start: hosters asked so far
  std::map<std::uint64_t, bytes> received;                   // checked, waiting to be written in order
  std::size_t in_flight = 0, next_hoster = 0;
  std::set<account_id> used;
  std::chrono::steady_clock::time_point started;
  caf::typed_response_promise<fetch_answer> promise;
  bool done = false;
};

struct reader_state {
  std::optional<role_context> ctx;
  std::shared_ptr<const chain_state> chain;
  std::uint64_t next_job = 0;
  std::map<std::uint64_t, std::shared_ptr<fetch_job>> jobs;
};

using reader_pointer = reader_actor::stateful_pointer<reader_state>;
using json = nlohmann::json;

fetch_answer failed(const std::string& why) { return {false, json{{"error", why}}.dump()}; }

void finish(reader_pointer self, std::uint64_t id, fetch_answer a) {
  auto& job = *self->state.jobs.at(id);
  job.done = true;
  job.promise.deliver(std::move(a));
  self->state.jobs.erase(id);
}

// Keeps what is written for the next attempt, then answers with the error.
void give_up(reader_pointer self, std::uint64_t id, const std::string& why) {
  auto& out = *self->state.jobs.at(id)->out;
  const auto kept = out.checkpoint();
  finish(self, id,
         failed(why + (kept ? "; " + std::to_string(out.blocks()) + " blocks kept, fetch again to resume"
                            : "; keeping the blocks fetched failed: " + kept.err().describe())));
}

fetch_answer fetched(const fetch_job& job) {
  std::vector<std::string> from;
  for (const auto& h : job.used) from.push_back(to_hex(h));
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - job.started).count();
  const auto& out = *job.out;
  auto answer = json{{"key", to_hex(byte_view{job.key.bytes})}, {"blocks", out.blocks()}, {"bytes", out.bytes()},
                     {"resumed_from", out.start().blocks}, {"hosters", from}, {"seconds", seconds}};
  if (!out.start().restart_reason.empty()) answer["restart_reason"] = out.start().restart_reason;
  return {true, answer.dump()};
}

void pump(reader_pointer self, std::uint64_t id);

void ask(reader_pointer self, std::uint64_t id, std::uint64_t first, std::uint32_t count) {
  auto& job = *self->state.jobs.at(id);
  const auto hoster = job.hosters[(job.next_hoster + static_cast<std::size_t>(job.tries[first])) % job.hosters.size()];
  ++job.in_flight;
  ask_data(self, *self->state.ctx, hoster, data_message{feed_blocks_request{job.key, first, count}},
           [=](result<data_message> answer) {
             auto& st = self->state;
             if (!st.jobs.contains(id)) return;
             auto& job = *st.jobs.at(id);
             --job.in_flight;
             const auto* blocks = answer ? std::get_if<feed_blocks>(&*answer) : nullptr;
             const bool good = blocks && !blocks->blocks.empty() && check_feed_blocks(job.feed, *blocks, first);
             if (!good) {
               if (static_cast<std::size_t>(++job.tries[first]) >= job.hosters.size())
                 return give_up(self, id, "no hoster served blocks from " + std::to_string(first));
               job.todo.emplace_front(first, count);
               return pump(self, id);
             }
             job.used.insert(hoster);
             job.tries.erase(first);
             for (const auto& b : blocks->blocks) job.received.emplace(b.index, b.value);
             const auto got = static_cast<std::uint32_t>(blocks->blocks.size());
             if (got < count) job.todo.emplace_front(first + got, count - got);
             pump(self, id);
           });
  job.next_hoster = (job.next_hoster + 1) % job.hosters.size();
}

void pump(reader_pointer self, std::uint64_t id) {
  auto& job = *self->state.jobs.at(id);
  while (!job.received.empty() && job.received.begin()->first == job.out->blocks()) {
    if (auto put = job.out->append(job.received.begin()->second); !put)
      return give_up(self, id, "cannot write the output file: " + put.err().describe());
    job.received.erase(job.received.begin());
  }
  if (job.out->blocks() == job.feed.length) {
    auto done = job.out->finish();
    return finish(self, id, done ? fetched(job) : failed("cannot complete the output file: " + done.err().describe()));
  }
  if (job.out->bytes_since_checkpoint() >= checkpoint_bytes_min)
    if (auto kept = job.out->checkpoint(); !kept)
      return finish(self, id, failed("cannot record the fetch's progress: " + kept.err().describe()));
  while (job.in_flight < in_flight_max && !job.todo.empty()) {
    const auto [first, count] = job.todo.front();
    job.todo.pop_front();
    ask(self, id, first, count);
  }
}

void start(reader_pointer self, const fetch_request& req, caf::typed_response_promise<fetch_answer> promise) {
  auto& st = self->state;
  if (!st.chain) return void(promise.deliver(failed("no finalized chain yet")));
  const auto feed = st.chain->feeds.find(req.feed);
  if (feed == st.chain->feeds.end()) return void(promise.deliver(failed("no hosting request for that feed")));
  auto job = std::make_shared<fetch_job>();
  job->key = req.feed;
  job->feed = feed->second;
  for (const auto& r : feed->second.replicas)
    if (r.state == replica_state::active) job->hosters.push_back(r.hoster);
  if (job->hosters.empty()) return void(promise.deliver(failed("the feed has no active replica yet")));
  for (const auto& h : job->hosters) know_peer(self, *st.ctx, *st.chain, h);
  const auto& f = feed->second;
  auto out = storage::partial_download::open(req.out, {req.feed, f.length, f.byte_size, f.tree_hash});
  if (!out) return void(promise.deliver(failed("cannot open " + req.out + ": " + out.err().describe())));
  job->out.emplace(std::move(*out));
  const auto per_block = std::max<std::uint64_t>(1, feed->second.byte_size / feed->second.length);
  const auto count = static_cast<std::uint32_t>(
      std::clamp<std::uint64_t>(request_bytes / per_block, 1, data_limits::blocks_per_message_max));
  for (std::uint64_t first = job->out->blocks(); first < feed->second.length; first += count)
    job->todo.emplace_back(first, static_cast<std::uint32_t>(std::min<std::uint64_t>(count, feed->second.length - first)));
  job->started = std::chrono::steady_clock::now();
  job->promise = std::move(promise);
  const auto id = st.next_job++;
  st.jobs.emplace(id, std::move(job));
  pump(self, id);
}

reader_actor::behavior_type reader_impl(reader_pointer self, role_context ctx) {
  self->state.ctx.emplace(std::move(ctx));
  self->send(self->state.ctx->chain, chain_watch_atom_v, caf::actor_cast<chain_watcher>(self));
  return instrument(self, self->state.ctx->probe, reader_actor::behavior_type{
      [=](chain_final_atom, const finalized_view& view) { self->state.chain = view.state; },
      [=](fetch_atom, const fetch_request& req) -> caf::result<fetch_answer> {
        auto promise = self->make_response_promise<fetch_answer>();
        start(self, req, promise);
        return promise;
      },
  });
}

}  // namespace

reader_actor spawn_reader(caf::actor_system& sys, role_context ctx) { return sys.spawn(reader_impl, std::move(ctx)); }

}  // namespace datdot

#include "actors/chain/chain_http.hpp"

#include <cctype>
#include <charconv>

#include <nlohmann/json.hpp>

#include "actors/metrics/scrape_ask.hpp"

namespace datdot {
namespace {

constexpr std::uint64_t answer_slack_ms = 2000;  // beyond a long-poll's wait

std::string query_value(const std::string& query, const std::string& key) {
  std::size_t at = 0;
  while (at <= query.size()) {
    auto end = query.find('&', at);
    if (end == std::string::npos) end = query.size();
    auto pair = query.substr(at, end - at);
    if (pair.rfind(key + "=", 0) == 0) return pair.substr(key.size() + 1);
    at = end + 1;
  }
  return {};
}

std::optional<std::uint64_t> number(const std::string& text) {
  std::uint64_t v = 0;
  if (text.empty()) return 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

http_reply error_reply(int status, const std::string& why) {
  return http_reply{status, "application/json", nlohmann::json{{"error", why}}.dump()};
}

// The URL as a chain_request, or the reason it is not one.
std::variant<chain_request, http_reply> parse(const http_request& r) {
  const std::string prefix = std::string{chain_http_prefix} + "/";
  if (r.path.rfind(prefix, 0) != 0) return error_reply(404, "no such endpoint");
  auto rest = r.path.substr(prefix.size());
  auto slash = rest.find('/');
  auto what = rest.substr(0, slash);
  auto arg = slash == std::string::npos ? std::string{} : rest.substr(slash + 1);
  chain_request out;
  if (r.method == "POST") {
    if (what != "transaction") return error_reply(404, "POST only to /chain/transaction");
    out.what = chain_request::kind::submit;
    out.arg = r.body;
    while (!out.arg.empty() && std::isspace(static_cast<unsigned char>(out.arg.back()))) out.arg.pop_back();
    return out;
  }
  if (what == "status") {
    out.what = chain_request::kind::status;
  } else if (what == "block" && !arg.empty()) {
    out.what = chain_request::kind::block;
    out.arg = arg;
  } else if (what == "account" && !arg.empty()) {
    out.what = chain_request::kind::account;
    out.arg = arg;
  } else if (what == "feeds") {
    out.what = chain_request::kind::feeds;
    out.arg = arg;  // empty: every feed
  } else if (what == "events") {
    out.what = chain_request::kind::events;
    auto from = number(query_value(r.query, "from"));
    auto wait = number(query_value(r.query, "wait_ms"));
    if (!from || !wait) return error_reply(400, "events wants from=N and wait_ms=N");
    out.from = *from;
    out.wait_ms = *wait;
  } else {
    return error_reply(404, "no such endpoint");
  }
  return out;
}

}  // namespace

http_route chain_http_route(caf::actor_system& sys, validator_actor chain) {
  return [&sys, chain](const http_request& r) {
    auto parsed = parse(r);
    if (auto* bad = std::get_if<http_reply>(&parsed)) return *bad;
    const auto& request = std::get<chain_request>(parsed);
    http_reply out = error_reply(503, "the chain actor did not answer");
    caf::scoped_actor self{sys};
    self->request(chain, std::chrono::milliseconds{request.wait_ms + answer_slack_ms}, chain_query_atom_v, request)
        .receive([&](chain_reply& answer) { out = http_reply{answer.status, "application/json", std::move(answer.json)}; },
                 [&](caf::error&) {});
    return out;
  };
}

check_result check_chain_synced(caf::actor_system& sys, const validator_actor& chain) {
  auto reply = scrape_ask<chain_reply>(sys, chain, chain_query_atom_v, chain_request{});
  if (!reply) return {false, "chain actor did not answer within " + std::to_string(scrape_ask_timeout.count()) + " ms"};
  const auto status = nlohmann::json::parse(reply->json, nullptr, false);
  if (status.is_discarded() || !status.contains("synced")) return {false, "chain status without \"synced\""};
  const auto heights = "best " + status["best_height"].dump() + ", finalized " + status["finalized_height"].dump() +
                       ", highest heard " + status["highest_heard_height"].dump();
  return {status["synced"].get<bool>(), (status["synced"].get<bool>() ? "synced, " : "syncing, ") + heights};
}

}  // namespace datdot

#include "actors/sim/byzantine_transport.hpp"

#include "protocol/chain/block.hpp"
#include "protocol/chain/vote.hpp"
#include "protocol/frame_codec.hpp"

namespace datdot {
namespace {

// Half the peers hear the lie, half the truth: both reach honest nodes that
// relay what they imported, so the two versions meet.
constexpr std::uint32_t lie_permille = 500;
// Rounds move on; votes of rounds this far back are no longer sent.
constexpr std::size_t votes_remembered_max = 64;

// The same block with another state root, sealed again: a second header for
// the slot. It does not execute (peers reject its import), but its seal is
// valid, and two valid seals for one slot are what an equivocation report proves.
bytes twin_of(const block& b, const key_pair& keys, const chain_id& chain) {
  auto twin = b;
  twin.header.header.state_root[0] ^= 0x01;
  twin.header = seal_header(twin.header.header, chain, keys.sk);
  return encode_block(twin);
}

// The same kind, set and round for a target nobody has: the second vote of a double vote.
bytes conflicting_vote(const signed_vote& v, deterministic_random& random, const key_pair& keys,
                       const chain_id& chain) {
  auto body = v.body;
  for (std::size_t i = 0; i < body.target.bytes.size(); i += 8) {
    const auto x = random.next();
    for (std::size_t b = 0; b < 8; ++b) body.target.bytes[i + b] = static_cast<byte>(x >> (8 * b));
  }
  return encode_signed_vote(sign_vote(body, chain, keys.sk));
}

}  // namespace

void liar::arm(const node_id& self, const key_pair& keys, const chain_id& chain) {
  me_ = identity{self, keys, chain};
}

bytes liar::rewrite(bytes frame) {
  if (!me_) return frame;
  auto lie = lie_about(frame);
  if (!lie) return frame;
  ++lies_sent_;
  return std::move(*lie);
}

std::optional<bytes> liar::lie_about(const bytes& frame) {
  auto decoded = decode_frame(frame, authenticated_peer{{}, me_->self}, frame_limits{});
  const auto* msg = std::get_if<inbound_message>(&decoded);
  if (!msg || msg->kind != frame_kind::one_way) return std::nullopt;
  const account_id me{me_->keys.pk};
  if (kind_ == adversary_kind::equivocating_validator) {
    const auto* m = std::get_if<chain_block>(&msg->body);
    if (!m) return std::nullopt;
    auto b = decode_block(m->encoded);
    if (!b || b->header.header.author != me || !random_.chance_permille(lie_permille)) return std::nullopt;
    return encode_frame(me_->self, frame_kind::one_way, 0, chain_block{twin_of(*b, me_->keys, me_->chain)});
  }
  if (kind_ == adversary_kind::double_voting_validator) {
    const auto* m = std::get_if<chain_vote>(&msg->body);
    if (!m) return std::nullopt;
    auto v = decode_signed_vote(byte_view{m->encoded});
    if (!v || v->body.voter != me) return std::nullopt;
    auto second = second_vote(*v);
    if (!second || !random_.chance_permille(lie_permille)) return std::nullopt;
    return encode_frame(me_->self, frame_kind::one_way, 0, chain_vote{std::move(*second)});
  }
  return std::nullopt;
}

std::optional<bytes> liar::second_vote(const signed_vote& v) {
  const auto key = std::tuple{v.body.set.value, v.body.round.value, v.body.kind};
  auto it = votes_.find(key);
  if (it == votes_.end()) {
    if (votes_.size() >= votes_remembered_max) votes_.erase(votes_.begin());  // the oldest round's
    it = votes_.emplace(key, vote_pair{v, conflicting_vote(v, random_, me_->keys, me_->chain)}).first;
  }
  if (it->second.first != v) return std::nullopt;
  return it->second.second;
}

}  // namespace datdot

// The transport of a simulated validator that lies: it wraps the node's own
// transport, so the node runs the real chain actor, and rewrites what that
// actor sends before it reaches the wire. An equivocating validator sends a
// second, differently sealed header for its own slot to some peers and its
// real block to the others; a double-voting validator sends some peers a
// second signed vote of the same kind and round for another target. Which
// peers get which is drawn from the adversary's seeded stream.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <tuple>

#include "actors/sim/forwarding_transport.hpp"
#include "actors/deterministic_random.hpp"
#include "actors/sim/sim_scenario.hpp"
#include "crypto/keys.hpp"
#include "protocol/chain/chain_ids.hpp"
#include "protocol/chain/vote.hpp"

namespace datdot {

// What a lying validator needs to sign as itself; it outlives its node's
// restarts, so its stream continues where it was.
class liar {
 public:
  liar(adversary_kind kind, deterministic_random random) : kind_(kind), random_(random) {}
  // Until armed, frames pass unchanged (the cluster makes keys and genesis
  // after the nodes' buses exist).
  void arm(const node_id& self, const key_pair& keys, const chain_id& chain);
  // The frame this node sends to one peer: its own, or the lie.
  bytes rewrite(bytes frame);
  std::uint64_t lies_sent() const noexcept { return lies_sent_; }

 private:
  std::optional<bytes> lie_about(const bytes& frame);
  std::optional<bytes> second_vote(const signed_vote& v);

  adversary_kind kind_;
  deterministic_random random_;
  struct identity {
    node_id self;
    key_pair keys;
    chain_id chain;
  };
  std::optional<identity> me_;
  // One second vote per (set, round, kind), made when the first goes out: its
  // own copy relayed back to this node is passed on as it is, not lied about again.
  struct vote_pair {
    signed_vote first;
    bytes second;
  };
  std::map<std::tuple<std::uint64_t, std::uint64_t, vote_kind>, vote_pair> votes_;
  std::uint64_t lies_sent_ = 0;
};

// Answers to requests (sync) are told truthfully: the lie is in the gossip.
class byzantine_transport final : public forwarding_transport {
 public:
  byzantine_transport(std::shared_ptr<bus_transport> inner, std::shared_ptr<liar> who)
      : forwarding_transport(std::move(inner)), liar_(std::move(who)) {}
  send_status send(const node_id& to, bytes frame) override { return inner().send(to, liar_->rewrite(std::move(frame))); }

 private:
  std::shared_ptr<liar> liar_;
};

}  // namespace datdot

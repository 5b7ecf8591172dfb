// Hosters that keep less than they are paid to keep, as conducts of the real
// hoster actor (actors/roles/hoster_conduct.hpp): each takes the pay for a
// whole replica and then drops it, and differs in how it answers afterwards.
// Unique sealing is what must catch all three: a replica's sealed bytes exist
// only where its encoder streamed them, so no other copy proves it.
//
//   lazy_hoster         keeps nothing and answers nothing.
//   sybil_hoster        one operator behind several hoster identities keeps
//                       one copy of a feed; its other identities answer
//                       challenges and reads from that copy, another
//                       replica's bytes.
//   outsourcing_hoster  keeps nothing and, when challenged or read, fetches
//                       the block just in time from another hoster of the
//                       feed. It is given more than the protocol would give
//                       it, that hoster's sealed replica (hosters serve only
//                       originals), and is still caught.
//   self_service_hoster one identity of a publisher's operator, there to be
//                       paid for hosting the operator's own feeds: it keeps
//                       those and drops every other replica the chain gives
//                       it. Random assignment and reshuffles give it no say
//                       in which feeds it gets; what it drops is caught.
//   colluding_hoster    shares an operator with the colluding encoders, who
//                       give it their sealing keys: it drops each replica
//                       one of them sealed and, when challenged or read,
//                       re-seals it from the original blocks (fetched from
//                       another hoster) just in time. Sealing is
//                       deterministic, so no proof tells the difference: the
//                       chain's random encoder draw makes the pairing rare
//                       and its reshuffle ends it within two periods (what
//                       the run measures); replicas other encoders sealed it
//                       keeps.
//
// The in-process reads stand in for data-plane fetches: only their timing,
// which no check relies on, would differ.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>

#include "actors/roles/hoster_conduct.hpp"
#include "actors/sim/sim_replica_stores.hpp"
#include "actors/sim/sim_scenario.hpp"

namespace datdot {

// What the hoster adversaries of one run share: the stores of the hosters
// that are up, the sybil operator's copies (one per feed, in one identity's
// store), the account of the publisher the self-service hosters serve and
// the sealing keys of the colluding encoders, by account.
struct hoster_adversary_world {
  std::shared_ptr<const sim_replica_stores> stores;
  std::map<feed_key, std::pair<account_id, storage::replica_id>> sybil_kept;
  account_id self_service_operator{};
  std::map<account_id, std::shared_ptr<const sealer>> colluding_sealers;
};

class adversarial_hoster : public hoster_conduct {
 public:
  // Replicas this hoster was paid to keep whole and dropped.
  std::uint64_t replicas_dropped() const noexcept { return dropped_.size(); }
  // The finalized height at which it first dropped one (0: never).
  std::uint64_t first_drop_height() const noexcept { return first_drop_height_; }
  // For a colluder, which no proof catches: the most blocks it held a replica
  // it did not keep (up to `height` for one it still holds), and how many
  // times it re-sealed one on demand.
  struct collusion_record {
    std::uint64_t longest_unkept_blocks = 0;
    std::uint64_t reseals = 0;
  };
  virtual std::optional<collusion_record> collusion(std::uint64_t /*height*/) const { return std::nullopt; }

 protected:
  // Drops the replica, which the chain `s` has active; false when there was nothing to drop.
  bool drop(const storage::replica_store& own, const chain_state& s, const storage::replica_id& id);

 private:
  std::set<std::pair<hash32, std::uint32_t>> dropped_;
  std::uint64_t first_drop_height_ = 0;
};

// The conduct of a hoster adversary, in the run's `world`.
std::shared_ptr<adversarial_hoster> make_hoster_adversary(adversary_kind kind,
                                                          std::shared_ptr<hoster_adversary_world> world);

}  // namespace datdot

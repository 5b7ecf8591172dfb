#include "actors/sim/hoster_adversaries.hpp"

namespace datdot {
namespace {

// The replicas the chain has this hoster keep, active: paid for, so worth dropping.
template <class Visit>
void each_active(const chain_state& s, const account_id& me, Visit visit) {
  for (const auto& [key, feed] : s.feeds)
    for (std::uint32_t slot = 0; slot < feed.replicas.size(); ++slot)
      if (feed.replicas[slot].hoster == me && feed.replicas[slot].state == replica_state::active)
        visit(key, storage::replica_id{key.bytes, slot});
}

// Another hoster's replica of the feed `id` names, of at least `length`
// blocks, from a hoster that is up: what a reader could fetch from.
std::optional<storage::replica> other_replica(const hoster_adversary_world& world, const chain_state& s,
                                              const account_id& me, const storage::replica_id& id,
                                              std::uint64_t length = 0) {
  const auto feed = s.feeds.find(feed_key{id.feed});
  if (feed == s.feeds.end()) return std::nullopt;
  for (std::uint32_t slot = 0; slot < feed->second.replicas.size(); ++slot) {
    const auto& other = feed->second.replicas[slot];
    const auto* store = other.hoster == me ? nullptr : world.stores->find(other.hoster);
    if (!store) continue;
    auto theirs = storage::replica::open(*store, storage::replica_id{id.feed, slot});
    if (theirs && theirs->head().length >= length) return std::move(*theirs);
  }
  return std::nullopt;
}

class lazy_hoster : public adversarial_hoster {
 public:
  void after_final(const storage::replica_store& own, const chain_state& s, const account_id& me) override {
    each_active(s, me, [&](const feed_key&, const storage::replica_id& id) { drop(own, s, id); });
  }
};

class sybil_hoster : public adversarial_hoster {
 public:
  explicit sybil_hoster(std::shared_ptr<hoster_adversary_world> world) : world_(std::move(world)) {}

  // The first identity to hold a feed keeps the operator's copy; the others drop theirs.
  void after_final(const storage::replica_store& own, const chain_state& s, const account_id& me) override {
    each_active(s, me, [&](const feed_key& key, const storage::replica_id& id) {
      const auto [kept, first] = world_->sybil_kept.try_emplace(key, me, id);
      if (!first && !(kept->second.first == me && kept->second.second == id)) drop(own, s, id);
    });
  }

  result<storage::replica> replica_to_read(const storage::replica_store& own, const chain_state&, const account_id&,
                                           const storage::replica_id& id) override {
    auto mine = storage::replica::open(own, id);
    if (mine) return mine;
    const auto kept = world_->sybil_kept.find(feed_key{id.feed});
    const auto* store = kept == world_->sybil_kept.end() ? nullptr : world_->stores->find(kept->second.first);
    if (!store) return mine;
    return storage::replica::open(*store, kept->second.second);
  }

 private:
  std::shared_ptr<hoster_adversary_world> world_;
};

class outsourcing_hoster : public adversarial_hoster {
 public:
  explicit outsourcing_hoster(std::shared_ptr<hoster_adversary_world> world) : world_(std::move(world)) {}

  void after_final(const storage::replica_store& own, const chain_state& s, const account_id& me) override {
    each_active(s, me, [&](const feed_key&, const storage::replica_id& id) { drop(own, s, id); });
  }

  // Any other hoster of the feed that is up and still holds its replica.
  result<storage::replica> replica_to_read(const storage::replica_store& own, const chain_state& s,
                                           const account_id& me, const storage::replica_id& id) override {
    auto mine = storage::replica::open(own, id);
    if (mine) return mine;
    if (auto theirs = other_replica(*world_, s, me, id)) return std::move(*theirs);
    return mine;
  }

 private:
  std::shared_ptr<hoster_adversary_world> world_;
};

class self_service_hoster : public adversarial_hoster {
 public:
  explicit self_service_hoster(std::shared_ptr<hoster_adversary_world> world) : world_(std::move(world)) {}

  void after_final(const storage::replica_store& own, const chain_state& s, const account_id& me) override {
    each_active(s, me, [&](const feed_key& key, const storage::replica_id& id) {
      if (s.feeds.at(key).publisher != world_->self_service_operator) drop(own, s, id);
    });
  }

 private:
  std::shared_ptr<hoster_adversary_world> world_;
};

// One identity of the colluding operator (see the header).
class colluding_hoster : public adversarial_hoster {
 public:
  explicit colluding_hoster(std::shared_ptr<hoster_adversary_world> world) : world_(std::move(world)) {}

  void after_final(const storage::replica_store& own, const chain_state& s, const account_id& me) override {
    std::set<std::pair<hash32, std::uint32_t>> held;
    each_active(s, me, [&](const feed_key& key, const storage::replica_id& id) {
      const auto& r = s.feeds.at(key).replicas[id.slot];
      if (!world_->colluding_sealers.contains(r.encoder)) return;
      held.insert({id.feed, id.slot});
      if (!unkept_.contains({id.feed, id.slot})) {
        auto head = own.head(id);
        if (!head || !*head) return;
        const auto saved = **head;
        if (drop(own, s, id)) unkept_.emplace(std::pair{id.feed, id.slot}, unkept{saved, s.number.value, r.encoder});
      } else {
        (void)own.erase(id);  // what a challenge or a read made it re-seal goes again
      }
    });
    // The chain took these away (a reshuffle, the feed ended): how long it was paid for nothing.
    for (auto it = unkept_.begin(); it != unkept_.end();) {
      if (held.contains(it->first)) {
        ++it;
        continue;
      }
      longest_closed_ = std::max(longest_closed_, s.number.value - it->second.since);
      it = unkept_.erase(it);
    }
  }

  result<storage::replica> replica_to_read(const storage::replica_store& own, const chain_state& s,
                                           const account_id& me, const storage::replica_id& id) override {
    auto mine = storage::replica::open(own, id);
    if (mine) return mine;
    const auto gone = unkept_.find({id.feed, id.slot});
    if (gone == unkept_.end()) return mine;
    if (auto ok = reseal(own, s, me, id, gone->second); !ok) return ok.err();
    return storage::replica::open(own, id);
  }

  std::optional<collusion_record> collusion(std::uint64_t height) const override {
    auto longest = longest_closed_;
    for (const auto& [replica, u] : unkept_) longest = std::max(longest, height - std::min(height, u.since));
    return collusion_record{longest, reseals_};
  }

 private:
  struct unkept {
    storage::replica_head head;  // as it was kept: what re-sealing must give again
    std::uint64_t since = 0;     // the finalized height it was dropped at
    account_id encoder;
  };

  // The original blocks, as any reader gets them from another hoster of the
  // feed, sealed again with the colluding encoder's key into this hoster's store.
  result<void> reseal(const storage::replica_store& own, const chain_state& s, const account_id& me,
                      const storage::replica_id& id, const unkept& u) {
    const auto source = other_replica(*world_, s, me, id, u.head.length);
    if (!source) return make_error(errc::not_found, "no other hoster of the feed to fetch the original blocks from");
    const auto& key = *world_->colluding_sealers.at(u.encoder);
    std::vector<bytes> sealed;
    std::vector<std::uint64_t> sizes;
    std::vector<std::vector<tree_node>> paths;
    for (std::uint64_t i = 0; i < u.head.length; ++i) {
      DATDOT_TRY(block, source->read(i, u.head.length));
      DATDOT_TRY(again, key.seal(u.head.key, i, block.value));
      sealed.push_back(std::move(again));
      sizes.push_back(block.value.size());
      paths.push_back(std::move(block.nodes));
    }
    DATDOT_TRY(fresh, storage::replica::create(own, id, u.head.key, u.head.codec, u.head.encoder_key, u.head.feed_roots));
    ++reseals_;
    // Re-sealed without the encoder's signature on the tree: a colluder disputes nothing.
    return fresh.append(0, sealed, sizes, paths, std::nullopt);
  }

  std::shared_ptr<hoster_adversary_world> world_;
  std::map<std::pair<hash32, std::uint32_t>, unkept> unkept_;
  std::uint64_t longest_closed_ = 0;
  std::uint64_t reseals_ = 0;
};

}  // namespace

bool adversarial_hoster::drop(const storage::replica_store& own, const chain_state& s, const storage::replica_id& id) {
  auto head = own.head(id);
  if (!head || !*head) return false;
  if (!own.erase(id)) return false;
  dropped_.insert({id.feed, id.slot});
  if (first_drop_height_ == 0) first_drop_height_ = s.number.value;
  return true;
}

std::shared_ptr<adversarial_hoster> make_hoster_adversary(adversary_kind kind,
                                                          std::shared_ptr<hoster_adversary_world> world) {
  switch (kind) {
    case adversary_kind::lazy_hoster: return std::make_shared<lazy_hoster>();
    case adversary_kind::sybil_hoster: return std::make_shared<sybil_hoster>(std::move(world));
    case adversary_kind::outsourcing_hoster: return std::make_shared<outsourcing_hoster>(std::move(world));
    case adversary_kind::self_service_hoster: return std::make_shared<self_service_hoster>(std::move(world));
    case adversary_kind::colluding_hoster: return std::make_shared<colluding_hoster>(std::move(world));
    default: return nullptr;
  }
}

}  // namespace datdot

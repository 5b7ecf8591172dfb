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
    const auto feed = s.feeds.find(feed_key{id.feed});
    if (feed == s.feeds.end()) return mine;
    for (std::uint32_t slot = 0; slot < feed->second.replicas.size(); ++slot) {
      const auto& other = feed->second.replicas[slot];
      const auto* store = other.hoster == me ? nullptr : world_->stores->find(other.hoster);
      if (!store) continue;
      if (auto theirs = storage::replica::open(*store, storage::replica_id{id.feed, slot})) return theirs;
    }
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
    default: return nullptr;
  }
}

}  // namespace datdot

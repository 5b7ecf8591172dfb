// The adversaries of one run, the acting side (adversary_checker.hpp is the
// side that catches them): lying validators send through a
// byzantine_transport, garbage senders send every other node malformed frames
// at the start of each slot, hoster and attester adversaries run the role
// actor with a conduct of theirs (hoster_adversaries.hpp,
// attester_adversaries.hpp), withholding and false-root encoders run the
// encoder actor with theirs (encoder_adversaries.hpp); colluding encoders seal honestly and give
// the colluding hosters their sealing keys. Every choice they make is drawn
// from the run's seed, one stream per adversary.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "actors/sim/attester_adversaries.hpp"
#include "actors/sim/byzantine_transport.hpp"
#include "actors/sim/encoder_adversaries.hpp"
#include "actors/sim/hoster_adversaries.hpp"

namespace datdot {

class sim_cluster;

// Frames a garbage sender sends each other node per slot: the bus bans after
// bus_limits::garbage_frames_threshold within its window, so a few slots.
inline constexpr std::uint64_t garbage_frames_per_slot = 4;
inline constexpr std::size_t garbage_frame_bytes_max = 512;

class sim_adversaries {
 public:
  // `stores` lists the simulated hosters' stores while they are up; self-service
  // hosters serve the operator of node `self_service_publisher`.
  sim_adversaries(std::uint64_t seed, std::vector<sim_adversary> who, std::shared_ptr<const sim_replica_stores> stores,
                  sim_node_index self_service_publisher);

  // For sim_cluster_config::wrap_transport: a lying validator's transport lies.
  std::shared_ptr<bus_transport> wrap(sim_node_index node, std::shared_ptr<bus_transport> inner);
  // Once the cluster has its keys and genesis.
  void arm(sim_cluster& cluster);
  // At the start of every slot, before the cluster runs it.
  void act(sim_cluster& cluster);

  const std::vector<sim_adversary>& who() const noexcept { return who_; }
  // A hoster, attester or encoder adversary's conduct, for its node's role actor; null for every other node.
  std::shared_ptr<hoster_conduct> hoster_conduct_of(sim_node_index node) const;
  std::shared_ptr<attester_conduct> attester_conduct_of(sim_node_index node) const;
  std::shared_ptr<encoder_conduct> encoder_conduct_of(sim_node_index node) const;
  // Frames it altered (lying validators) or made up (garbage senders).
  std::uint64_t frames_sent(sim_node_index node) const;
  // The hoster adversary's conduct, for what it did (null for other nodes).
  const adversarial_hoster* hoster_of(sim_node_index node) const;
  const slow_attester* attester_of(sim_node_index node) const;
  const adversarial_encoder* encoder_of(sim_node_index node) const;

 private:
  void send_garbage(sim_cluster& cluster, sim_node_index from, deterministic_random& random);

  std::vector<sim_adversary> who_;
  std::map<sim_node_index, std::shared_ptr<liar>> liars_;
  std::map<sim_node_index, deterministic_random> garbage_;
  std::map<sim_node_index, std::uint64_t> garbage_sent_;
  std::map<sim_node_index, std::shared_ptr<adversarial_hoster>> hosters_;
  std::map<sim_node_index, std::shared_ptr<slow_attester>> attesters_;
  std::map<sim_node_index, std::shared_ptr<adversarial_encoder>> encoders_;
  std::shared_ptr<hoster_adversary_world> world_;
  sim_node_index self_service_publisher_;
};

}  // namespace datdot

// What one `datdot sim` run simulates, as read from a scenario file (JSON)
// and then overridden by flags: the network's size and seed, how long it runs,
// its links, the faults it suffers at given slots and the adversaries among
// its nodes. Pure data and its
// checks; actors/sim/scenario_driver.hpp runs it. The file format is
// documented with examples in scenarios/README.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/sim/sim_network.hpp"
#include "protocol/chain/chain_state.hpp"
#include "crypto/result.hpp"

namespace datdot {

// Bounds of a scenario: what one process is meant to simulate.
struct sim_limits {
  static constexpr std::size_t nodes_max = 20'000;
  static constexpr std::uint64_t slots_max = 1'000'000;
  static constexpr std::uint64_t slot_ms_min = 10;  // the chain's own minimum slot
  static constexpr std::uint64_t slot_ms_max = 600'000;
  static constexpr std::uint64_t latency_us_max = 60'000'000;
  static constexpr std::size_t faults_max = 10'000;  // partitions, crashes, joins and leaves
  static constexpr std::size_t adversary_specs_max = 64;
  static constexpr std::size_t feeds_max = 10'000;
  static constexpr std::uint64_t feed_bytes_max = 64ull << 20;  // sealing runs in the one simulation thread
  static constexpr std::uint64_t feeds_per_slot_max = 1000;
};

// Chain-level adversaries (actors/sim/sim_adversaries.hpp says what each
// does) and hosters that keep less than they are paid to keep
// (actors/sim/hoster_adversaries.hpp).
enum class adversary_kind : std::uint8_t {
  equivocating_validator,
  double_voting_validator,
  garbage_sender,
  lazy_hoster,
  sybil_hoster,
  outsourcing_hoster,
  self_service_hoster,
  slow_attester,
  colluding_encoder,
  colluding_hoster,
  withholding_encoder,
  false_root_encoder,
};
std::string_view to_string(adversary_kind k) noexcept;
bool is_hoster_kind(adversary_kind k) noexcept;
bool is_attester_kind(adversary_kind k) noexcept;
bool is_encoder_kind(adversary_kind k) noexcept;

// Either `nodes` names the adversaries, or `share_permille` of the nodes that
// can be one (validators for the validator kinds, hosters for the hoster
// kinds, any node for garbage senders, never a node already an adversary) is
// drawn from the seed.
struct sim_adversary_spec {
  adversary_kind kind = adversary_kind::garbage_sender;
  std::vector<sim_node_index> nodes;
  std::optional<std::uint32_t> share_permille;
};

// One node and the way it misbehaves, as a run resolves the specs.
struct sim_adversary {
  adversary_kind kind;
  sim_node_index node;
  bool operator==(const sim_adversary&) const = default;
};

// From `at_slot` on, frames cross only within a group; nodes named in no
// group form one more side together. `heal_at_slot` joins everyone again.
struct sim_partition {
  std::uint64_t at_slot = 1;
  std::vector<std::vector<sim_node_index>> groups;
  std::optional<std::uint64_t> heal_at_slot;
};

// The node stops at `at_slot` (actors killed, in-flight frames lost, store
// closed) and, with `restart_at_slot`, comes back from its store.
struct sim_crash {
  sim_node_index node = 0;
  std::uint64_t at_slot = 1;
  std::optional<std::uint64_t> restart_at_slot;
};

// The service on the chain: role nodes among the followers, right after the
// validators in this order (publishers, encoders, hosters, attesters), and
// the feeds the publishers ask to be hosted, `feeds_per_slot` a slot from
// `publish_at_slot`, each by the next publisher in turn.
// Churn of the service: a node that joins is down from the start (it has
// never run) and starts at `at_slot`; a node that leaves stops its role
// actors at `at_slot` and unregisters from the chain (it keeps following the
// chain), so its replicas are re-created elsewhere.
struct sim_membership_change {
  sim_node_index node = 0;
  std::uint64_t at_slot = 1;
};

struct sim_hosting {
  std::size_t publishers = 0;
  std::size_t encoders = 0;
  std::size_t hosters = 0;
  std::size_t attesters = 0;
  std::uint64_t capacity_bytes = 64ull << 20;  // each hoster offers
  std::size_t feeds = 0;
  std::uint64_t feed_bytes = 128 * 1024;
  std::uint32_t replicas = 3;
  std::uint64_t publish_at_slot = 5;
  std::uint64_t feeds_per_slot = 1;
  // Feeds grow: every this many slots after it was published (0: never), a
  // feed's publisher appends append_bytes of seeded bytes to it.
  std::uint64_t append_every_slots = 0;
  std::uint64_t append_bytes = 64 * 1024;
  // The chain's challenge parameters: a simulated run is short, so a replica
  // is challenged far more often than the real default (every 100 slots).
  std::uint64_t challenge_period_slots = 10;
  std::uint64_t challenge_deadline_blocks = 4;
  // The chain's reshuffle_period_slots (0: off): each active replica moves to
  // another hoster, sealed anew, one to two periods after it went active.
  std::uint64_t reshuffle_period_slots = chain_params{}.reshuffle_period_slots;

  std::size_t role_nodes() const noexcept { return publishers + encoders + hosters + attesters; }
};

struct sim_scenario {
  std::string name = "default";
  std::string description;
  std::uint64_t seed = 1;
  std::size_t validators = 4;  // nodes 0 .. validators-1
  std::size_t followers = 6;   // the other nodes: they follow the chain without voting
  std::uint64_t slots = 60;
  std::uint64_t slot_ms = 1000;
  link_profile links;
  std::vector<sim_partition> partitions;
  std::vector<sim_crash> crashes;
  std::vector<sim_adversary_spec> adversaries;
  std::vector<sim_membership_change> joins;
  std::vector<sim_membership_change> leaves;
  sim_hosting hosting;

  std::size_t nodes() const noexcept { return validators + followers; }
  // The nodes of each role, as index ranges [first, end).
  std::pair<sim_node_index, sim_node_index> publisher_nodes() const noexcept;
  std::pair<sim_node_index, sim_node_index> encoder_nodes() const noexcept;
  std::pair<sim_node_index, sim_node_index> hoster_nodes() const noexcept;
  std::pair<sim_node_index, sim_node_index> attester_nodes() const noexcept;
};

// Fields present in `json` replace those of `base`; an unknown field is an
// error (a typo must not silently run another scenario).
result<sim_scenario> parse_scenario(std::string_view json, sim_scenario base = {});
// Ranges, node indices, and fault slots that make sense (a heal after its
// partition, a restart after its crash, no node crashed twice at once or
// before it joined, joins by followers, leaves by role nodes after they joined).
result<void> validate(const sim_scenario& s);
// Why the chain could not challenge every replica the workload asks for on
// time (each block opens the challenges whose proofs fit its byte budget,
// protocol/chain/storage_challenges.hpp), with the challenge period that
// would keep up; nothing when it can. Valid, but replicas_challenged would fail.
std::optional<std::string> challenge_load_warning(const sim_scenario& s);
// The scenario as a file would hold it: what a report echoes, and what parse_scenario reads back.
std::string scenario_json(const sim_scenario& s);

// The adversaries the specs name, by node: explicit lists first, then the
// shares in the order given, each drawn from the seed's own adversary stream.
std::vector<sim_adversary> adversaries_of(const sim_scenario& s);

// The flag forms of the fault lists: `NODE@SLOT[-RESTART_SLOT]` and
// `GROUP|GROUP...@SLOT[-HEAL_SLOT]` with GROUP = `NODE,NODE...`.
result<sim_crash> parse_crash_flag(std::string_view text);
result<sim_partition> parse_partition_flag(std::string_view text);
// `NODE@SLOT`: a join or a leave.
result<sim_membership_change> parse_membership_flag(std::string_view text, std::string_view flag);
// `KIND:nodes=NODE,NODE...` or `KIND:share_permille=N`.
result<sim_adversary_spec> parse_adversary_flag(std::string_view text);

}  // namespace datdot

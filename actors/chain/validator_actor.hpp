// The chain's actor: a thin shell around one pure `validator`
// (protocol/chain/validator.hpp, whose header says how it is driven). It ticks
// slots from the wall clock it is given, decodes the chain's bus messages with
// the chain's own decoders (rejects counted by reason), executes the
// validator's effects in order (own blocks, commits and transactions to the
// "validator" group; others' blocks, transactions and the commits that
// finalized here relayed to a few random peers but the sender, once each by a
// seen filter; votes to the voters only, see execute; timers as delayed
// messages; sync requests), keeps the chain store
// current, rebuilds from it on restart, feeds the chain metrics and answers
// client queries.
// A node whose key is not in the validator set runs the same actor as a
// follower: it imports, verifies and stores, never produces or votes, and
// learns finality from the voters' commits.
#pragma once

#include <functional>
#include <optional>

#include "actors/bus_actor.hpp"
#include "actors/chain/chain_metrics.hpp"
#include "actors/metrics/actor_metrics.hpp"
#include "actors/roles/role_metrics.hpp"
#include "protocol/chain/validator.hpp"
#include "storage/chain_store.hpp"

CAF_ADD_ATOM(datdot, datdot, chain_tick_atom, "ctick")
CAF_ADD_ATOM(datdot, datdot, chain_timer_atom, "ctimer")
CAF_ADD_ATOM(datdot, datdot, chain_query_atom, "cquery")
CAF_ADD_ATOM(datdot, datdot, chain_wait_atom, "cwait")
CAF_ADD_ATOM(datdot, datdot, chain_watch_atom, "cwatch")
CAF_ADD_ATOM(datdot, datdot, chain_final_atom, "cfinal")
CAF_ADD_ATOM(datdot, datdot, chain_submit_atom, "csubmit")

namespace datdot {

// A client's question (see actors/chain/chain_http.hpp for the URLs).
struct chain_request {
  enum class kind : std::uint8_t { status, block, account, feeds, events, submit };
  kind what = kind::status;
  std::string arg;           // block: number or hash hex; account: id hex; submit: extrinsic hex
  std::uint64_t from = 0;    // events: first block number
  std::uint64_t wait_ms = 0;  // events: wait this long for one when there is none yet
};

struct chain_reply {
  int status = 200;  // HTTP status
  std::string json;
};

// What local actors (the roles) see of the chain: each finalized block with
// the state after it, shared read-only.
struct finalized_view {
  block_number number;
  block_hash hash;
  std::shared_ptr<const chain_state> state;
};

// The answer to a call submitted for this node's account.
struct submitted_call {
  bool accepted = false;
  hash32 hash{};       // of the signed extrinsic
  std::uint64_t nonce = 0;
  std::string detail;  // why not, when not accepted
};

struct validator_config {
  std::shared_ptr<const genesis> g;  // shared: a simulation's nodes hold one, not one each
  key_pair keys;
  storage::chain_store store;
  std::function<std::uint64_t()> wall_ms;  // Aura's clock: milliseconds since the Unix epoch
  std::size_t frame_bytes_max = 0;        // the bus's limit: sync answers stay below it
  std::optional<chain_series> metrics;
  log_fn log;
  // Finalized state is snapshotted every this many blocks (0: never); a
  // restart starts from the newest snapshot instead of genesis.
  std::uint64_t snapshot_every_blocks = 64;
  // datdot_role_*: this node's ratio and service as the finalized chain records
  // them (protocol/chain/service_record.hpp); series only for the roles it has.
  struct own_service_series {
    prometheus::Gauge* ratio = nullptr;
    std::optional<hoster_series> hoster;
    std::optional<encoder_series> encoder;
    std::optional<attester_series> attester;
  } own;
  const actor_probe* probe = nullptr;  // datdot_actor_*{actor="validator"}; null: not measured
};

}  // namespace datdot

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(datdot::finality_timer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(datdot::chain_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(datdot::chain_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(datdot::finalized_view)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(datdot::submitted_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(datdot::call)

namespace datdot {

// A local actor following finality (at most chain_watchers_max per node).
using chain_watcher = caf::typed_actor<caf::reacts_to<chain_final_atom, finalized_view>>;
inline constexpr std::size_t chain_watchers_max = 16;

using validator_actor = inbox_actor::extend<caf::reacts_to<chain_tick_atom>,                  // own: slot start
                                            caf::reacts_to<chain_timer_atom, finality_timer>,  // own: voter timer
                                            caf::reacts_to<chain_wait_atom, std::uint64_t>,    // own: long-poll ends
                                            caf::replies_to<chain_query_atom, chain_request>::with<chain_reply>,
                                            // local clients: the current finalized view now and each one after
                                            caf::reacts_to<chain_watch_atom, chain_watcher>,
                                            // local clients: sign with this node's key and next nonce, pool, gossip
                                            caf::replies_to<chain_submit_atom, call>::with<submitted_call>>;

// Rebuilds the chain from the store (the newest state snapshot, the finalized
// blocks after it with their justifications, then the unfinalized blocks and
// the pool), subscribes to the bus's chain messages and starts ticking. Fails
// when the store does not replay (another genesis, a corrupt block or snapshot).
result<validator_actor> spawn_validator_actor(caf::actor_system& sys, bus_actor bus, validator_config config);

}  // namespace datdot

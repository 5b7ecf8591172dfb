// The attester role: when the chain picks this node to attest a storage
// challenge, it fetches blocks of the feed from the hoster the way any reader
// would, checks them against the feed's recorded tree, measures time to the
// answers and throughput, and reports on chain.
// The hoster must not be able to tell an attester from a reader, so the
// blocks are drawn from local randomness (not the challenged index, which the
// hoster reads on chain too), and the requests go out over `ctx.bus`, which
// the node gives a throwaway identity: a bus with a random key, never
// registered or announced. It lasts one node run, so a hoster that logs every
// reader's key can still link the attestations of one run to each other.
#pragma once

#include <memory>

#include "actors/roles/attester_conduct.hpp"
#include "actors/roles/role_context.hpp"

CAF_ADD_ATOM(datdot, datdot, attest_atom, "attest")

namespace datdot {

// attest_atom is its own wakeup for a duty the conduct held back.
using attester_actor = chain_watcher::extend<caf::reacts_to<attest_atom, std::uint64_t>>;

// `ctx.bus` is the throwaway identity's bus, whose id is `reader`; no conduct is an honest one.
attester_actor spawn_attester(caf::actor_system& sys, role_context ctx, node_id reader,
                              std::shared_ptr<attester_conduct> conduct = nullptr);

}  // namespace datdot

// The seed's reader: fetches a hosted feed into a file. It finds the feed's
// active hosters on the finalized chain, keeps several requests in flight
// spread over them, checks every block against the feed's tree as the chain
// recorded it, and writes the blocks in order to OUT.part, checkpointed in a
// progress record (storage/partial_download.hpp), renamed to OUT when done.
// A range a hoster does not serve is asked of the next one; an interrupted
// fetch of the same feed head resumes at its last checkpoint.
#pragma once

#include "actors/roles/role_context.hpp"

CAF_ADD_ATOM(datdot, datdot, fetch_atom, "fetch")

namespace datdot {

struct fetch_request {
  feed_key feed;
  std::string out;  // file to write
};

struct fetch_answer {
  bool ok = false;
  std::string json;  // blocks, bytes, resumed_from, restart_reason (if any), hosters, seconds; or error
};

using reader_actor = caf::typed_actor<caf::reacts_to<chain_final_atom, finalized_view>,
                                      caf::replies_to<fetch_atom, fetch_request>::with<fetch_answer>>;

reader_actor spawn_reader(caf::actor_system& sys, role_context ctx);

}  // namespace datdot

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(datdot::fetch_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(datdot::fetch_answer)

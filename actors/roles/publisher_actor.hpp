// The publisher role: turns a file into a signed feed kept under the node's
// data directory (feeds/KEY/), asks the chain to host it with the wanted
// replica count, appends further files to a feed it published (update_feed),
// and serves the feed's original blocks with their paths to the encoders (and
// anyone else) at the length the chain recorded or the one they ask for. Feeds are
// read from disk per request; the actor runs on its own thread because
// creating a large feed takes a while.
#pragma once

#include <filesystem>

#include "actors/roles/role_context.hpp"

CAF_ADD_ATOM(datdot, datdot, publish_atom, "publish")
CAF_ADD_ATOM(datdot, datdot, append_atom, "append")

namespace datdot {

struct publish_request {
  std::string file;
  std::uint32_t replicas = 0;
};

struct append_request {
  feed_key feed;
  std::string file;
};

struct publish_answer {
  bool ok = false;
  std::string json;  // key, length, byte_size, transaction; or error (an append answers the same way)
};

using publisher_actor = data_handler::extend<caf::reacts_to<chain_final_atom, finalized_view>,
                                             caf::replies_to<publish_atom, publish_request>::with<publish_answer>,
                                             caf::replies_to<append_atom, append_request>::with<publish_answer>>;

publisher_actor spawn_publisher(caf::actor_system& sys, role_context ctx, std::filesystem::path feeds_dir);

}  // namespace datdot

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(datdot::publish_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(datdot::append_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(datdot::publish_answer)

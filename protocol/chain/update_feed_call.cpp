#include "protocol/chain/update_feed_call.hpp"

#include "crypto/proof.hpp"

namespace datdot {

result<update_feed> make_update_feed(const feed_key& key, const node_lookup& lookup, std::uint64_t recorded_length,
                                     std::uint64_t length, const signature& tree_signature) {
  if (length <= recorded_length)
    return make_error(errc::invalid_argument, "the feed has " + std::to_string(length) +
                                                  " blocks, no more than the chain recorded (" +
                                                  std::to_string(recorded_length) + ")");
  DATDOT_TRY(roots, roots_at(lookup, recorded_length));
  // The signature travels raw; prove_upgrade's stored form is not needed here.
  DATDOT_TRY(upgrade, prove_upgrade(lookup, length, recorded_length, length - recorded_length, {}));
  return update_feed{key, std::move(roots), length, std::move(upgrade.nodes), tree_signature};
}

}  // namespace datdot

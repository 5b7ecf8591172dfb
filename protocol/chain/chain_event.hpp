// What applying a block did, for subscribers (CLI, metrics, the roles of the
// next issue). Events are returned by apply_block, not kept in the state: the
// chain store keeps them per block.
#pragma once

#include <variant>
#include <vector>

#include "protocol/chain/chain_ids.hpp"
#include "protocol/chain/chain_state.hpp"
#include "protocol/roles.hpp"

namespace datdot {

enum class offence_kind : std::uint8_t { equivocation = 0, double_vote = 1 };

struct node_registered { account_id node; role_set roles; bool operator==(const node_registered&) const = default; };
struct node_unregistered { account_id node; bool operator==(const node_unregistered&) const = default; };
struct ratio_transferred {
  account_id from;
  account_id to;
  ratio amount;
  bool operator==(const ratio_transferred&) const = default;
};
struct feed_published { feed_key feed; account_id publisher; bool operator==(const feed_published&) const = default; };
struct validator_join_requested { account_id who; bool operator==(const validator_join_requested&) const = default; };
struct validator_leave_requested { account_id who; bool operator==(const validator_leave_requested&) const = default; };
struct validator_set_changed {
  set_id set;
  epoch_number epoch;
  std::vector<account_id> members;
  bool operator==(const validator_set_changed&) const = default;
};
struct offence_recorded {
  account_id offender;
  offence_kind kind;
  bool operator==(const offence_recorded&) const = default;
};

// A replica was given to a hoster and an encoder (hosting_assignment.hpp).
struct replica_assigned {
  feed_key feed;
  std::uint32_t replica = 0;  // index in the feed's replica list
  account_id hoster;
  account_id encoder;
  bool operator==(const replica_assigned&) const = default;
};
// A replica will not be served any more (its hoster left); another is assigned.
struct replica_failed {
  feed_key feed;
  std::uint32_t replica = 0;
  account_id hoster;
  bool operator==(const replica_failed&) const = default;
};
// A reshuffle moved the replica: `replacement`, on another hoster, is active,
// so this one is released (its hoster deletes it; no penalty, no payment).
struct replica_retired {
  feed_key feed;
  std::uint32_t replica = 0;
  account_id hoster;
  std::uint32_t replacement = 0;
  bool operator==(const replica_retired&) const = default;
};
// Encoder and hoster committed to the same replica tree: the replica is live.
struct replica_activated {
  feed_key feed;
  std::uint32_t replica = 0;
  account_id encoder;       // who sealed it (credited for the sealing)
  std::uint64_t blocks = 0;  // what it sealed: the feed head the replica covers
  std::uint64_t bytes = 0;
  bool operator==(const replica_activated&) const = default;
};
// The publisher appended: the feed's head is now `length` blocks, `byte_size` bytes.
struct feed_updated {
  feed_key feed;
  std::uint64_t length = 0;
  std::uint64_t byte_size = 0;
  bool operator==(const feed_updated&) const = default;
};
// Encoder and hoster agreed on a replica grown to `length` blocks; the
// encoder is credited for sealing the `blocks` (`bytes`) added.
struct replica_extended {
  feed_key feed;
  std::uint32_t replica = 0;
  account_id encoder;
  std::uint64_t length = 0;
  std::uint64_t blocks = 0;
  std::uint64_t bytes = 0;
  bool operator==(const replica_extended&) const = default;
};
// A sealing dispute verified: the replica's encoder signed a sealed block that
// does not unseal to the feed's block `index` (dispute_sealing), or signed the
// commitment of the whole replica, `index` blocks long, and submitted another
// root (dispute_replica_root). It paid `penalty` into the feed's backing; the
// replica is badly_sealed and goes to another encoder.
struct encoder_convicted {
  feed_key feed;
  std::uint32_t replica = 0;
  account_id encoder;
  std::uint64_t index = 0;
  ratio penalty;
  bool operator==(const encoder_convicted&) const = default;
};
// The encoder of a replica's sealing (the first or an extension) had no
// root in by the replica's root_due block (sealing_deadline.hpp): it is not
// paid, the replica is sealing_timed_out and is re-created through another encoder.
struct encoder_timed_out {
  feed_key feed;
  std::uint32_t replica = 0;
  account_id encoder;
  bool operator==(const encoder_timed_out&) const = default;
};
// The encoder committed to a root and the replica's hoster neither submitted
// the same root nor a valid dispute within chain_limits::hoster_answer_blocks:
// it paid `penalty` into the feed's backing and the replica is failed.
struct hoster_convicted {
  feed_key feed;
  std::uint32_t replica = 0;
  account_id hoster;
  ratio penalty;
  bool operator==(const hoster_convicted&) const = default;
};
// The replica's hoster reported that its encoder, whose root is on chain,
// never pushed it the whole replica: it holds `received` blocks of the
// sealing (report_withheld_sealing, sealing_dispute.hpp). No one can show the
// chain who lies, so neither is paid or penalized; the replica is
// sealing_withheld and is re-created through another encoder and hoster.
struct sealing_withheld {
  feed_key feed;
  std::uint32_t replica = 0;
  account_id encoder;
  account_id hoster;
  std::uint64_t received = 0;
  bool operator==(const sealing_withheld&) const = default;
};
struct hosting_state_changed {
  feed_key feed;
  hosting_state state;
  bool operator==(const hosting_state_changed&) const = default;
};

// Chain randomness picked block `index` of a replica for its hoster to prove
// by `deadline`, and attesters to fetch it as readers (storage_challenges.hpp).
struct challenge_issued {
  std::uint64_t challenge = 0;
  feed_key feed;
  std::uint32_t replica = 0;
  account_id hoster;
  std::uint64_t index = 0;
  block_number deadline;
  std::vector<account_id> attesters;
  bool operator==(const challenge_issued&) const = default;
};
struct storage_proved {
  std::uint64_t challenge = 0;
  feed_key feed;
  std::uint32_t replica = 0;
  bool operator==(const storage_proved&) const = default;
};
struct attestation_recorded {
  std::uint64_t challenge = 0;
  account_id attester;
  bool served = false;
  bool operator==(const attestation_recorded&) const = default;
};
// At its deadline an attester picked for the challenge had not reported: it
// is paid nothing for it. Only a late or absent attester is missed; one that
// waited for a hoster that never answered reports "not served" in time.
struct attestation_missed {
  std::uint64_t challenge = 0;
  account_id attester;
  bool operator==(const attestation_missed&) const = default;
};
// At its deadline: passed when proved on chain and not every attester that
// reported was refused; `failures` is the replica's run of failed challenges.
struct challenge_resolved {
  std::uint64_t challenge = 0;
  feed_key feed;
  std::uint32_t replica = 0;
  account_id hoster;
  bool passed = false;
  std::uint32_t failures = 0;
  bool operator==(const challenge_resolved&) const = default;
};
// At its deadline the challenged replica had ended (its hoster left, its feed
// stopped paying) or its slot held another: the challenge neither passes nor
// fails, and the attesters that reported are paid for their service all the same.
struct challenge_lapsed {
  std::uint64_t challenge = 0;
  feed_key feed;
  std::uint32_t replica = 0;
  bool operator==(const challenge_lapsed&) const = default;
};
// A feed paid for service (encoding, a passed challenge, an attestation).
struct hosting_paid {
  feed_key feed;
  account_id to;
  ratio amount;
  bool operator==(const hosting_paid&) const = default;
};
struct feed_backed {
  feed_key feed;
  account_id backer;
  ratio amount;
  bool operator==(const feed_backed&) const = default;
};

using chain_event = std::variant<node_registered, node_unregistered, ratio_transferred, feed_published,
                                 validator_join_requested, validator_leave_requested, validator_set_changed,
                                 offence_recorded, replica_assigned, replica_failed, replica_activated,
                                 hosting_state_changed, challenge_issued, storage_proved, attestation_recorded,
                                 challenge_resolved, hosting_paid, feed_backed, feed_updated, replica_extended,
                                 replica_retired, encoder_convicted, hoster_convicted, challenge_lapsed,
                                 encoder_timed_out, attestation_missed, sealing_withheld>;

}  // namespace datdot

// The chain's whole state as one value: ordered containers only, so that its
// canonical encoding, and the state root committed in every header, are the
// same on every node. Hosting: replicas with their hoster, encoder, key,
// roots and challenge record, capacity reserved per node, each feed's
// backing, and the open storage challenges with their attestations.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crypto/feed_identity.hpp"
#include "crypto/seal_codec.hpp"
#include "protocol/hosting/storage_proof.hpp"
#include "protocol/chain/chain_error.hpp"
#include "protocol/chain/chain_ids.hpp"
#include "protocol/roles.hpp"

namespace datdot {

struct chain_params {
  std::uint64_t slot_duration_ms = 6000;
  std::uint64_t epoch_length_slots = 600;
  std::uint32_t replicas_per_feed = 3;  // most replicas one hosting request may ask for
  // Storage challenges (storage_challenges.hpp): each active replica is
  // challenged about once per period (blocks), answered within the deadline;
  // this many failures in a row fail the replica, which is then re-created.
  std::uint64_t challenge_period_slots = 100;
  std::uint64_t challenge_deadline_blocks = 10;
  std::uint32_t challenge_failures_max = 3;
  std::uint32_t attesters_per_challenge = 2;
  // Prices in ratio units, paid by the feed (backing first, then publisher):
  // per MiB (rounded up) of feed to the encoder once and to the hoster per
  // passed challenge, and a flat reward per attestation.
  std::uint64_t price_units_per_mib = 1000;
  std::uint64_t attestation_units = 100;
  // Reshuffle (replica_reshuffle.hpp): an active replica moves to another
  // hoster between one and two periods after its activation, so no pairing
  // of feed and hoster lasts. 0 turns it off. The default, 100'800 slots, is
  // a week of 6 s slots: each move costs the feed one more sealing, against
  // the thousand or so challenges a replica passes (and is paid for) between moves.
  std::uint64_t reshuffle_period_slots = 100'800;
  bool operator==(const chain_params&) const = default;
};

struct account_record {
  std::uint64_t nonce = 0;  // the nonce the account's next extrinsic must carry
  ratio balance;
  bool operator==(const account_record&) const = default;
};

struct node_record {
  role_set roles;
  std::uint64_t capacity_bytes = 0;
  std::string bus_address;
  block_number registered_at;
  std::uint64_t reserved_bytes = 0;  // capacity promised to assigned replicas (never above capacity_bytes)
  seal_codec_id seal_codec = seal_codec_id::rabin_williams_2048;
  bytes seal_key;  // encoders: the public sealing key every storage proof is checked with
  bool operator==(const node_record&) const = default;
};

// A state of a feed that the chain accepted as signed by the feed's key (at
// publish_feed or update_feed): blocks [0, length), byte_size bytes in all,
// under the Merkle roots whose tree hash this is. Replicas record the head
// their trees cover, so a feed that grows never invalidates their proofs.
struct feed_head {
  std::uint64_t length = 0;
  std::uint64_t byte_size = 0;
  hash32 tree_hash{};
  bool operator==(const feed_head&) const = default;
};

// Where a hosting request stands, as pinning services report it: queued (no
// replica assigned yet), pinning (replicas assigned, not all active), pinned
// (every wanted replica active), failed (it cannot be served).
enum class hosting_state : std::uint8_t { queued = 0, pinning = 1, pinned = 2, failed = 3 };

// One replica of a feed: the hoster that keeps it, the encoder that seals it
// with a key it alone holds, and the replica key (from chain randomness) that
// makes its bytes unlike every other replica's. Failed, retired,
// badly_sealed, sealing_timed_out and sealing_withheld are terminal: failed
// when it could not be kept (it counts against the hoster), retired when a
// reshuffle moved it to another hoster (no fault of anyone's), badly_sealed
// when its encoder was convicted of a bad sealed block (sealing_dispute.hpp),
// sealing_timed_out when its encoder's root did not come in time
// (sealing_deadline.hpp), sealing_withheld when its hoster reported that the
// encoder never pushed the whole replica (sealing_dispute.hpp); after those
// three the slot's next encoder is another.
enum class replica_state : std::uint8_t {
  encoding = 0, active = 1, failed = 2, retired = 3, badly_sealed = 4, sealing_timed_out = 5, sealing_withheld = 6
};

// The feed grew past what an active replica covers: its encoder seals the
// blocks [covers.length, target.length), its hoster appends them, and both
// commit to the whole replica tree at the target length. Agreement moves the
// replica on to the target (replica_extension.hpp); until then it is
// challenged on what it covers.
struct replica_extension {
  feed_head target;
  std::optional<replica_commitment> encoder_root;
  std::optional<replica_commitment> hoster_root;
  bool operator==(const replica_extension&) const = default;
};

struct replica_record {
  account_id hoster;
  account_id encoder;
  hash32 replica_key{};
  replica_state state = replica_state::encoding;
  block_number assigned_at;
  // The encoder's public sealing key at assignment: proofs stay checkable
  // whatever the encoder registers later.
  seal_codec_id seal_codec = seal_codec_id::rabin_williams_2048;
  bytes seal_key;
  // The Merkle tree over the sealed blocks as each side committed to it.
  std::optional<replica_commitment> encoder_root;
  std::optional<replica_commitment> hoster_root;
  // The feed head those trees cover: the feed's head at assignment, then each
  // agreed extension's target. Challenges and storage proofs use it, never
  // the feed's newest head, so proofs stay checkable while the feed grows.
  feed_head covers;
  std::optional<replica_extension> extension;  // only while active
  // Once the encoder has committed to the sealing it is doing (the first or
  // an extension), the hoster agrees or disputes by this block, or is named
  // (sealing_dispute.hpp). 0: no encoder root is waiting for an answer.
  block_number answer_due;
  // The encoder's root for the sealing it is doing (the first or an
  // extension) is due by this block, or the sealing times out
  // (sealing_deadline.hpp). Set when that sealing starts.
  block_number root_due;
  block_number next_challenge_at;    // due from this block on (set at activation and after each challenge)
  std::uint32_t failures = 0;        // challenges failed in a row
  std::uint64_t passed = 0;          // challenges passed in all
  block_number last_proof_at;        // block of the last accepted storage proof (0: none)
  // Reshuffle: due to move from this block on (set at activation), and while
  // it moves, the index of the replica taking its place; it stays active
  // until that one is (replica_reshuffle.hpp).
  block_number next_move_at;
  std::optional<std::uint32_t> replacement;
  bool operator==(const replica_record&) const = default;
};

// Encoding or active: the replica holds its hoster's capacity for the feed's size.
bool is_live(const replica_record& r);

struct feed_record {
  account_id publisher;
  public_key signer{};
  signing_mode mode = signing_mode::manifest_v1;
  std::uint64_t length = 0;
  std::uint64_t fork = 0;
  std::uint64_t byte_size = 0;
  hash32 tree_hash{};
  signature tree_signature{};
  std::uint32_t replicas_wanted = 0;
  hosting_state state = hosting_state::queued;
  block_number published_at;
  // At most replicas_wanted live ones that are not being replaced (so one
  // more while a replica moves); a slot whose replica ended is reused.
  std::vector<replica_record> replicas;
  ratio backing;                         // from backers; charged before the publisher
  bool operator==(const feed_record&) const = default;
};

// A storage challenge: the replica's hoster must prove block `index` by
// `deadline`; the attesters fetch it as readers and report. It is resolved
// (and removed) at its deadline block.
struct attestation_record {
  account_id attester;
  bool served = false;
  std::uint32_t latency_ms = 0;
  std::uint64_t bytes_per_second = 0;
  bool operator==(const attestation_record&) const = default;
};

struct challenge_record {
  feed_key feed;
  std::uint32_t replica = 0;
  std::uint64_t index = 0;
  block_number issued_at;
  block_number deadline;
  bool proved = false;
  std::vector<account_id> attesters;
  std::vector<attestation_record> attestations;
  bool operator==(const challenge_record&) const = default;
};

struct offence_record {
  std::uint32_t equivocations = 0;
  std::uint32_t double_votes = 0;
  bool operator==(const offence_record&) const = default;
};

// Block authors in slot order: leader(slot) = members[slot mod size].
struct validator_set {
  set_id id;
  std::vector<account_id> members;  // sorted, unique, non-empty
  bool contains(const account_id& a) const;
  bool operator==(const validator_set&) const = default;
};

struct chain_state {
  chain_id chain;
  chain_params params;
  block_number number;  // of the block that produced this state (0: genesis)
  slot_number slot;
  epoch_number epoch;
  hash32 randomness{};
  std::map<account_id, account_record> accounts;
  std::map<account_id, node_record> nodes;
  std::map<feed_key, feed_record> feeds;
  validator_set validators;
  std::set<account_id> joining;  // enacted at the next epoch boundary
  std::set<account_id> leaving;
  std::map<account_id, offence_record> offences;
  std::set<hash32> reported_offences;  // one record per offence, however often reported
  std::map<std::uint64_t, challenge_record> challenges;  // open ones, by id
  std::uint64_t next_challenge_id = 0;
  bool operator==(const chain_state&) const = default;
};

// The head a feed record holds now (its newest), and the key that signs it.
feed_head head_of(const feed_record& f);
feed_identity identity_of(const feed_record& f);

bytes encode_state(const chain_state& s);
// BLAKE2b-256 of encode_state: committed in every header.
hash32 state_root(const chain_state& s);
// The inverse of encode_state (a snapshot read back from disk): strict, only
// canonical bytes are accepted, so decode(encode(s)) == s and nothing else decodes.
chain_result<chain_state> decode_state(byte_view in);

}  // namespace datdot

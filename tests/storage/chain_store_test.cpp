// The chain store: blocks, the finalized chain and its justifications, the
// pending blocks to replay, and the durable transaction pool — across reopen
// and kill -9; with shared values (a simulation's), the same answers from
// one copy of the bytes for every store.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/blake2b.hpp"
#include "storage/chain_store.hpp"
#include "support/temp_dir.hpp"

using namespace datdot;
using namespace datdot::storage;
using datdot::storage::testing::temp_dir;
using datdot::storage::testing::why;

namespace {

block_hash hash_for(std::uint64_t n, byte fork) {
  std::array<byte, 9> in{};
  for (int i = 0; i < 8; ++i) in[i] = static_cast<byte>(n >> (8 * i));
  in[8] = fork;
  return {blake2b_256(in)};
}

// Blocks from..to-1 on branch `fork`; block `from` hangs off branch 0.
std::vector<stored_block_ref> chain_of(std::uint64_t from, std::uint64_t to, byte fork) {
  std::vector<stored_block_ref> out;
  for (std::uint64_t n = from; n < to; ++n) {
    const block_hash parent = n == 0 ? block_hash{} : hash_for(n - 1, n == from ? 0 : fork);
    out.push_back({hash_for(n, fork), {n}, parent});
  }
  return out;
}

bytes body(const stored_block_ref& r) { return bytes(r.hash.bytes.begin(), r.hash.bytes.end()); }

// A store keeping its own bytes, or (`shared`) one keeping them in `values`.
struct store_fixture {
  explicit store_fixture(bool shared = false)
      : values(shared ? std::make_shared<shared_values>() : nullptr), store(chain_store::open(env, values).value()) {}
  temp_dir tmp;
  environment env = environment::open({.dir = tmp.path()}).value();
  std::shared_ptr<shared_values> values;
  chain_store store;
};

}  // namespace

TEST_CASE("blocks finalize in order, forks that lost are dropped, justifications are kept") {
  bool shared = false;
  SUBCASE("keeping its own bytes") {}
  SUBCASE("keeping them in shared values") { shared = true; }
  store_fixture f{shared};
  const auto main = chain_of(0, 6, 0);
  const auto fork = chain_of(3, 5, 1);  // blocks 3 and 4 on another branch
  for (const auto& r : main) REQUIRE(f.store.put_block(r, body(r)));
  for (const auto& r : fork) REQUIRE(f.store.put_block(r, body(r)));
  CHECK(f.store.unfinalized().value().size() == 8);
  CHECK_FALSE(f.store.finalized().value());

  REQUIRE(f.store.finalize({main.begin(), main.begin() + 2}, as_bytes("j1")));
  CHECK(f.store.finalized().value()->number.value == 1);
  // Not extending the head, not a chain, or not stored: refused, nothing changes.
  CHECK(f.store.finalize({main[3]}, as_bytes("x")).err().code == errc::invalid_argument);
  CHECK(f.store.finalize({main[2], main[4]}, as_bytes("x")).err().code == errc::invalid_argument);
  CHECK(f.store.finalize({{hash_for(2, 9), {2}, main[1].hash}}, as_bytes("x")).err().code == errc::not_found);

  REQUIRE(f.store.finalize({main.begin() + 2, main.begin() + 5}, as_bytes("j4")));
  const auto head = f.store.finalized().value();
  CHECK(head->number.value == 4);
  CHECK(head->hash == main[4].hash);
  CHECK(f.store.finalized_hash_at({3}).value() == main[3].hash);
  CHECK(f.store.justification(main[4].hash).value() == bytes{'j', '4'});
  CHECK_FALSE(f.store.justification(main[3].hash).value());
  // The losing fork is gone; only block 5 is still pending.
  CHECK_FALSE(f.store.block(fork[0].hash).value());
  const auto pending = f.store.unfinalized().value();
  REQUIRE(pending.size() == 1);
  CHECK(pending[0] == main[5]);
  CHECK(f.store.block(main[2].hash).value() == body(main[2]));
}

TEST_CASE("the transaction pool is durable and shrinks when transactions are removed") {
  store_fixture f;
  const hash32 a = blake2b_256(as_bytes("a")), b = blake2b_256(as_bytes("b"));
  REQUIRE(f.store.pool_put(a, as_bytes("tx-a")));
  REQUIRE(f.store.pool_put(b, as_bytes("tx-b")));
  CHECK(f.store.pool().value().size() == 2);
  REQUIRE(f.store.pool_remove({a}));
  CHECK(f.store.pool().value() == std::vector<bytes>{bytes{'t', 'x', '-', 'b'}});
}

TEST_CASE("finality stores each block's events and the newest state snapshot in the same transaction") {
  bool shared = false;
  SUBCASE("keeping its own bytes") {}
  SUBCASE("keeping them in shared values") { shared = true; }
  store_fixture f{shared};
  const auto chain = chain_of(0, 6, 0);
  for (const auto& r : chain) REQUIRE(f.store.put_block(r, body(r)));
  REQUIRE(f.store.finalize({chain[0]}, as_bytes("j0")));
  CHECK_FALSE(f.store.snapshot().value());
  const std::vector<bytes> events{bytes{'a'}, bytes{}, bytes{'c'}};
  REQUIRE(f.store.finalize({chain[1], chain[2], chain[3]}, as_bytes("j3"), events, as_bytes("state at 3")));
  // Events of every block or of none.
  CHECK_FALSE(f.store.finalize({chain[4], chain[5]}, as_bytes("j5"), {bytes{'x'}}));
  REQUIRE(f.store.finalize({chain[4]}, as_bytes("j4"), {bytes{'e'}}));

  const auto stored = f.store.events(block_number{1}, 10).value();
  REQUIRE(stored.size() == 3);  // block 2 had none
  CHECK(stored[0] == std::pair{block_number{1}, bytes{'a'}});
  CHECK(stored[1] == std::pair{block_number{3}, bytes{'c'}});
  CHECK(stored[2] == std::pair{block_number{4}, bytes{'e'}});
  CHECK(f.store.events(block_number{2}, 1).value() == std::vector{std::pair{block_number{3}, bytes{'c'}}});
  const auto snap = f.store.snapshot().value();
  REQUIRE(snap);
  CHECK(snap->first == finalized_head{chain[3].hash, block_number{3}});
  CHECK(snap->second == bytes{'s', 't', 'a', 't', 'e', ' ', 'a', 't', ' ', '3'});
}

TEST_CASE("stores sharing values keep one copy of each block, events and snapshot, made once, read back after reopen") {
  const auto values = std::make_shared<shared_values>();
  temp_dir a_dir, b_dir;
  auto a_env = environment::open({.dir = a_dir.path()}).value();
  auto b_env = environment::open({.dir = b_dir.path()}).value();
  const auto a = chain_store::open(a_env, values).value();
  const auto b = chain_store::open(b_env, values).value();
  const auto chain = chain_of(0, 2, 0);
  const bytes big(200'000, 0x5a);  // a full block's worth, many LMDB pages if stored
  const bytes events(50'000, 0x11), state(80'000, 0x22);
  for (const auto* s : {&a, &b}) {
    REQUIRE(s->put_block(chain[0], body(chain[0])));
    REQUIRE(s->put_block(chain[1], big));
    REQUIRE(s->finalize({chain[0]}, as_bytes("j0")));
  }
  // Events and snapshot are made once, by the first store to finalize the block.
  int made = 0;
  const chain_store::finality_record record{[&](std::size_t) {
                                              ++made;
                                              return events;
                                            },
                                            [&] {
                                              ++made;
                                              return state;
                                            }};
  REQUIRE(a.finalize({chain[1]}, as_bytes("signatures a"), record));
  REQUIRE(b.finalize({chain[1]}, as_bytes("signatures b"), record));
  CHECK(made == 2);
  // One copy each, and each store's own justification.
  CHECK(values->bytes_held() == body(chain[0]).size() + big.size() + events.size() + state.size() + 2 +
                                    std::string_view{"signatures a"}.size() + std::string_view{"signatures b"}.size());
  CHECK(a.justification(chain[1].hash).value() == bytes(as_bytes("signatures a").begin(), as_bytes("signatures a").end()));
  CHECK(b.justification(chain[1].hash).value() == bytes(as_bytes("signatures b").begin(), as_bytes("signatures b").end()));
  // The stores' files hold keys, not the bytes.
  for (const auto* dir : {&a_dir, &b_dir})
    CHECK(std::filesystem::file_size(dir->path() / "data.mdb") < big.size() / 2);
  // A store reopened in the same process reads everything back.
  auto again_env = environment::open({.dir = b_dir.path()}).value();
  const auto again = chain_store::open(again_env, values).value();
  CHECK(again.block(chain[1].hash).value() == big);
  CHECK(again.events(block_number{1}, 5).value() == std::vector{std::pair{block_number{1}, events}});
  CHECK(again.snapshot().value()->second == state);
  // Without the values (another process) a key names nothing: an error, not wrong bytes.
  const auto orphan = chain_store::open(again_env, std::make_shared<shared_values>()).value();
  CHECK(orphan.block(chain[1].hash).err().code == errc::corrupt_data);
  CHECK(orphan.events(block_number{1}, 5).err().code == errc::corrupt_data);
}

TEST_CASE("a value put under the hash of its bytes is kept once and named by that hash however it is put") {
  shared_values values;
  using kind = shared_values::kind;
  const auto abc = as_bytes("abc"), abd = as_bytes("abd");
  const auto key = values.put_named(kind::justification, abc);
  CHECK(key == blake2b_256(abc));
  CHECK(values.put_named(kind::justification, abc) == key);  // the last value again
  CHECK(values.put_named(kind::justification, abd) == blake2b_256(abd));
  CHECK(values.put_named(kind::justification, abc) == key);  // an earlier one again
  CHECK(values.put_named(kind::block_events, abc) == key);   // the same bytes as another kind: another value
  CHECK(values.bytes_held() == 9);
  CHECK(*values.find(kind::justification, key) == bytes(abc.begin(), abc.end()));
  CHECK(values.find(kind::block_events, key));
}

TEST_CASE("own votes are kept in (set, round, kind) order across reopen and older rounds and sets are dropped") {
  temp_dir tmp;
  const auto vote_bytes = [](std::uint64_t set, std::uint64_t round, std::uint8_t kind) {
    return bytes{static_cast<byte>(set), static_cast<byte>(round), kind};
  };
  {
    auto env = environment::open({.dir = tmp.path()}).value();
    auto store = chain_store::open(env).value();
    REQUIRE(store.put_own_vote(1, 1, 0, vote_bytes(1, 1, 0), 2));
    REQUIRE(store.put_own_vote(2, 5, 0, vote_bytes(2, 5, 0), 2));
    REQUIRE(store.put_own_vote(2, 5, 1, vote_bytes(2, 5, 1), 2));
    REQUIRE(store.put_own_vote(2, 6, 0, vote_bytes(2, 6, 0), 2));
    // The older set went with the first vote of set 2; round 5 is within 2 of 6.
    CHECK(store.own_votes().value() ==
          std::vector<bytes>{vote_bytes(2, 5, 0), vote_bytes(2, 5, 1), vote_bytes(2, 6, 0)});
    REQUIRE(store.put_own_vote(2, 8, 0, vote_bytes(2, 8, 0), 2));
  }
  auto env = environment::open({.dir = tmp.path()}).value();
  auto store = chain_store::open(env).value();
  CHECK(store.own_votes().value() == std::vector<bytes>{vote_bytes(2, 6, 0), vote_bytes(2, 8, 0)});
}

TEST_CASE("a store of the layout with a database for each kind is moved into one database when opened") {
  temp_dir tmp;
  auto env = environment::open({.dir = tmp.path()}).value();
  const auto chain = chain_of(0, 3, 0);
  const auto be = [](std::uint64_t n) {
    bytes out(8, 0);
    for (int i = 0; i < 8; ++i) out[i] = static_cast<byte>(n >> (56 - 8 * i));
    return out;
  };
  const auto number_and = [&](std::uint64_t n, const block_hash& h) {
    auto out = be(n);
    out.insert(out.end(), h.bytes.begin(), h.bytes.end());
    return out;
  };
  const hash32 tx{7};
  const bytes vote_key(17, 0);
  // Blocks 0 and 1 final, block 2 pending, as that layout kept them.
  {
    std::map<std::string, dbi> db;
    for (const auto* name : {"chain_blocks", "chain_numbers", "chain_justifications", "chain_pending", "chain_pool",
                             "chain_meta", "chain_own_votes", "chain_events"})
      db[name] = env.open_db(name).value();
    REQUIRE(env.update([&](write_txn& txn) -> result<void> {
      for (const auto& r : chain) DATDOT_CHECK(txn.put(db["chain_blocks"], r.hash.bytes, body(r)));
      for (std::uint64_t n = 0; n < 2; ++n)
        DATDOT_CHECK(txn.put(db["chain_numbers"], be(n), chain[n].hash.bytes));
      DATDOT_CHECK(txn.put(db["chain_justifications"], chain[1].hash.bytes, as_bytes("j1")));
      DATDOT_CHECK(txn.put(db["chain_pending"], chain[2].hash.bytes, number_and(2, chain[1].hash)));
      DATDOT_CHECK(txn.put(db["chain_pool"], tx, as_bytes("call")));
      DATDOT_CHECK(txn.put(db["chain_meta"], as_bytes("finalized"), number_and(1, chain[1].hash)));
      DATDOT_CHECK(txn.put(db["chain_own_votes"], vote_key, as_bytes("vote")));
      DATDOT_CHECK(txn.put(db["chain_events"], be(1), as_bytes("events 1")));
      return ok;
    }));
  }
  const auto check = [&](const chain_store& store) {
    CHECK(store.finalized().value() == finalized_head{chain[1].hash, block_number{1}});
    CHECK(store.finalized_hash_at(block_number{0}).value() == chain[0].hash);
    for (const auto& r : chain) CHECK(store.block(r.hash).value() == body(r));
    CHECK(store.justification(chain[1].hash).value() == bytes{'j', '1'});
    CHECK(store.unfinalized().value() == std::vector{chain[2]});
    CHECK(store.pool().value() == std::vector<bytes>{{'c', 'a', 'l', 'l'}});
    CHECK(store.own_votes().value() == std::vector<bytes>{{'v', 'o', 't', 'e'}});
    CHECK(store.events(block_number{0}, 5).value() ==
          std::vector{std::pair{block_number{1}, bytes{'e', 'v', 'e', 'n', 't', 's', ' ', '1'}}});
  };
  check(chain_store::open(env).value());
  for (const auto* name : {"chain_blocks", "chain_meta", "chain_events"}) CHECK_FALSE(env.existing_db(name).value());
  // Opened again, there is nothing left to move, and the store goes on from where it was.
  const auto again = chain_store::open(env).value();
  check(again);
  REQUIRE(again.finalize({chain[2]}, as_bytes("j2")));
  CHECK(again.unfinalized().value().empty());
  CHECK(again.finalized().value() == finalized_head{chain[2].hash, block_number{2}});
}

TEST_CASE("kill -9 while blocks are finalized loses nothing a call returned from") {
  temp_dir tmp;
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const auto main = chain_of(0, 5000, 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Store and finalize one block at a time, reporting each finalized number once it returned.
    auto env = environment::open({.dir = tmp.path()});
    if (!env) ::_exit(2);
    auto store = chain_store::open(*env).value();
    for (const auto& r : main) {
      if (!store.put_block(r, body(r)) || !store.finalize({r}, as_bytes("j"))) ::_exit(3);
      const auto n = r.number.value;
      if (::write(fds[1], &n, sizeof n) != sizeof n) ::_exit(4);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::uint64_t acknowledged = 0, n = 0;
  while (acknowledged < 40 && ::read(fds[0], &n, sizeof n) == sizeof n) acknowledged = n;
  ::kill(child, SIGKILL);
  while (::read(fds[0], &n, sizeof n) == sizeof n) acknowledged = n;  // acknowledged before it died
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);

  auto env = environment::open({.dir = tmp.path()});
  REQUIRE_MESSAGE(env.has_value(), why(env));
  auto store = chain_store::open(*env).value();
  const auto head = store.finalized().value();
  REQUIRE(head.has_value());
  CAPTURE(acknowledged);
  CHECK(head->number.value >= acknowledged);
  for (std::uint64_t k = 0; k <= head->number.value; ++k) CHECK(store.finalized_hash_at({k}).value() == main[k].hash);
}

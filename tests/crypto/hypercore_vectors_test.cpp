// Every value in the hypercore vectors, reproduced from the blocks and the key seed.
#include <doctest/doctest.h>

#include <map>

#include "crypto/feed_identity.hpp"
#include "crypto/keys.hpp"
#include "crypto/proof.hpp"
#include "vectors.hpp"

using namespace datdot;
using namespace datdot::test;

namespace {

struct built_feed {
  merkle_tree tree;
  std::map<std::uint64_t, tree_node> nodes;
  node_lookup lookup() const {
    return [this](std::uint64_t i) -> result<tree_node> {
      auto it = nodes.find(i);
      if (it == nodes.end()) return make_error(errc::not_found, "node " + std::to_string(i));
      return it->second;
    };
  }
};

built_feed build(const std::vector<bytes>& blocks) {
  built_feed f;
  std::vector<tree_node> created;
  for (const auto& b : blocks) {
    created.clear();
    f.tree.append(b, created);
    for (const auto& n : created) f.nodes[n.index] = n;
  }
  return f;
}

signing_mode mode_of(const nlohmann::json& v) {
  return v.at("compat").get<bool>() ? signing_mode::compat : signing_mode::manifest_v1;
}

}  // namespace

TEST_CASE("hypercore vectors: keys, tree, signature") {
  for (const auto& file : feed_vector_files()) {
    SUBCASE(file.c_str()) {
      const auto v = load_vector(file);
      const auto kp = key_pair_from_seed(hex_array<32>(v.at("key_seed")));
      CHECK(to_hex(kp.pk) == v.at("public_key").get<std::string>());
      CHECK(to_hex(kp.sk) == v.at("secret_key").get<std::string>());

      const feed_identity id{kp.pk, mode_of(v)};
      CHECK(to_hex(id.core_key()) == v.at("core_key").get<std::string>());
      CHECK(to_hex(id.discovery_key()) == v.at("discovery_key").get<std::string>());
      if (id.mode() == signing_mode::manifest_v1) {
        CHECK(to_hex(id.manifest()) == v.at("manifest_encoded").get<std::string>());
        CHECK(to_hex(id.core_key()) == v.at("manifest_hash").get<std::string>());
      }

      const auto blocks = blocks_of(v);
      const auto feed = build(blocks);
      CHECK(feed.tree.length() == v.at("length").get<std::uint64_t>());
      CHECK(feed.tree.byte_length() == v.at("byte_length").get<std::uint64_t>());
      for (const auto& b : v.at("blocks")) {
        const auto i = b.at("index").get<std::uint64_t>();
        CHECK(to_hex(feed.nodes.at(2 * i).hash) == b.at("leaf_hash").get<std::string>());
        CHECK(feed.nodes.at(2 * i).size == b.at("size").get<std::uint64_t>());
      }
      // tree_nodes lists every index below 2*length; parents not yet complete are "missing".
      // (c_1000.compat.json leaves the list out; its roots and tree hash are checked below.)
      REQUIRE((v.contains("tree_nodes") || file == "c_1000.compat.json"));
      std::size_t present = 0;
      for (const auto& j : v.value("tree_nodes", nlohmann::json::array())) {
        const auto index = j.at("index").get<std::uint64_t>();
        CAPTURE(index);
        if (j.value("missing", false)) {
          CHECK_FALSE(feed.nodes.contains(index));
        } else {
          REQUIRE(feed.nodes.contains(index));
          CHECK(feed.nodes.at(index) == node_of(j));
          ++present;
        }
      }
      if (v.contains("tree_nodes")) CHECK(present == feed.nodes.size());
      CHECK(feed.tree.roots() == nodes_of(v.at("roots")));
      CHECK(to_hex(feed.tree.hash()) == v.at("tree_hash").get<std::string>());

      const auto fork = v.at("fork").get<std::uint64_t>();
      const auto signable = id.signable(feed.tree.hash(), feed.tree.length(), fork);
      CHECK(to_hex(signable) == v.at("signable").get<std::string>());
      const auto sig = sign(signable, kp.sk);
      CHECK(to_hex(sig) == v.at("signature_ed25519").get<std::string>());
      CHECK(to_hex(id.encode_signature(sig)) == v.at("signature_stored").get<std::string>());
      CHECK(id.decode_signature(hex(v.at("signature_stored"))).value() == sig);
      CHECK(id.verify_tree(feed.tree.hash(), feed.tree.length(), fork, sig));
    }
  }
}

TEST_CASE("hypercore vectors: block proofs are produced byte for byte and verify") {
  for (const auto& file : feed_vector_files()) {
    SUBCASE(file.c_str()) {
      const auto v = load_vector(file);
      const auto kp = key_pair_from_seed(hex_array<32>(v.at("key_seed")));
      const feed_identity id{kp.pk, mode_of(v)};
      const auto blocks = blocks_of(v);
      const auto feed = build(blocks);
      const auto stored_sig = hex(v.at("signature_stored"));
      for (const auto& p : v.at("proofs")) {
        const auto index = p.at("block_index").get<std::uint64_t>();
        CAPTURE(index);
        CHECK(to_hex(blocks[index]) == p.at("block_value").get<std::string>());

        const auto path = block_path(feed.lookup(), feed.tree.length(), index).value();
        CHECK(path == nodes_of(p.at("block_nodes_known_roots")));
        CHECK(path.size() == p.at("max_missing_nodes").get<std::size_t>());
        CHECK(verify_block({index, blocks[index], path}, feed.tree.roots()));

        const auto& w = p.at("with_upgrade");
        const auto proof = prove_block(feed.lookup(), feed.tree.length(), w.at("fork"), index,
                                       blocks[index], stored_sig).value();
        CHECK(proof.block->nodes == nodes_of(w.at("block_nodes")));
        CHECK(proof.upgrade->start == w.at("upgrade_start").get<std::uint64_t>());
        CHECK(proof.upgrade->length == w.at("upgrade_length").get<std::uint64_t>());
        CHECK(proof.upgrade->nodes == nodes_of(w.at("upgrade_nodes")));
        CHECK(proof.upgrade->additional_nodes == nodes_of(w.at("upgrade_additional_nodes")));
        CHECK(to_hex(proof.upgrade->signature) == w.at("upgrade_signature").get<std::string>());

        const auto verified = verify_proof(proof, id);
        REQUIRE_MESSAGE(verified.has_value(), (verified ? std::string{} : verified.err().describe()));
        CHECK(verified->length == feed.tree.length());
        CHECK(verified->roots == feed.tree.roots());
      }
    }
  }
}

TEST_CASE("hypercore vectors: upgrade proofs from a non-zero start") {
  std::size_t checked = 0;
  for (const auto& file : feed_vector_files()) {
    CAPTURE(file);
    {
      const auto v = load_vector(file);
      const auto kp = key_pair_from_seed(hex_array<32>(v.at("key_seed")));
      const feed_identity id{kp.pk, mode_of(v)};
      const auto feed = build(blocks_of(v));
      for (const auto& u : v.at("upgrade_proofs")) {
        const auto start = u.at("start").get<std::uint64_t>();
        const auto length = u.at("length").get<std::uint64_t>();
        CAPTURE(start);
        CAPTURE(length);
        const auto up = prove_upgrade(feed.lookup(), feed.tree.length(), start, length,
                                      hex(v.at("signature_stored"))).value();
        CHECK(up.nodes == nodes_of(u.at("nodes")));
        CHECK(up.additional_nodes == nodes_of(u.at("additional_nodes")));
        CHECK(to_hex(up.signature) == u.at("signature").get<std::string>());

        const auto known = roots_at(feed.lookup(), start).value();
        const auto verified = verify_proof({v.at("fork"), std::nullopt, up}, id, known);
        REQUIRE_MESSAGE(verified.has_value(), (verified ? std::string{} : verified.err().describe()));
        CHECK(verified->length == feed.tree.length());
        CHECK(verified->roots == feed.tree.roots());
        ++checked;
      }
    }
  }
  CHECK(checked > 0);
}

TEST_CASE("hypercore namespaces, empty tree and discovery key (misc vector)") {
  const auto v = load_vector("misc.json");
  const auto& names = v.at("namespaces_hypercore_6");
  REQUIRE(names.size() == 6);
  for (std::size_t i = 0; i < 6; ++i)
    CHECK(to_hex(namespace_hash(static_cast<hypercore_ns>(i))) == names[i].get<std::string>());
  CHECK(to_hex(tree_hash({})) == v.at("empty_tree_hash").get<std::string>());
  const feed_identity compat{hex_array<32>(v.at("public_key")), signing_mode::compat};
  CHECK(to_hex(compat.discovery_key()) == v.at("discovery_key_of_public_key").get<std::string>());
}

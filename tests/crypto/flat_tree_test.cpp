#include <doctest/doctest.h>

#include "crypto/flat_tree.hpp"
#include "vectors.hpp"

namespace ft = datdot::flat_tree;

TEST_CASE("flat-tree full roots match the flat-tree package") {
  const auto v = datdot::test::load_vector("flat_tree.json");
  for (const auto& [length, roots] : v.at("full_roots").items()) {
    CAPTURE(length);
    CHECK(ft::full_roots(std::stoull(length)) == roots.get<std::vector<std::uint64_t>>());
  }
}

TEST_CASE("flat-tree index functions match the flat-tree package") {
  const auto v = datdot::test::load_vector("flat_tree.json");
  REQUIRE(v.at("examples").size() > 0);
  for (const auto& e : v.at("examples")) {
    const auto i = e.at("index").get<std::uint64_t>();
    CAPTURE(i);
    CHECK(ft::depth(i) == e.at("depth").get<std::uint64_t>());
    CHECK(ft::offset(i) == e.at("offset").get<std::uint64_t>());
    CHECK(ft::parent(i) == e.at("parent").get<std::uint64_t>());
    CHECK(ft::sibling(i) == e.at("sibling").get<std::uint64_t>());
    CHECK(ft::left_span(i) == e.at("spans")[0].get<std::uint64_t>());
    CHECK(ft::right_span(i) == e.at("spans")[1].get<std::uint64_t>());
    if (!e.at("children").is_null()) {
      CHECK(ft::left_child(i) == e.at("children")[0].get<std::uint64_t>());
      CHECK(ft::right_child(i) == e.at("children")[1].get<std::uint64_t>());
    }
  }
}

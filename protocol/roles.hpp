// The roles a node can take (DESIGN §2) as a small bit set with one name per
// role; names are what operators type (--roles) and what goes on the wire.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.hpp"

namespace datdot {

enum class role : std::uint8_t { publisher, encoder, hoster, attester, validator };
inline constexpr std::size_t role_count = 5;

std::string_view to_string(role r) noexcept;
std::optional<role> role_from_name(std::string_view name) noexcept;

class role_set {
 public:
  constexpr role_set() = default;
  constexpr bool contains(role r) const noexcept { return (bits_ >> static_cast<unsigned>(r)) & 1u; }
  constexpr void add(role r) noexcept { bits_ |= 1u << static_cast<unsigned>(r); }
  constexpr void remove(role r) noexcept { bits_ &= ~(1u << static_cast<unsigned>(r)); }
  constexpr bool empty() const noexcept { return bits_ == 0; }
  std::vector<role> members() const;
  constexpr bool operator==(const role_set&) const = default;

 private:
  std::uint32_t bits_ = 0;
};

// "hoster,attester" -> {hoster, attester}; unknown or repeated names are errors.
result<role_set> parse_roles(std::string_view comma_separated);
std::string format_roles(role_set roles);

}  // namespace datdot

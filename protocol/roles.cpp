#include "protocol/roles.hpp"

#include <array>

namespace datdot {
namespace {

constexpr std::array<std::string_view, role_count> role_names{
    "publisher", "encoder", "hoster", "attester", "validator"};

}  // namespace

std::string_view to_string(role r) noexcept { return role_names[static_cast<std::size_t>(r)]; }

std::optional<role> role_from_name(std::string_view name) noexcept {
  for (std::size_t i = 0; i < role_names.size(); ++i)
    if (role_names[i] == name) return static_cast<role>(i);
  return std::nullopt;
}

std::vector<role> role_set::members() const {
  std::vector<role> out;
  for (std::size_t i = 0; i < role_count; ++i)
    if (contains(static_cast<role>(i))) out.push_back(static_cast<role>(i));
  return out;
}

result<role_set> parse_roles(std::string_view text) {
  role_set out;
  if (text.empty()) return out;
  for (;;) {
    auto comma = text.find(',');
    auto name = text.substr(0, comma);
    auto r = role_from_name(name);
    if (!r) return make_error(errc::invalid_argument, "unknown role '" + std::string{name} + "'");
    if (out.contains(*r)) return make_error(errc::invalid_argument, "role '" + std::string{name} + "' given twice");
    out.add(*r);
    if (comma == std::string_view::npos) return out;
    text = text.substr(comma + 1);
  }
}

std::string format_roles(role_set roles) {
  std::string out;
  for (auto r : roles.members()) {
    if (!out.empty()) out += ',';
    out += to_string(r);
  }
  return out;
}

}  // namespace datdot

// Typed rejections of the chain: every way a block, extrinsic, vote or
// justification from outside can be wrong. Callers count them by code; the
// detail is for logs. crypto/result.hpp's error has a closed set of codes, so
// the chain carries its own (see chain_result).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

#include "crypto/result.hpp"

namespace datdot {

enum class chain_errc : std::uint8_t {
  malformed,          // bytes do not decode canonically
  oversize,           // past a chain_limits bound
  bad_signature,      // extrinsic, seal, randomness or vote signature
  unknown_account,    // signer has no account
  wrong_nonce,        // nonce is not the account's next one (replay included)
  insufficient_ratio,
  invalid_call,       // well-formed but not allowed in this state
  unknown_parent,
  wrong_number,       // block number is not parent + 1
  slot_not_increasing,
  wrong_leader,
  bad_state_root,
  bad_extrinsics_root,
  wrong_chain,        // genesis hash or validator set id does not match
  not_a_voter,
  insufficient_votes,
  bad_config,
};

const char* to_string(chain_errc code) noexcept;

struct chain_error {
  chain_errc code;
  std::string detail;

  std::string describe() const { return std::string{to_string(code)} + ": " + detail; }
  // For callers that speak the project-wide error (actors, CLI).
  error to_error() const { return make_error(errc::verification_failed, describe()); }
};

inline chain_error chain_fail(chain_errc code, std::string detail) {
  return chain_error{code, std::move(detail)};
}

// A T or a chain_error. Same shape as result<T>, with a typed error.
template <class T>
class [[nodiscard]] chain_result {
 public:
  chain_result(T value) : state_(std::move(value)) {}
  chain_result(chain_error err) : state_(std::move(err)) {}

  bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const chain_error& err() const& { return std::get<1>(state_); }

 private:
  std::variant<T, chain_error> state_;
};

// Success without a value.
using chain_status = chain_result<std::monostate>;
inline chain_status chain_ok() { return std::monostate{}; }

}  // namespace datdot

#define DATDOT_CHAIN_TRY(var, expr)                \
  auto var##_result_ = (expr);                     \
  if (!var##_result_) return var##_result_.err();  \
  auto var = std::move(var##_result_).value()

#define DATDOT_CHAIN_CHECK(expr)                                      \
  do {                                                                \
    auto datdot_chain_check_ = (expr);                                \
    if (!datdot_chain_check_) return datdot_chain_check_.err();       \
  } while (0)

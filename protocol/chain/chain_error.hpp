// Typed rejections of the chain: every way a block, extrinsic, vote or
// justification from outside can be wrong. Callers count them by code; the
// detail is for logs. crypto/result.hpp's error has a closed set of codes, so
// the chain's results carry their own (chain_result = result<T, chain_error>).
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
  bad_proof,          // a storage proof that does not verify
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

// A T or a chain_error.
template <class T>
using chain_result = result<T, chain_error>;

// Success without a value.
using chain_status = chain_result<std::monostate>;
inline chain_status chain_ok() { return std::monostate{}; }

}  // namespace datdot

// The chain's spelling of DATDOT_TRY / DATDOT_CHECK (crypto/result.hpp).
#define DATDOT_CHAIN_TRY(var, expr) DATDOT_TRY(var, expr)
#define DATDOT_CHAIN_CHECK(expr) DATDOT_CHECK(expr)

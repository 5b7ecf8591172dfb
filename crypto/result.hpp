// Errors as values for the whole project: every operation that can fail on
// outside input returns result<T>. Pure layers (crypto, protocol) use no CAF;
// actors convert to caf::error at their boundary.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace datdot {

enum class errc {
  invalid_argument,  // a caller passed something malformed (bad hex, wrong size)
  out_of_range,      // an index or length past the end
  verification_failed,  // a hash, proof or signature does not match
  corrupt_data,      // stored or imported bytes are not what they claim to be
  io_error,          // the operating system refused (open, read, write, fsync)
  storage_error,     // LMDB reported an error
  not_found,         // asked for something that does not exist
  already_exists,    // refused to overwrite
};

const char* to_string(errc code) noexcept;

struct error {
  errc code;
  std::string message;

  std::string describe() const { return std::string{to_string(code)} + ": " + message; }
};

inline error make_error(errc code, std::string message) { return error{code, std::move(message)}; }

// A minimal std::expected stand-in (C++20 has none): holds a T or an error E.
// Layers with their own typed errors pick E (the chain: chain_result).
template <class T, class E = error>
class [[nodiscard]] result {
 public:
  result(T value) : state_(std::move(value)) {}
  result(E err) : state_(std::move(err)) {}

  bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& err() const& { return std::get<1>(state_); }

 private:
  std::variant<T, E> state_;
};

// result<void>: success carries nothing.
struct ok_t {};
inline constexpr ok_t ok{};

template <class E>
class [[nodiscard]] result<void, E> {
 public:
  result(ok_t = ok) {}
  result(E err) : err_(std::move(err)), failed_(true) {}
  bool has_value() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return has_value(); }
  const E& err() const& { return err_; }

 private:
  E err_{};
  bool failed_ = false;
};

}  // namespace datdot

// Propagates an error from an expression of type result<U> out of a function returning result<T>.
#define DATDOT_TRY(var, expr)                      \
  auto var##_result_ = (expr);                     \
  if (!var##_result_) return var##_result_.err();  \
  auto var = std::move(var##_result_).value()

#define DATDOT_CHECK(expr)                           \
  do {                                               \
    auto datdot_check_result_ = (expr);              \
    if (!datdot_check_result_) return datdot_check_result_.err(); \
  } while (0)

// Error values shared by every fwseal library. Libraries never print or exit:
// they return a Result, and only the command-line layer turns an Error into a
// line on stderr and an exit code.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace fwseal {

// The exit codes of docs/USAGE.md ("Exit codes"). The numeric values are the user contract.
enum class Code : int {
  ok = 0,
  internal = 1,    // a bug in fwseal
  usage = 2,       // bad arguments
  io = 3,          // cannot read or write a file
  malformed = 10,  // malformed package, manifest, spec or trust file
  digest = 11,     // content was changed
  signature = 12,  // a signature does not verify
  untrusted = 13,  // unknown/revoked key, disallowed algorithm, threshold not met
  rollback = 14,   // security version below the minimum
  hardware = 15,   // incompatible hardware
  gate = 16,       // a policy gate failed: a vulnerability at or above --fail-on, a stale advisory database
  decryption = 17, // not a recipient of an encrypted image, or a chunk that does not authenticate
  hsm = 20,        // HSM or PKCS#11 failure
  login = 21,      // HSM login failed
};

// Short stable name of a code ("malformed", "signature", ...), used in --json.
std::string_view code_name(Code code);
constexpr int exit_code(Code code) { return static_cast<int>(code); }

struct Error {
  Code code = Code::internal;
  std::string message;  // one line: what failed, where, and what to do
};

inline Error make_error(Code code, std::string message) { return Error{code, std::move(message)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

inline Status ok_status() { return Status{}; }

}  // namespace fwseal

#define FWSEAL_CONCAT_INNER_(a, b) a##b
#define FWSEAL_CONCAT_(a, b) FWSEAL_CONCAT_INNER_(a, b)

// FWSEAL_TRY(expr): return the error of a Status/Result expression.
#define FWSEAL_TRY(expr)                                     \
  do {                                                       \
    auto fwseal_try_r_ = (expr);                             \
    if (!fwseal_try_r_.ok()) return std::move(fwseal_try_r_).error(); \
  } while (false)

// FWSEAL_ASSIGN(lhs, expr): lhs = value of expr, or return its error.
#define FWSEAL_ASSIGN(lhs, expr) FWSEAL_ASSIGN_IMPL_(FWSEAL_CONCAT_(fwseal_r_, __LINE__), lhs, expr)
#define FWSEAL_ASSIGN_IMPL_(tmp, lhs, expr)       \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return std::move(tmp).error();   \
  lhs = std::move(tmp).value()

// Matchers for Status and Result<T>, so a test states the outcome it expects
// in one line:
//   EXPECT_THAT(read_manifest(bytes), IsError(Code::malformed, HasSubstr("R8:")));
//   ASSERT_THAT(write_file_atomic(path, data), IsOk());
// A failure prints the code by name and the whole message.
#pragma once

#include <gmock/gmock.h>

#include <ostream>
#include <string>

#include "fwseal/base/error.h"

namespace fwseal {
// gtest prints Codes by name in failures.
inline void PrintTo(Code code, std::ostream* os) { *os << code_name(code) << " (exit " << exit_code(code) << ")"; }
}  // namespace fwseal

namespace fwseal::test {

namespace detail {
inline const Error* error_of(const Status& s) { return s.ok() ? nullptr : &s.error(); }
inline const Error* error_of(const Error& e) { return &e; }
template <class T>
const Error* error_of(const Result<T>& r) {
  return r.ok() ? nullptr : &r.error();
}
}  // namespace detail

MATCHER(IsOk, "succeeds") {
  const Error* e = detail::error_of(arg);
  if (e) *result_listener << "failed with " << code_name(e->code) << ": " << e->message;
  return e == nullptr;
}

// Fails with `code` and a message that `message_matcher` accepts.
MATCHER_P2(IsError, code, message_matcher,
           std::string("fails with ") + std::string(code_name(code)) + " and a message that " +
               ::testing::DescribeMatcher<std::string>(message_matcher)) {
  const Error* e = detail::error_of(arg);
  if (!e) {
    *result_listener << "succeeded";
    return false;
  }
  *result_listener << "failed with " << code_name(e->code) << ": " << e->message;
  return e->code == code && ::testing::Matches(message_matcher)(e->message);
}

}  // namespace fwseal::test

#include "fwseal/format/rule.h"

#include <gtest/gtest.h>

namespace fwseal {
namespace {

TEST(Rule, PrefixesARuleFailureOnce) {
  const Error e = with_rule("R2", make_error(Code::malformed, "image/kernel: padding byte at offset 1842 is not zero"));
  EXPECT_EQ(e.message, "R2: image/kernel: padding byte at offset 1842 is not zero");
  EXPECT_EQ(e.code, Code::malformed);
  // The check nearest to the fault named the rule; a caller's default does not stack on it.
  EXPECT_EQ(with_rule("R14", with_rule("R12", make_error(Code::malformed, "x"))).message, "R12: x");
  EXPECT_EQ(with_rule("T4", make_error(Code::malformed, "T5: trust.keys[0]: y")).message, "T5: trust.keys[0]: y");
  for (Code code : {Code::digest, Code::signature, Code::untrusted, Code::rollback, Code::hardware})
    EXPECT_EQ(with_rule("R18", make_error(code, "z")).message, "R18: z");
}

TEST(Rule, LeavesErrorsThatBreakNoRuleAlone) {
  for (Code code : {Code::internal, Code::usage, Code::io, Code::hsm, Code::login, Code::gate}) {
    EXPECT_EQ(with_rule("R4", make_error(code, "pkg: read failed: EIO")).message, "pkg: read failed: EIO");
    EXPECT_EQ(replace_rule("R24", make_error(code, "pkg: read failed")).message, "pkg: read failed");
  }
}

TEST(Rule, WrapsResultsAndStatuses) {
  Result<int> bad = make_error(Code::malformed, "manifest.created: missing");
  EXPECT_EQ(with_rule("R11", std::move(bad)).error().message, "R11: manifest.created: missing");
  EXPECT_EQ(with_rule("R11", Result<int>(7)).value(), 7);
  EXPECT_EQ(with_rule("R2", Status(make_error(Code::malformed, "p"))).error().message, "R2: p");
  EXPECT_TRUE(with_rule("R2", ok_status()).ok());
}

TEST(Rule, ReplacesTheRuleOfASharedStep) {
  EXPECT_EQ(replace_rule("R24", make_error(Code::malformed, "R4: package ends at offset 1636")).message,
            "R24: package ends at offset 1636");
  EXPECT_EQ(replace_rule("R24", make_error(Code::malformed, "no rule yet")).message, "R24: no rule yet");
}

TEST(Rule, ReadsTheRuleAMessageStartsWith) {
  EXPECT_EQ(rule_of("R2: image/kernel: x"), "R2");
  EXPECT_EQ(rule_of("R25: x"), "R25");
  EXPECT_EQ(rule_of("T10: trust.keys: x"), "T10");
  EXPECT_EQ(without_rule("R22: ECDSA signature"), "ECDSA signature");
  for (const char* none : {"", "R", "R:", "R2", "R2:x", "R02: x", "Rx: x", "X2: x", "image R2: x", "r2: x", "R-1: x"}) {
    EXPECT_EQ(rule_of(none), "") << none;
    EXPECT_EQ(without_rule(none), none);
  }
}

TEST(Rule, PutsContextAfterTheRule) {
  EXPECT_EQ(with_context("trust.json", make_error(Code::malformed, "T5: trust.keys[1]: x")).message,
            "T5: trust.json: trust.keys[1]: x");
  EXPECT_EQ(with_context("cam.fwpkg", make_error(Code::io, "cannot read")).message, "cam.fwpkg: cannot read");
}

}  // namespace
}  // namespace fwseal

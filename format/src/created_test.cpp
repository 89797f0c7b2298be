#include "fwseal/format/created.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "fwseal/format/manifest.h"
#include "fwseal/testing/matchers.h"

namespace fwseal {
namespace {

using ::testing::HasSubstr;
using test::IsError;

TEST(Created, SourceDateEpochTakesR11sRange) {
  EXPECT_EQ(parse_source_date_epoch("0").value(), 0);
  EXPECT_EQ(parse_source_date_epoch("1790000000").value(), 1790000000);
  EXPECT_EQ(parse_source_date_epoch("2147483646").value(), kMaxCreated);
  for (const char* bad : {"2147483647", "99999999999", "-1", "+5", "1e9", " 5", "5 ", "0x10", ""})
    EXPECT_THAT(parse_source_date_epoch(bad),
                IsError(Code::usage, HasSubstr("R11: SOURCE_DATE_EPOCH \"")))
        << bad;
  EXPECT_THAT(parse_source_date_epoch("12\x1b"), IsError(Code::usage, HasSubstr("\"12\\x1b\"")));
}

TEST(Created, FileWinsThenEnvironmentThenZero) {
  ::unsetenv("SOURCE_DATE_EPOCH");
  EXPECT_EQ(resolve_created(std::nullopt, "spec.created").value(), 0);
  ::setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  EXPECT_EQ(resolve_created(std::nullopt, "spec.created").value(), 1700000000);
  EXPECT_EQ(resolve_created(5, "spec.created").value(), 5);
  ::setenv("SOURCE_DATE_EPOCH", "soon", 1);
  EXPECT_THAT(resolve_created(std::nullopt, "spec.created"), IsError(Code::usage, HasSubstr("SOURCE_DATE_EPOCH")));
  EXPECT_EQ(resolve_created(7, "spec.created").value(), 7);  // the file's value needs no environment
  ::setenv("SOURCE_DATE_EPOCH", "", 1);
  EXPECT_EQ(resolve_created(std::nullopt, "spec.created").value(), 0);
  ::unsetenv("SOURCE_DATE_EPOCH");
  EXPECT_THAT(resolve_created(kMaxCreated + 1, "release.created"),
              IsError(Code::malformed, HasSubstr("R11: release.created: 2147483647 is outside 0 to 2147483646")));
  EXPECT_THAT(resolve_created(-1, "spec.created"), IsError(Code::malformed, HasSubstr("spec.created")));
}

TEST(Created, ZeroIsShownAsNotRecordedNever1970) {
  EXPECT_EQ(describe_created(0), "not recorded (created 0: no time given by the spec or SOURCE_DATE_EPOCH)");
  EXPECT_EQ(describe_created(1790000000), "2026-09-21T14:13:20Z");
  EXPECT_EQ(describe_created(1), "1970-01-01T00:00:01Z");
}

}  // namespace
}  // namespace fwseal

#include "fwseal/base/time.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fwseal/testing/matchers.h"

namespace fwseal {
namespace {

using ::testing::HasSubstr;
using test::IsError;

TEST(Rfc3339, Formats) {
  EXPECT_EQ(rfc3339_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(rfc3339_utc(1790000000), "2026-09-21T14:13:20Z");
  EXPECT_EQ(rfc3339_utc(951782400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(rfc3339_utc(2147483647), "2038-01-19T03:14:07Z");
  EXPECT_EQ(rfc3339_utc(kMaxRfc3339Time), "9999-12-31T23:59:59Z");
  EXPECT_EQ(rfc3339_utc(-1), "-1");  // never a wrong date
  EXPECT_EQ(rfc3339_utc(kMaxRfc3339Time + 1), "253402300800");
}

TEST(Rfc3339, ParsesExactlyWhatItWrites) {
  for (std::int64_t t : {std::int64_t{0}, std::int64_t{951782400}, std::int64_t{1790000000}, kMaxRfc3339Time})
    EXPECT_EQ(parse_rfc3339_utc(rfc3339_utc(t), "t").value(), t) << t;
  for (const char* bad : {"2026-09-21 14:13:20Z", "2026-09-21T14:13:20+00:00", "2026-02-30T00:00:00Z",
                          "2026-13-01T00:00:00Z", "2026-09-21T24:00:00Z", "2026-09-21T23:60:00Z",
                          "1969-12-31T23:59:59Z", "2026-09-21T14:13:20.5Z", "2O26-09-21T14:13:20Z", ""})
    EXPECT_THAT(parse_rfc3339_utc(bad, "metadata.finishedOn"),
                IsError(Code::malformed, HasSubstr("metadata.finishedOn: expected a UTC time")))
        << bad;
}

TEST(Date, ParsesDays) {
  EXPECT_EQ(parse_date_utc("2026-01-01", "d").value(), 1767225600);
  EXPECT_EQ(parse_date_utc("2024-02-29", "d").value(), 1709164800);
  for (const char* bad : {"2023-02-29", "2026-1-01", "26-01-01", "2026-01-01T00:00:00Z", "tomorrow"})
    EXPECT_THAT(parse_date_utc(bad, "--launched"), IsError(Code::malformed, HasSubstr("--launched: expected a date")))
        << bad;
}

}  // namespace
}  // namespace fwseal

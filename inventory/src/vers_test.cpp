#include "fwseal/inventory/vers.h"

#include <gtest/gtest.h>

namespace fwseal::inventory {
namespace {

VersionRange parse_ok(const char* text) {
  auto r = VersionRange::parse(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : VersionRange::parse("vers:generic/*").value();
}

TEST(Vers, DebUpperBound) {
  auto r = parse_ok("vers:deb/<3.0.13-1~deb12u1");
  EXPECT_EQ(r.scheme(), Scheme::deb);
  EXPECT_TRUE(r.contains("3.0.11-1~deb12u2"));
  EXPECT_TRUE(r.contains("3.0.13-1~deb12u0"));
  EXPECT_FALSE(r.contains("3.0.13-1~deb12u1"));
  EXPECT_FALSE(r.contains("3.0.13-1"));
  EXPECT_FALSE(r.contains("1:1.0"));  // the epoch wins
}

TEST(Vers, GenericInterval) {
  auto r = parse_ok("vers:generic/>=1.36.0|<1.36.2");
  EXPECT_TRUE(r.contains("1.36.0"));
  EXPECT_TRUE(r.contains("1.36.1-r18"));
  EXPECT_TRUE(r.contains("1.36.1-r2"));
  EXPECT_FALSE(r.contains("1.36.2"));
  EXPECT_FALSE(r.contains("1.35.9"));
}

TEST(Vers, SortsAndCanonicalises) {
  auto r = parse_ok("vers:generic/<2.0|>=1.0|=0.5| != 1.5");
  EXPECT_EQ(r.to_string(), "vers:generic/0.5|>=1.0|!=1.5|<2.0");
  EXPECT_TRUE(r.contains("0.5"));
  EXPECT_FALSE(r.contains("0.6"));
  EXPECT_TRUE(r.contains("1.4"));
  EXPECT_FALSE(r.contains("1.5"));
  EXPECT_FALSE(r.contains("2.0"));
}

TEST(Vers, SeveralIntervalsAndOpenEnds) {
  auto r = parse_ok("vers:semver/<1.0.0|>=2.0.0|<2.1.0|>3.0.0");
  EXPECT_TRUE(r.contains("0.9.0"));
  EXPECT_FALSE(r.contains("1.5.0"));
  EXPECT_TRUE(r.contains("2.0.5"));
  EXPECT_FALSE(r.contains("3.0.0"));
  EXPECT_TRUE(r.contains("3.0.1"));
  EXPECT_TRUE(parse_ok("vers:deb/*").contains("0"));
  EXPECT_TRUE(parse_ok("vers:generic/!=1.0").contains("1.1"));
  EXPECT_FALSE(parse_ok("vers:generic/!=1.0").contains("1.0"));
}

TEST(Vers, PercentEncodedVersion) {
  auto r = parse_ok("vers:deb/<=1:2.0%2Bdfsg-1");
  EXPECT_TRUE(r.contains("1:2.0+dfsg-1"));
  EXPECT_FALSE(r.contains("1:2.0+dfsg-2"));
}

struct Bad {
  const char* text;
  const char* message;
};
class VersBad : public ::testing::TestWithParam<Bad> {};

TEST_P(VersBad, RefusedWithOneLine) {
  auto r = VersionRange::parse(GetParam().text);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::usage);
  EXPECT_EQ(r.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    All, VersBad,
    ::testing::Values(
        Bad{"deb/<1.0", "invalid version range \"deb/<1.0\": does not start with \"vers:\""},
        Bad{"vers:deb", "invalid version range \"vers:deb\": expected vers:SCHEME/CONSTRAINTS"},
        Bad{"vers:rpm/<1", "invalid version range \"vers:rpm/<1\": unknown versioning scheme \"rpm\" (known: deb, "
                           "opkg, semver, generic)"},
        Bad{"vers:deb/", "invalid version range \"vers:deb/\": no constraints after the scheme"},
        Bad{"vers:deb/<1.0|", "invalid version range \"vers:deb/<1.0|\": empty constraint"},
        Bad{"vers:deb/<abc", "invalid version range \"vers:deb/<abc\": \"abc\" is not a deb version: the upstream "
                             "version does not start with a digit"},
        Bad{"vers:semver/>=1.2", "invalid version range \"vers:semver/>=1.2\": \"1.2\" is not a semver version: "
                                 "expected MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]"},
        Bad{"vers:generic/>1|>2", "invalid version range \"vers:generic/>1|>2\": two lower bounds in a row (>1, >2)"},
        Bad{"vers:generic/<1|<=2", "invalid version range \"vers:generic/<1|<=2\": two upper bounds in a row (<1, "
                                   "<=2)"},
        Bad{"vers:generic/<1.0|>=1.0.0", "invalid version range \"vers:generic/<1.0|>=1.0.0\": version \"1.0.0\" "
                                         "appears twice"},
        Bad{"vers:generic/*|<1", "invalid version range \"vers:generic/*|<1\": '*' must be the only constraint"},
        Bad{"vers:generic/<1%zz", "invalid version range \"vers:generic/<1%zz\": bad %-escape in \"1%zz\""}));

}  // namespace
}  // namespace fwseal::inventory

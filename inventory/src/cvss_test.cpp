#include "fwseal/inventory/cvss.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "fwseal/testing/temp_dir.h"

namespace fwseal::inventory {
namespace {

// Worked examples of FIRST's "CVSS v3.1: Examples" document (vector and
// published base score).
TEST(Cvss, SpecificationExamples) {
  const std::pair<const char*, double> examples[] = {
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},  // CVE-2013-1937 phpMyAdmin XSS
      {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4},  // CVE-2013-0375 MySQL
      {"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1},  // CVE-2014-3566 POODLE
      {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9},  // CVE-2012-1516 VMware
      {"CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L", 4.2},  // CVE-2009-0783 Tomcat
      {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8},  // CVE-2012-0384 Cisco IOS
      {"CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8},  // CVE-2015-1098 Apple iWork
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5},  // CVE-2014-0160 Heartbleed
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},  // CVE-2014-6271 Shellshock
      {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N", 6.8},  // CVE-2008-1447 DNS
      {"CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8},  // CVE-2014-2005 Sophos
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 5.8},  // CVE-2010-0467 Joomla
      {"CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H", 8.2},  // CVE-2016-5729 Lenovo
      {"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0},
  };
  for (const auto& [vector, score] : examples) {
    auto c = parse_cvss3(vector);
    ASSERT_TRUE(c.ok()) << vector << ": " << c.error().message;
    EXPECT_DOUBLE_EQ(c->base_score, score) << vector;
    EXPECT_EQ(c->severity, severity_of(score)) << vector;
  }
}

// Every base vector there is (2,592 per version) against an independent
// implementation of the specification: Debian's ruby-cvss-suite, run by
// tests/tools/cvss_suite_scores.rb, as the version order is checked against
// dpkg. A difference in rounding (3.0's ceiling, 3.1's Roundup) or in a
// metric's weight shows here.
TEST(Cvss, EveryBaseVectorAgreesWithRubyCvssSuite) {
  test::TempDir tmp("fwseal-cvss");
  std::string vectors;
  for (const char* version : {"3.0", "3.1"})
    for (char av : std::string("NALP"))
      for (char ac : std::string("LH"))
        for (char pr : std::string("NLH"))
          for (char ui : std::string("NR"))
            for (char s : std::string("UC"))
              for (char c : std::string("HLN"))
                for (char i : std::string("HLN"))
                  for (char a : std::string("HLN"))
                    vectors += std::string("CVSS:") + version + "/AV:" + av + "/AC:" + ac + "/PR:" + pr + "/UI:" + ui +
                               "/S:" + s + "/C:" + c + "/I:" + i + "/A:" + a + "\n";
  const std::string in = tmp.write("vectors.txt", vectors), out = tmp / "scores.txt";
  const std::string command = "ruby " + std::string(FWSEAL_SOURCE_DIR) + "/tests/tools/cvss_suite_scores.rb < " + in +
                              " > " + out;
  ASSERT_EQ(std::system(command.c_str()), 0) << command << " (Debian packages ruby and ruby-cvss-suite)";
  std::ifstream scores(out);
  std::string line;
  int checked = 0, differ = 0;
  while (std::getline(scores, line)) {
    std::istringstream fields(line);
    std::string vector;
    double expected = -1;
    fields >> vector >> expected;
    auto c = parse_cvss3(vector);
    ASSERT_TRUE(c.ok()) << vector << ": " << c.error().message;
    if (std::abs(c->base_score - expected) > 1e-9 && ++differ <= 10)
      ADD_FAILURE() << vector << ": fwseal " << c->base_score << ", ruby-cvss-suite " << expected;
    ++checked;
  }
  EXPECT_EQ(checked, 2 * 2592);
  EXPECT_EQ(differ, 0);
}

TEST(Cvss, SeverityBands) {
  EXPECT_EQ(severity_of(0.0), Severity::none);
  EXPECT_EQ(severity_of(0.1), Severity::low);
  EXPECT_EQ(severity_of(3.9), Severity::low);
  EXPECT_EQ(severity_of(4.0), Severity::medium);
  EXPECT_EQ(severity_of(6.9), Severity::medium);
  EXPECT_EQ(severity_of(7.0), Severity::high);
  EXPECT_EQ(severity_of(8.9), Severity::high);
  EXPECT_EQ(severity_of(9.0), Severity::critical);
  EXPECT_EQ(parse_severity("high", "--fail-on").value(), Severity::high);
  auto bad = parse_severity("severe", "--fail-on");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "--fail-on: \"severe\" is not critical, high, medium or low");
}

TEST(Cvss, TemporalMetricsAreCheckedButNotScored) {
  auto c = parse_cvss3("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_DOUBLE_EQ(c->base_score, 9.8);
}

TEST(Cvss, BadVectorsNameTheMetric) {
  const std::pair<const char*, const char*> cases[] = {
      {"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "not a CVSS v3.0 or v3.1 vector"},
      {"CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P", "not a CVSS v3.0 or v3.1 vector"},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "base metric A is missing"},
      {"CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV:X is not a value of AV"},
      {"CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "metric AV given twice"},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:Q", "unknown metric \"ZZ\""},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", "metric \"\" is not NAME:VALUE"},
      {"CVSS:3.1/AV:NN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "metric \"AV:NN\" is not NAME:VALUE"},
  };
  for (const auto& [vector, why] : cases) {
    auto c = parse_cvss3(vector);
    ASSERT_FALSE(c.ok()) << vector;
    EXPECT_EQ(c.error().code, Code::malformed);
    EXPECT_NE(c.error().message.find(why), std::string::npos) << c.error().message;
  }
}

}  // namespace
}  // namespace fwseal::inventory

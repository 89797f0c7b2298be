#include "fwseal/inventory/lifecycle.h"

#include <gtest/gtest.h>

#include "fwseal/testing/temp_dir.h"

namespace fwseal::inventory {
namespace {

Date d(const char* s) { return parse_date(s, "t").value(); }

TEST(Lifecycle, DefaultPolicyStages) {
  auto launched = d("2020-03-01");
  auto disc = d("2024-06-30");
  EXPECT_EQ(stage_on(launched, disc, d("2020-02-29")), Stage::prelaunch);
  EXPECT_EQ(stage_on(launched, disc, d("2020-03-01")), Stage::active);
  EXPECT_EQ(stage_on(launched, disc, d("2022-02-28")), Stage::active);
  EXPECT_EQ(stage_on(launched, disc, d("2022-03-01")), Stage::fixes);
  EXPECT_EQ(stage_on(launched, disc, d("2024-06-30")), Stage::security_fixes);
  EXPECT_EQ(stage_on(launched, disc, d("2029-06-29")), Stage::security_fixes);
  EXPECT_EQ(stage_on(launched, disc, d("2029-06-30")), Stage::end_of_support);
  EXPECT_EQ(stage_on(launched, std::nullopt, d("2040-01-01")), Stage::fixes);
  EXPECT_EQ(stage_on(std::nullopt, std::nullopt, d("2040-01-01")), Stage::unknown);
  EXPECT_EQ(stage_on(d("2024-02-29"), std::nullopt, d("2026-02-28")), Stage::active);
  EXPECT_EQ(stage_on(d("2024-02-29"), std::nullopt, d("2026-03-01")), Stage::fixes);
}

TEST(Lifecycle, BadDates) {
  for (const char* bad : {"2024-02-30", "2024-13-01", "24-01-01", "2024/01/01", "yesterday", ""}) {
    auto r = parse_date(bad, "--on");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, Code::usage);
    EXPECT_EQ(r.error().message, std::string("--on: \"") + bad + "\" is not a date (YYYY-MM-DD)");
  }
  EXPECT_EQ(format_date(d("2024-02-29")), "2024-02-29");
}

TEST(Lifecycle, RecordsDates) {
  test::TempDir tmp("fwseal-lifecycle");
  auto db = open_inventory(tmp / "inv.db");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(set_lifecycle(**db, "gw", d("2020-01-01"), d("2023-01-01")).ok());
  auto rows = (*db)->query("SELECT launched, discontinued FROM products WHERE name = 'gw'");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0][0], "2020-01-01");
  EXPECT_EQ((*rows)[0][1], "2023-01-01");
  auto bad = set_lifecycle(**db, "gw", d("2020-01-01"), d("2019-01-01"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "gw: discontinued 2019-01-01 is before launched 2020-01-01");
}

}  // namespace
}  // namespace fwseal::inventory

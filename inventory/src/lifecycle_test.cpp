#include "fwseal/inventory/lifecycle.h"

#include <gtest/gtest.h>

#include "fwseal/inventory/store.h"
#include "test_inventory.h"

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

TEST(Lifecycle, BadFilesNameTheMember) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"policy": {"active_years": 101}})", "l.json.policy.active_years: "},
      {R"({"policy": {"severe_cvss": 10.5}})", "l.json.policy.severe_cvss: must be a CVSS score from 0.0 to 10.0"},
      {R"({"policy": {"severe_cvss": "high"}})", "l.json.policy.severe_cvss: must be a number"},
      {R"({"policy": {"grace_years": 1}})", "l.json.policy"},
      {R"({"products": [{"name": "gw"}]})", "l.json.products[0].launched"},
      {R"({"products": [{"name": "gw", "launched": "2020-02-30"}]})",
       "l.json.products[0].launched: \"2020-02-30\" is not a date (YYYY-MM-DD)"},
      {R"({"products": [{"name": "gw", "launched": "2020-01-01", "discontinued": "2019-01-01"}]})",
       "l.json.products[0].discontinued: 2019-01-01 is before launched 2020-01-01"},
      {R"({"products": [{"name": "gw", "launched": "2020-01-01"}, {"name": "gw", "launched": "2021-01-01"}]})",
       "l.json.products[1].name: \"gw\" is named twice"},
      {R"({"products": [{"name": "", "launched": "2020-01-01"}]})", "l.json.products[0].name: must be 1 to 256"},
  };
  for (const auto& [text, expected] : cases) {
    auto l = parse_lifecycle(text, "l.json");
    ASSERT_FALSE(l.ok()) << text;
    EXPECT_EQ(l.error().code, Code::malformed) << text;
    EXPECT_NE(l.error().message.find(expected), std::string::npos) << l.error().message;
  }
}

class LifecycleStore : public ::testing::TestWithParam<std::string> {};

TEST_P(LifecycleStore, RecordsDates) {
  TestInventory inventory(GetParam());
  auto db = open_inventory(inventory.spec());
  ASSERT_TRUE(db.ok()) << db.error().message;
  ASSERT_TRUE(set_lifecycle(**db, "gw", d("2020-01-01"), d("2023-01-01")).ok());
  auto rows = (*db)->query("SELECT launched, discontinued FROM products WHERE name = 'gw'");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0][0], "2020-01-01");
  EXPECT_EQ((*rows)[0][1], "2023-01-01");
  auto bad = set_lifecycle(**db, "gw", d("2020-01-01"), d("2019-01-01"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "gw: discontinued 2019-01-01 is before launched 2020-01-01");
}

TEST_P(LifecycleStore, AFileSetsThePolicyAndTheDatesInOneGo) {
  TestInventory inventory(GetParam());
  auto db = open_inventory(inventory.spec());
  ASSERT_TRUE(db.ok()) << db.error().message;
  auto before = load_policy(**db);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->active_years, 2);
  EXPECT_EQ(before->security_years_after_discontinuation, 5);
  EXPECT_EQ(before->severe_cvss, 7.0);
  auto l = parse_lifecycle(R"({
    // the vendor's policy for industrial lines
    "policy": {"active_years": 3, "security_years_after_discontinuation": 10, "severe_cvss": 9.0},
    "products": [{"name": "gw", "launched": "2020-01-01", "discontinued": "2023-06-01"},
                 {"name": "cam", "launched": "2024-02-29"}]})",
                           "lifecycle.json");
  ASSERT_TRUE(l.ok()) << l.error().message;
  ASSERT_TRUE(apply_lifecycle(**db, *l).ok());
  auto after = load_policy(**db);
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_EQ(after->active_years, 3);
  EXPECT_EQ(after->security_years_after_discontinuation, 10);
  EXPECT_EQ(after->severe_cvss, 9.0);
  // Ten years after discontinuation instead of five.
  EXPECT_EQ(stage_on(d("2020-01-01"), d("2023-06-01"), d("2030-01-01"), *after), Stage::security_fixes);
  EXPECT_EQ(stage_on(d("2020-01-01"), d("2023-06-01"), d("2030-01-01")), Stage::end_of_support);
  auto rows = (*db)->query("SELECT name, launched, discontinued FROM products ORDER BY name");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0][0], "cam");
  EXPECT_EQ((*rows)[0][2], std::nullopt);
  EXPECT_EQ((*rows)[1][2], "2023-06-01");
}

TEST_P(LifecycleStore, AStoredPolicyThatIsNotOneIsRefused) {
  TestInventory inventory(GetParam());
  auto db = open_inventory(inventory.spec());
  ASSERT_TRUE(db.ok()) << db.error().message;
  ASSERT_TRUE((*db)->query("INSERT INTO fwseal_inventory (key, value) VALUES ('policy.severe_cvss', 'high')").ok());
  auto p = load_policy(**db);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, Code::malformed);
  EXPECT_EQ(p.error().message, "inventory: stored policy.severe_cvss \"high\" is not a number");
}

INSTANTIATE_TEST_SUITE_P(Engines, LifecycleStore, kEngines, engine_name);

}  // namespace
}  // namespace fwseal::inventory

// Support stages: the support policy as data, and each release's stage on a date.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/inventory/store.h"

namespace fwseal::inventory {

using Date = std::chrono::year_month_day;

// Code::usage naming `where` unless `text` is a calendar date YYYY-MM-DD.
Result<Date> parse_date(std::string_view text, std::string_view where);
std::string format_date(Date d);
Date today_utc();

// The vendor policy by default: active improvement for 2 years after launch,
// fixes until discontinuation, then fixes for severe vulnerabilities (CVSS v3
// base score >= 7.0) for 5 years after it, then end of support.
struct SupportPolicy {
  int active_years = 2;
  int security_years_after_discontinuation = 5;
  double severe_cvss = 7.0;
};

enum class Stage { unknown, prelaunch, active, fixes, security_fixes, end_of_support };
// "unknown" (no launch date recorded), "pre-launch", "active", "fixes",
// "security-fixes" (CVSS >= policy.severe_cvss only), "end-of-support"
std::string_view stage_name(Stage s);

Stage stage_on(std::optional<Date> launched, std::optional<Date> discontinued, Date on,
               const SupportPolicy& policy = {});

// Records a product's launch and (optional) discontinuation dates. Code::usage
// if discontinued is before launched.
Status set_lifecycle(Connection& db, const std::string& product, Date launched, std::optional<Date> discontinued);

// The support policy the inventory holds: the default until a lifecycle file
// sets one. Code::malformed when the stored values are not a policy.
Result<SupportPolicy> load_policy(Connection& db);

// A lifecycle file (docs/INVENTORY.md):
//   {"policy": {"active_years": 2, "security_years_after_discontinuation": 5,
//               "severe_cvss": 7.0},
//    "products": [{"name": "gw", "launched": "2020-01-01",
//                  "discontinued": "2023-06-01"}]}
// Every member optional but each product's name and launched.
struct Lifecycle {
  struct Product {
    std::string name;
    Date launched;
    std::optional<Date> discontinued;
  };
  std::optional<SupportPolicy> policy;
  std::vector<Product> products;
};
// Code::malformed naming `where` and the member for anything else: unknown
// members, years outside 0-100, a CVSS threshold outside 0.0-10.0, a date
// that is not one, discontinued before launched, a product named twice.
Result<Lifecycle> parse_lifecycle(std::string_view text, std::string_view where);
// Records the file's policy and products in one transaction.
Status apply_lifecycle(Connection& db, const Lifecycle& lifecycle);

}  // namespace fwseal::inventory

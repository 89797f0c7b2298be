// Support stages: the support policy as data, and each release's stage on a date.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

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

}  // namespace fwseal::inventory

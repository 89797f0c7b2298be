#include "fwseal/inventory/lifecycle.h"

#include <cstdio>

namespace fwseal::inventory {
namespace {

Date plus_years(Date d, int years) {
  Date out = d + std::chrono::years{years};
  // Feb 29 plus a year that has none: the period ends as March 1 begins.
  if (!out.ok())
    out = Date{std::chrono::sys_days{Date{std::chrono::year_month_day_last{out.year(),
                                                                         std::chrono::month_day_last{out.month()}}}} +
               std::chrono::days{1}};
  return out;
}

}  // namespace

Result<Date> parse_date(std::string_view text, std::string_view where) {
  auto fail = [&] {
    return make_error(Code::usage, std::string(where) + ": \"" + std::string(text) + "\" is not a date (YYYY-MM-DD)");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return fail();
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (text[i] < '0' || text[i] > '9') return fail();
  auto num = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  Date d{std::chrono::year{num(0, 4)}, std::chrono::month{static_cast<unsigned>(num(5, 2))},
         std::chrono::day{static_cast<unsigned>(num(8, 2))}};
  if (!d.ok()) return fail();
  return d;
}

std::string format_date(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

Date today_utc() { return Date{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())}; }

std::string_view stage_name(Stage s) {
  switch (s) {
    case Stage::unknown: return "unknown";
    case Stage::prelaunch: return "pre-launch";
    case Stage::active: return "active";
    case Stage::fixes: return "fixes";
    case Stage::security_fixes: return "security-fixes";
    case Stage::end_of_support: return "end-of-support";
  }
  return "unknown";
}

Stage stage_on(std::optional<Date> launched, std::optional<Date> discontinued, Date on, const SupportPolicy& policy) {
  if (!launched) return Stage::unknown;
  if (on < *launched) return Stage::prelaunch;
  if (discontinued && on >= *discontinued)
    return on < plus_years(*discontinued, policy.security_years_after_discontinuation) ? Stage::security_fixes
                                                                                       : Stage::end_of_support;
  return on < plus_years(*launched, policy.active_years) ? Stage::active : Stage::fixes;
}

Status set_lifecycle(Connection& db, const std::string& product, Date launched, std::optional<Date> discontinued) {
  if (discontinued && *discontinued < launched)
    return make_error(Code::usage, product + ": discontinued " + format_date(*discontinued) + " is before launched " +
                                       format_date(launched));
  FWSEAL_TRY(db.begin_write());
  auto r = db.query("INSERT INTO products (name) VALUES (?) ON CONFLICT (name) DO NOTHING", {product});
  if (r.ok())
    r = db.query("UPDATE products SET launched = ?, discontinued = ? WHERE name = ?",
                 {format_date(launched), discontinued ? Cell(format_date(*discontinued)) : std::nullopt, product});
  if (!r.ok()) {
    db.rollback();
    return std::move(r).error();
  }
  return db.commit();
}

}  // namespace fwseal::inventory

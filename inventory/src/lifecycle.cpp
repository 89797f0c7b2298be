#include "fwseal/inventory/lifecycle.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "fwseal/base/text.h"
#include "fwseal/format/canonical_json.h"

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

namespace {

// The policy's keys in the fwseal_inventory table.
constexpr const char* kActiveYears = "policy.active_years";
constexpr const char* kSecurityYears = "policy.security_years_after_discontinuation";
constexpr const char* kSevereCvss = "policy.severe_cvss";
constexpr int kMaxYears = 100;

Status check_policy(const SupportPolicy& p, std::string_view where) {
  if (p.active_years < 0 || p.active_years > kMaxYears)
    return make_error(Code::malformed, std::string(where) + ".active_years: must be 0 to 100 years");
  if (p.security_years_after_discontinuation < 0 || p.security_years_after_discontinuation > kMaxYears)
    return make_error(Code::malformed,
                      std::string(where) + ".security_years_after_discontinuation: must be 0 to 100 years");
  if (!(p.severe_cvss >= 0.0 && p.severe_cvss <= 10.0))
    return make_error(Code::malformed, std::string(where) + ".severe_cvss: must be a CVSS score from 0.0 to 10.0");
  return ok_status();
}

std::string cvss_text(double score) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f", score);
  return buf;
}

}  // namespace

Result<SupportPolicy> load_policy(Connection& db) {
  SupportPolicy p;
  FWSEAL_ASSIGN(auto rows, db.query("SELECT key, value FROM fwseal_inventory WHERE key LIKE 'policy.%'"));
  for (const auto& row : rows) {
    const std::string key = row[0].value_or(""), value = row[1].value_or("");
    char* end = nullptr;
    if (key == kSevereCvss) {
      p.severe_cvss = std::strtod(value.c_str(), &end);
    } else {
      long years = std::strtol(value.c_str(), &end, 10);
      if (years < 0 || years > kMaxYears) end = nullptr;
      if (key == kActiveYears) p.active_years = static_cast<int>(years);
      else if (key == kSecurityYears) p.security_years_after_discontinuation = static_cast<int>(years);
    }
    if (!end || *end || value.empty())
      return make_error(Code::malformed, "inventory: stored " + key + " " + quote(value) + " is not a number");
  }
  FWSEAL_TRY(check_policy(p, "inventory: stored policy"));
  return p;
}

Result<Lifecycle> parse_lifecycle(std::string_view text, std::string_view where) {
  FWSEAL_ASSIGN(nlohmann::json j, parse_json_with_comments(text, where, JsonLimits{4u << 20, 8}));
  const std::string top(where);
  FWSEAL_TRY(check_members(j, {"policy", "products"}, top));
  Lifecycle out;
  if (has_member(j, "policy")) {
    const std::string at = member_path(top, "policy");
    const nlohmann::json& p = j["policy"];
    FWSEAL_TRY(check_members(p, {"active_years", "security_years_after_discontinuation", "severe_cvss"}, at));
    SupportPolicy policy;
    if (has_member(p, "active_years")) {
      FWSEAL_ASSIGN(auto years, get_uint(p, "active_years", at, kMaxYears));
      policy.active_years = static_cast<int>(years);
    }
    if (has_member(p, "security_years_after_discontinuation")) {
      FWSEAL_ASSIGN(auto years, get_uint(p, "security_years_after_discontinuation", at, kMaxYears));
      policy.security_years_after_discontinuation = static_cast<int>(years);
    }
    if (has_member(p, "severe_cvss")) {
      const auto& v = p["severe_cvss"];
      if (!v.is_number()) return make_error(Code::malformed, member_path(at, "severe_cvss") + ": must be a number");
      policy.severe_cvss = v.get<double>();
    }
    FWSEAL_TRY(check_policy(policy, at));
    out.policy = policy;
  }
  if (has_member(j, "products")) {
    FWSEAL_ASSIGN(const nlohmann::json* items, get_array(j, "products", top, 100000));
    std::set<std::string> seen;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const std::string at = index_path(member_path(top, "products"), i);
      const nlohmann::json& item = (*items)[i];
      FWSEAL_TRY(check_members(item, {"name", "launched", "discontinued"}, at));
      Lifecycle::Product product;
      FWSEAL_ASSIGN(product.name, get_string(item, "name", at));
      if (product.name.empty() || product.name.size() > 256 || !valid_utf8(product.name))
        return make_error(Code::malformed, member_path(at, "name") + ": must be 1 to 256 bytes of UTF-8");
      if (!seen.insert(product.name).second)
        return make_error(Code::malformed, member_path(at, "name") + ": " + quote(product.name) + " is named twice");
      auto date = [&](const char* key) -> Result<Date> {
        FWSEAL_ASSIGN(std::string t, get_string(item, key, at));
        auto d = parse_date(t, member_path(at, key));
        if (!d.ok()) return make_error(Code::malformed, d.error().message);
        return *d;
      };
      FWSEAL_ASSIGN(product.launched, date("launched"));
      if (has_member(item, "discontinued")) {
        FWSEAL_ASSIGN(Date d, date("discontinued"));
        if (d < product.launched)
          return make_error(Code::malformed, member_path(at, "discontinued") + ": " + format_date(d) +
                                                 " is before launched " + format_date(product.launched));
        product.discontinued = d;
      }
      out.products.push_back(std::move(product));
    }
  }
  return out;
}

Status apply_lifecycle(Connection& db, const Lifecycle& l) {
  FWSEAL_TRY(db.begin_write());
  auto run = [&]() -> Status {
    if (l.policy) {
      const std::pair<const char*, std::string> values[] = {
          {kActiveYears, std::to_string(l.policy->active_years)},
          {kSecurityYears, std::to_string(l.policy->security_years_after_discontinuation)},
          {kSevereCvss, cvss_text(l.policy->severe_cvss)}};
      for (const auto& [key, value] : values)
        FWSEAL_TRY(db.query("INSERT INTO fwseal_inventory (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                            "value = excluded.value",
                            {std::string(key), value}));
    }
    for (const auto& p : l.products) {
      FWSEAL_TRY(db.query("INSERT INTO products (name) VALUES (?) ON CONFLICT (name) DO NOTHING", {p.name}));
      FWSEAL_TRY(db.query("UPDATE products SET launched = ?, discontinued = ? WHERE name = ?",
                          {format_date(p.launched), p.discontinued ? Cell(format_date(*p.discontinued)) : std::nullopt,
                           p.name}));
    }
    return ok_status();
  };
  if (auto s = run(); !s.ok()) {
    db.rollback();
    return s;
  }
  return db.commit();
}

}  // namespace fwseal::inventory

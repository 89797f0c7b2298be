#include "fwseal/base/time.h"

#include <chrono>
#include <cstdio>

namespace fwseal {

std::string now_rfc3339_utc() {
  return rfc3339_utc(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}


namespace {

struct Civil {
  std::int64_t year;
  unsigned month, day;
};

// Days since 1970-01-01 to a proleptic Gregorian date and back (the classic
// era/day-of-era arithmetic): pure integer work, no time zone or locale.
Civil civil_from_days(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const auto day = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  const auto month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = m > 2 ? m - 3 : m + 9;
  const std::int64_t doy = (153 * mp + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// Digits at text[at, at+n) as a number; -1 if any is not a digit.
int digits(std::string_view text, std::size_t at, std::size_t n) {
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

// The date part YYYY-MM-DD at the start of `text` (at least 10 characters),
// as days since 1970, or -1.
std::int64_t date_days(std::string_view text) {
  if (text[4] != '-' || text[7] != '-') return -1;
  const int y = digits(text, 0, 4), m = digits(text, 5, 2), d = digits(text, 8, 2);
  if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31) return -1;
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  const Civil back = civil_from_days(days);  // 2026-02-30 comes back as March
  if (back.month != static_cast<unsigned>(m) || back.day != static_cast<unsigned>(d)) return -1;
  return days;
}

}  // namespace

std::string rfc3339_utc(std::int64_t seconds) {
  if (seconds < 0 || seconds > kMaxRfc3339Time) return std::to_string(seconds);
  const Civil c = civil_from_days(seconds / 86400);
  const std::int64_t rem = seconds % 86400;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(c.year), c.month,
                c.day, static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                static_cast<long long>(rem % 60));
  return buf;
}

Result<std::int64_t> parse_rfc3339_utc(std::string_view text, std::string_view where) {
  auto fail = [&] {
    return make_error(Code::malformed, std::string(where) + ": expected a UTC time like 2026-01-31T23:59:59Z");
  };
  if (text.size() != 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != 'Z') return fail();
  const std::int64_t days = date_days(text);
  const int h = digits(text, 11, 2), m = digits(text, 14, 2), s = digits(text, 17, 2);
  if (days < 0 || h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59) return fail();
  return days * 86400 + h * 3600 + m * 60 + s;
}

Result<std::int64_t> parse_date_utc(std::string_view text, std::string_view where) {
  const std::int64_t days = text.size() == 10 ? date_days(text) : -1;
  if (days < 0) return make_error(Code::malformed, std::string(where) + ": expected a date like 2026-01-31");
  return days * 86400;
}

}  // namespace fwseal

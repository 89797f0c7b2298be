// UTC times as RFC 3339 text ("2026-01-31T23:59:59Z"), the one form fwseal
// writes and reads: no time zones, no fractions, no locale.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fwseal/base/error.h"

namespace fwseal {

// The last second RFC 3339 text with a four-digit year can name.
inline constexpr std::int64_t kMaxRfc3339Time = 253402300799;  // 9999-12-31T23:59:59Z

// Seconds since 1970 as YYYY-MM-DDTHH:MM:SSZ. Outside 0..kMaxRfc3339Time the
// decimal number of seconds is returned instead (never a wrong date).
std::string rfc3339_utc(std::int64_t seconds);

// The current time, as rfc3339_utc writes it: when a record was made.
std::string now_rfc3339_utc();

// YYYY-MM-DDTHH:MM:SSZ exactly (the form rfc3339_utc writes), within
// 0..kMaxRfc3339Time. Code::malformed naming `where` otherwise; impossible
// dates (2026-02-30) are refused, not normalised.
Result<std::int64_t> parse_rfc3339_utc(std::string_view text, std::string_view where);

// YYYY-MM-DD as the first second of that day, UTC; same rules.
Result<std::int64_t> parse_date_utc(std::string_view text, std::string_view where);

}  // namespace fwseal

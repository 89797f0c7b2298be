// CVSS v3.0 and v3.1 base scores, computed from the vector with the
// specification's formulas (never copied from an advisory).
#pragma once

#include <string>
#include <string_view>

#include "fwseal/base/error.h"

namespace fwseal::inventory {

enum class Severity { none, low, medium, high, critical };
// "none", "low", "medium", "high", "critical"
std::string_view severity_name(Severity s);
// The CVSS v3 qualitative rating of a base score: 0.0 none, 0.1-3.9 low,
// 4.0-6.9 medium, 7.0-8.9 high, 9.0-10.0 critical.
Severity severity_of(double score);
// "critical" -> Severity::critical...; Code::usage naming `where` otherwise.
Result<Severity> parse_severity(std::string_view text, std::string_view where);

struct Cvss3 {
  std::string vector;   // as given
  std::string version;  // "3.0" or "3.1"
  double base_score = 0;
  Severity severity = Severity::none;
};

// Parses "CVSS:3.x/AV:_/AC:_/PR:_/UI:_/S:_/C:_/I:_/A:_" (every base metric
// exactly once, in any order; temporal and environmental metrics allowed and
// checked, but not part of the base score) and computes the base score with
// the version's rounding (3.1: the specification's Roundup over integers;
// 3.0: the ceiling to one decimal). Code::malformed naming the metric
// otherwise.
Result<Cvss3> parse_cvss3(std::string_view vector);

}  // namespace fwseal::inventory

#include "fwseal/inventory/cvss.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>

#include "fwseal/base/text.h"

namespace fwseal::inventory {
namespace {

struct Metric {
  std::string_view name;
  std::string_view values;  // the letters allowed, e.g. "NALP"
  bool base;
};

// CVSS v3.1 specification, section 7 (the same names and values in 3.0).
constexpr std::array<Metric, 22> kMetrics = {{
    {"AV", "NALP", true},  {"AC", "LH", true},    {"PR", "NLH", true},   {"UI", "NR", true},
    {"S", "UC", true},     {"C", "HLN", true},    {"I", "HLN", true},    {"A", "HLN", true},
    {"E", "XUPFH", false}, {"RL", "XOTWU", false}, {"RC", "XURC", false}, {"CR", "XLMH", false},
    {"IR", "XLMH", false}, {"AR", "XLMH", false}, {"MAV", "XNALP", false}, {"MAC", "XLH", false},
    {"MPR", "XNLH", false}, {"MUI", "XNR", false}, {"MS", "XUC", false},  {"MC", "XNLH", false},
    {"MI", "XNLH", false}, {"MA", "XNLH", false},
}};

// CVSS v3.1 Appendix A: rounding up to one decimal on integers, so that
// 4.000000000001 is not 4.1 because of floating point.
double roundup_31(double value) {
  auto integer = static_cast<std::int64_t>(std::llround(value * 100000.0));
  if (integer % 10000 == 0) return static_cast<double>(integer) / 100000.0;
  return (std::floor(static_cast<double>(integer) / 10000.0) + 1.0) / 10.0;
}

// CVSS v3.0 section 8.1: "the smallest number, specified to one decimal
// place, that is equal to or higher than its input".
double roundup_30(double value) { return std::ceil(value * 10.0) / 10.0; }

}  // namespace

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::none: return "none";
    case Severity::low: return "low";
    case Severity::medium: return "medium";
    case Severity::high: return "high";
    case Severity::critical: return "critical";
  }
  return "none";
}

Severity severity_of(double score) {
  if (score >= 9.0) return Severity::critical;
  if (score >= 7.0) return Severity::high;
  if (score >= 4.0) return Severity::medium;
  if (score >= 0.1) return Severity::low;
  return Severity::none;
}

Result<Severity> parse_severity(std::string_view text, std::string_view where) {
  for (Severity s : {Severity::low, Severity::medium, Severity::high, Severity::critical})
    if (text == severity_name(s)) return s;
  return make_error(Code::usage, std::string(where) + ": " + quote(text) + " is not critical, high, medium or low");
}

Result<Cvss3> parse_cvss3(std::string_view vector) {
  auto bad = [&](const std::string& why) {
    return make_error(Code::malformed, "CVSS vector " + quote(vector, 120) + ": " + why);
  };
  Cvss3 out;
  out.vector = std::string(vector);
  if (vector.starts_with("CVSS:3.1/")) out.version = "3.1";
  else if (vector.starts_with("CVSS:3.0/")) out.version = "3.0";
  else return bad("not a CVSS v3.0 or v3.1 vector (it must start with CVSS:3.0/ or CVSS:3.1/)");
  std::map<std::string_view, char> values;
  std::string_view rest = vector.substr(9);
  while (true) {
    auto slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    auto colon = part.find(':');
    if (colon == std::string_view::npos || colon + 2 != part.size())
      return bad("metric " + quote(part) + " is not NAME:VALUE");
    std::string_view name = part.substr(0, colon);
    char value = part[colon + 1];
    auto metric = std::find_if(kMetrics.begin(), kMetrics.end(), [&](const Metric& m) { return m.name == name; });
    if (metric == kMetrics.end()) return bad("unknown metric " + quote(name));
    if (metric->values.find(value) == std::string_view::npos)
      return bad(std::string(name) + ":" + value + " is not a value of " + std::string(name));
    if (!values.emplace(name, value).second) return bad("metric " + std::string(name) + " given twice");
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  for (const Metric& m : kMetrics)
    if (m.base && !values.count(m.name)) return bad("base metric " + std::string(m.name) + " is missing");

  const bool changed = values["S"] == 'C';
  auto cia = [&](std::string_view name) {
    switch (values[name]) {
      case 'H': return 0.56;
      case 'L': return 0.22;
      default: return 0.0;
    }
  };
  const double av = std::map<char, double>{{'N', 0.85}, {'A', 0.62}, {'L', 0.55}, {'P', 0.2}}[values["AV"]];
  const double ac = values["AC"] == 'L' ? 0.77 : 0.44;
  const double pr = values["PR"] == 'N'   ? 0.85
                    : values["PR"] == 'L' ? (changed ? 0.68 : 0.62)
                                          : (changed ? 0.5 : 0.27);
  const double ui = values["UI"] == 'N' ? 0.85 : 0.62;
  const double iss = 1.0 - (1.0 - cia("C")) * (1.0 - cia("I")) * (1.0 - cia("A"));
  const double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15) : 6.42 * iss;
  const double exploitability = 8.22 * av * ac * pr * ui;
  auto roundup = out.version == "3.1" ? roundup_31 : roundup_30;
  if (impact <= 0) out.base_score = 0;
  else if (changed) out.base_score = roundup(std::min(1.08 * (impact + exploitability), 10.0));
  else out.base_score = roundup(std::min(impact + exploitability, 10.0));
  out.severity = severity_of(out.base_score);
  return out;
}

}  // namespace fwseal::inventory

#include "fwseal/inventory/vers.h"

#include <algorithm>

namespace fwseal::inventory {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool percent_decode(std::string_view s, std::string& out) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size() || hex_value(s[i + 1]) < 0 || hex_value(s[i + 2]) < 0) return false;
    out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
    i += 2;
  }
  return true;
}

std::string_view comparator_text(Comparator c) {
  switch (c) {
    case Comparator::eq: return "";
    case Comparator::ne: return "!=";
    case Comparator::lt: return "<";
    case Comparator::le: return "<=";
    case Comparator::gt: return ">";
    case Comparator::ge: return ">=";
    case Comparator::any: return "*";
  }
  return "";
}

bool lower_bound(Comparator c) { return c == Comparator::gt || c == Comparator::ge; }
bool upper_bound(Comparator c) { return c == Comparator::lt || c == Comparator::le; }

}  // namespace

Result<VersionRange> VersionRange::parse(std::string_view text) {
  auto fail = [&](const std::string& why) {
    return make_error(Code::usage, "invalid version range \"" + std::string(text) + "\": " + why);
  };
  if (!text.starts_with("vers:")) return fail("does not start with \"vers:\"");
  std::string_view rest = text.substr(5);
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) return fail("expected vers:SCHEME/CONSTRAINTS");
  auto scheme = scheme_from_name(rest.substr(0, slash));
  if (!scheme)
    return fail("unknown versioning scheme \"" + std::string(rest.substr(0, slash)) +
                "\" (known: deb, opkg, semver, generic)");
  rest.remove_prefix(slash + 1);
  VersionRange range;
  range.scheme_ = *scheme;
  std::string spaceless;
  for (char c : rest)
    if (c != ' ' && c != '\t') spaceless.push_back(c);
  if (spaceless.empty()) return fail("no constraints after the scheme");
  if (spaceless == "*") {
    range.constraints_.push_back({Comparator::any, ""});
    return range;
  }
  std::string_view list = spaceless;
  while (true) {
    auto bar = list.find('|');
    std::string_view item = list.substr(0, bar);
    Constraint c;
    if (item.starts_with("*")) return fail("'*' must be the only constraint");
    if (item.starts_with("!=")) c.comparator = Comparator::ne, item.remove_prefix(2);
    else if (item.starts_with("<=")) c.comparator = Comparator::le, item.remove_prefix(2);
    else if (item.starts_with(">=")) c.comparator = Comparator::ge, item.remove_prefix(2);
    else if (item.starts_with("<")) c.comparator = Comparator::lt, item.remove_prefix(1);
    else if (item.starts_with(">")) c.comparator = Comparator::gt, item.remove_prefix(1);
    else if (item.starts_with("=")) c.comparator = Comparator::eq, item.remove_prefix(1);
    if (item.empty()) return fail("empty constraint");
    if (!percent_decode(item, c.version)) return fail("bad %-escape in \"" + std::string(item) + "\"");
    FWSEAL_TRY(check_version(range.scheme_, c.version, "invalid version range \"" + std::string(text) + "\""));
    range.constraints_.push_back(std::move(c));
    if (bar == std::string_view::npos) break;
    list.remove_prefix(bar + 1);
  }
  auto& cs = range.constraints_;
  std::stable_sort(cs.begin(), cs.end(), [&](const Constraint& a, const Constraint& b) {
    return compare_versions(range.scheme_, a.version, b.version) < 0;
  });
  for (std::size_t i = 1; i < cs.size(); ++i)
    if (compare_versions(range.scheme_, cs[i - 1].version, cs[i].version) == 0)
      return fail("version \"" + cs[i].version + "\" appears twice");
  // Bounds (ignoring = and !=) must alternate: a lower bound is followed by an
  // upper one, an upper bound by a lower one.
  const Constraint* previous = nullptr;
  for (const auto& c : cs) {
    if (c.comparator == Comparator::eq || c.comparator == Comparator::ne) continue;
    if (previous && lower_bound(previous->comparator) && lower_bound(c.comparator))
      return fail("two lower bounds in a row (" + std::string(comparator_text(previous->comparator)) +
                  previous->version + ", " + std::string(comparator_text(c.comparator)) + c.version + ")");
    if (previous && upper_bound(previous->comparator) && upper_bound(c.comparator))
      return fail("two upper bounds in a row (" + std::string(comparator_text(previous->comparator)) +
                  previous->version + ", " + std::string(comparator_text(c.comparator)) + c.version + ")");
    previous = &c;
  }
  return range;
}

bool VersionRange::contains(std::string_view version) const {
  if (constraints_.size() == 1 && constraints_[0].comparator == Comparator::any) return true;
  std::vector<const Constraint*> bounds;
  bool only_ne = true;
  for (const auto& c : constraints_) {
    int d = compare_versions(scheme_, version, c.version);
    if (d == 0) {
      if (c.comparator == Comparator::ne) return false;
      if (c.comparator == Comparator::eq || c.comparator == Comparator::le || c.comparator == Comparator::ge)
        return true;
    }
    if (c.comparator != Comparator::ne) only_ne = false;
    if (c.comparator != Comparator::eq && c.comparator != Comparator::ne) bounds.push_back(&c);
  }
  // Only "!=" constraints: everything else is in.
  if (only_ne) return true;
  if (bounds.empty()) return false;
  auto below = [&](const Constraint* c) { return compare_versions(scheme_, version, c->version) < 0; };
  auto above = [&](const Constraint* c) { return compare_versions(scheme_, version, c->version) > 0; };
  if (upper_bound(bounds.front()->comparator) && below(bounds.front())) return true;
  if (lower_bound(bounds.back()->comparator) && above(bounds.back())) return true;
  for (std::size_t i = 0; i + 1 < bounds.size(); ++i)
    if (lower_bound(bounds[i]->comparator) && upper_bound(bounds[i + 1]->comparator) && above(bounds[i]) &&
        below(bounds[i + 1]))
      return true;
  return false;
}

std::string VersionRange::to_string() const {
  std::string out = "vers:" + std::string(scheme_name(scheme_)) + "/";
  for (std::size_t i = 0; i < constraints_.size(); ++i) {
    if (i) out += '|';
    out += comparator_text(constraints_[i].comparator);
    out += constraints_[i].version;
  }
  return out;
}

}  // namespace fwseal::inventory

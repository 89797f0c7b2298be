#include "fwseal/inventory/version.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace fwseal::inventory {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
int sign(int v) { return (v > 0) - (v < 0); }

// Two runs of digits of any length, compared as numbers.
int compare_digits(std::string_view a, std::string_view b) {
  while (!a.empty() && a.front() == '0') a.remove_prefix(1);
  while (!b.empty() && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return sign(a.compare(b));
}

// dpkg's weight of one character of the non-digit part: '~' before the end of
// the string, the end before letters, letters before everything else.
int deb_order(std::string_view s, std::size_t i) {
  if (i >= s.size()) return 0;
  char c = s[i];
  if (is_digit(c)) return 0;
  if (is_alpha(c)) return static_cast<unsigned char>(c);
  if (c == '~') return -1;
  return static_cast<unsigned char>(c) + 256;
}

int deb_part_compare(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    while ((i < a.size() && !is_digit(a[i])) || (j < b.size() && !is_digit(b[j]))) {
      int ac = deb_order(a, i), bc = deb_order(b, j);
      if (ac != bc) return sign(ac - bc);
      ++i;
      ++j;
    }
    std::size_t i0 = i, j0 = j;
    while (i < a.size() && is_digit(a[i])) ++i;
    while (j < b.size() && is_digit(b[j])) ++j;
    if (int d = compare_digits(a.substr(i0, i - i0), b.substr(j0, j - j0)); d != 0) return d;
  }
  return 0;
}

struct DebParts {
  std::string_view epoch, upstream, revision;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

DebParts split_deb(std::string_view v) {
  DebParts p;
  v = trim(v);
  if (auto colon = v.find(':'); colon != std::string_view::npos) {
    p.epoch = v.substr(0, colon);
    v.remove_prefix(colon + 1);
  }
  if (auto dash = v.rfind('-'); dash != std::string_view::npos) {
    p.revision = v.substr(dash + 1);
    v = v.substr(0, dash);
  }
  p.upstream = v;
  return p;
}

// Generic order: a version is a list of tokens.
enum class Kind { pre = 0, end = 1, alpha = 2, number = 3 };
struct Token {
  Kind kind;
  std::string_view text;
};

int pre_rank(std::string_view word) {
  static constexpr std::array<std::string_view, 5> kWords = {"dev", "alpha", "beta", "pre", "rc"};
  std::string lowered(word);
  for (char& c : lowered)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  auto it = std::find(kWords.begin(), kWords.end(), lowered);
  return it == kWords.end() ? -1 : static_cast<int>(it - kWords.begin());
}

std::vector<Token> tokens(std::string_view v) {
  std::vector<Token> out;
  bool after_tilde = false;
  std::size_t i = 0;
  while (i < v.size()) {
    char c = v[i];
    if (is_digit(c) || is_alpha(c)) {
      bool digit = is_digit(c);
      std::size_t start = i;
      while (i < v.size() && (digit ? is_digit(v[i]) : is_alpha(v[i]))) ++i;
      std::string_view text = v.substr(start, i - start);
      Kind kind = digit ? Kind::number : Kind::alpha;
      if (after_tilde || (!digit && pre_rank(text) >= 0)) kind = Kind::pre;
      out.push_back({kind, text});
      after_tilde = false;
      continue;
    }
    if (c == '~') after_tilde = true;
    ++i;
  }
  return out;
}

int compare_token(const Token& a, const Token& b) {
  if (a.kind != b.kind) return a.kind < b.kind ? -1 : 1;
  switch (a.kind) {
    case Kind::number:
      return compare_digits(a.text, b.text);
    case Kind::pre: {
      int ra = pre_rank(a.text), rb = pre_rank(b.text);
      if (ra != rb) return ra < rb ? -1 : 1;
      if (is_digit(a.text.front()) && is_digit(b.text.front())) return compare_digits(a.text, b.text);
      return sign(a.text.compare(b.text));
    }
    case Kind::alpha:
      return sign(a.text.compare(b.text));
    case Kind::end:
      return 0;
  }
  return 0;
}

struct Semver {
  std::string_view major, minor, patch;
  std::vector<std::string_view> pre;
};

bool numeric_identifier(std::string_view s) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), is_digit)) return false;
  return s.size() == 1 || s.front() != '0';
}

bool semver_identifier(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_digit(c) || is_alpha(c) || c == '-'; });
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    auto at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

std::optional<Semver> parse_semver(std::string_view v) {
  if (auto plus = v.find('+'); plus != std::string_view::npos) {
    for (auto id : split(v.substr(plus + 1), '.'))
      if (!semver_identifier(id)) return std::nullopt;
    v = v.substr(0, plus);
  }
  Semver s;
  if (auto dash = v.find('-'); dash != std::string_view::npos) {
    s.pre = split(v.substr(dash + 1), '.');
    for (auto id : s.pre) {
      if (!semver_identifier(id)) return std::nullopt;
      if (std::all_of(id.begin(), id.end(), is_digit) && !numeric_identifier(id)) return std::nullopt;
    }
    v = v.substr(0, dash);
  }
  auto core = split(v, '.');
  if (core.size() != 3) return std::nullopt;
  for (auto n : core)
    if (!numeric_identifier(n)) return std::nullopt;
  s.major = core[0];
  s.minor = core[1];
  s.patch = core[2];
  return s;
}

bool deb_upstream_char(char c) { return is_digit(c) || is_alpha(c) || c == '.' || c == '+' || c == '~' || c == '-' || c == ':'; }
bool deb_revision_char(char c) { return is_digit(c) || is_alpha(c) || c == '.' || c == '+' || c == '~'; }

}  // namespace

std::optional<Scheme> scheme_from_name(std::string_view name) {
  if (name == "deb") return Scheme::deb;
  if (name == "opkg") return Scheme::opkg;
  if (name == "semver") return Scheme::semver;
  if (name == "generic") return Scheme::generic;
  return std::nullopt;
}

std::string_view scheme_name(Scheme scheme) {
  switch (scheme) {
    case Scheme::deb: return "deb";
    case Scheme::opkg: return "opkg";
    case Scheme::semver: return "semver";
    case Scheme::generic: return "generic";
  }
  return "generic";
}

Scheme scheme_for_purl_type(std::string_view type) {
  if (type == "deb") return Scheme::deb;
  if (type == "opkg" || type == "ipk") return Scheme::opkg;
  if (type == "npm" || type == "cargo" || type == "golang") return Scheme::semver;
  return Scheme::generic;
}

Status check_version(Scheme scheme, std::string_view version, std::string_view where) {
  auto fail = [&](const std::string& why) {
    return make_error(Code::usage, std::string(where) + ": \"" + std::string(version) + "\" is not a " +
                                       std::string(scheme_name(scheme)) + " version: " + why);
  };
  if (version.empty()) return fail("empty");
  for (char c : version)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return fail("holds a space or control character");
  switch (scheme) {
    case Scheme::deb:
    case Scheme::opkg: {
      DebParts p = split_deb(version);
      if (version.find(':') != std::string_view::npos) {
        if (p.epoch.empty() || !std::all_of(p.epoch.begin(), p.epoch.end(), is_digit))
          return fail("the epoch before ':' is not a number");
        if (p.epoch.size() > 9) return fail("the epoch is too big");
      }
      if (version.find('-') != std::string_view::npos && p.revision.empty()) return fail("empty revision after '-'");
      if (p.upstream.empty()) return fail("empty upstream version");
      if (!is_digit(p.upstream.front())) return fail("the upstream version does not start with a digit");
      if (!std::all_of(p.upstream.begin(), p.upstream.end(), deb_upstream_char))
        return fail("invalid character in the upstream version");
      if (!std::all_of(p.revision.begin(), p.revision.end(), deb_revision_char))
        return fail("invalid character in the revision");
      return ok_status();
    }
    case Scheme::semver:
      if (!parse_semver(version)) return fail("expected MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]");
      return ok_status();
    case Scheme::generic:
      return ok_status();
  }
  return ok_status();
}

int compare_deb(std::string_view a, std::string_view b) {
  DebParts pa = split_deb(a), pb = split_deb(b);
  if (int d = compare_digits(pa.epoch, pb.epoch); d != 0) return d;
  if (int d = deb_part_compare(pa.upstream, pb.upstream); d != 0) return d;
  return deb_part_compare(pa.revision, pb.revision);
}

int compare_semver(std::string_view a, std::string_view b) {
  auto sa = parse_semver(a), sb = parse_semver(b);
  if (!sa || !sb) return compare_generic(a, b);
  for (auto [x, y] : {std::pair{sa->major, sb->major}, {sa->minor, sb->minor}, {sa->patch, sb->patch}})
    if (int d = compare_digits(x, y); d != 0) return d;
  if (sa->pre.empty() != sb->pre.empty()) return sa->pre.empty() ? 1 : -1;
  for (std::size_t i = 0; i < std::min(sa->pre.size(), sb->pre.size()); ++i) {
    std::string_view x = sa->pre[i], y = sb->pre[i];
    bool nx = std::all_of(x.begin(), x.end(), is_digit), ny = std::all_of(y.begin(), y.end(), is_digit);
    if (nx != ny) return nx ? -1 : 1;
    int d = nx ? compare_digits(x, y) : sign(x.compare(y));
    if (d != 0) return d;
  }
  if (sa->pre.size() != sb->pre.size()) return sa->pre.size() < sb->pre.size() ? -1 : 1;
  return 0;
}

int compare_generic(std::string_view a, std::string_view b) {
  auto ta = tokens(a), tb = tokens(b);
  const Token end{Kind::end, {}};
  for (std::size_t i = 0; i < std::max(ta.size(), tb.size()); ++i) {
    const Token& x = i < ta.size() ? ta[i] : end;
    const Token& y = i < tb.size() ? tb[i] : end;
    // A missing segment is a zero: 1.0 == 1.0.0, 1.0 > 1.0.0-rc1.
    auto zero = [](const Token& t) { return t.kind == Kind::number && compare_digits(t.text, "0") == 0; };
    if ((x.kind == Kind::end && zero(y)) || (y.kind == Kind::end && zero(x))) continue;
    if (int d = compare_token(x, y); d != 0) return d;
  }
  return 0;
}

int compare_versions(Scheme scheme, std::string_view a, std::string_view b) {
  switch (scheme) {
    case Scheme::deb:
    case Scheme::opkg:
      return compare_deb(a, b);
    case Scheme::semver:
      return compare_semver(a, b);
    case Scheme::generic:
      return compare_generic(a, b);
  }
  return compare_generic(a, b);
}

}  // namespace fwseal::inventory

#include "fwseal/sbom/purl.h"

#include "text.h"

namespace fwseal::sbom {
namespace {

bool unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_' || c == '~';
}

std::string encode(std::string_view s, bool keep_colon) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    if (unreserved(c) || (keep_colon && c == ':')) {
      out.push_back(c);
    } else {
      auto u = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> decode(std::string_view s, std::string_view part, std::string_view where) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f)
      return make_error(Code::malformed, std::string(where) + ": purl " + std::string(part) +
                                             " holds a space or control character");
    if (c != '%') {
      out.push_back(c);
      continue;
    }
    if (i + 2 >= s.size())
      return make_error(Code::malformed, std::string(where) + ": purl " + std::string(part) + ": truncated %-escape");
    int hi = hex_value(s[i + 1]);
    int lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0)
      return make_error(Code::malformed, std::string(where) + ": purl " + std::string(part) + ": invalid %-escape");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

}  // namespace

std::string make_purl(std::string_view type, std::string_view ns, std::string_view name, std::string_view version,
                      const std::map<std::string, std::string>& qualifiers) {
  // Built by appending: GCC 12 at -O3 misreports `"literal" + std::string`
  // as an overlapping memcpy (-Wrestrict, GCC bug 105329).
  std::string out = "pkg:";
  out += lower(type);
  out += '/';
  if (!ns.empty()) {
    // Namespace segments keep their '/' separators.
    std::string_view rest = ns;
    while (!rest.empty()) {
      auto slash = rest.find('/');
      out += encode(rest.substr(0, slash), false);
      if (slash == std::string_view::npos) break;
      out += '/';
      rest.remove_prefix(slash + 1);
    }
    out += '/';
  }
  out += encode(name, false);
  if (!version.empty()) {
    out += '@';
    out += encode(version, true);
  }
  char sep = '?';
  for (const auto& [key, value] : qualifiers) {  // std::map: keys sorted, as purl-spec asks
    if (value.empty()) continue;
    out += sep;
    out += lower(key);
    out += '=';
    out += encode(value, true);
    sep = '&';
  }
  return out;
}

Result<PurlParts> parse_purl(std::string_view purl, std::string_view where) {
  auto fail = [&](const std::string& why) {
    return make_error(Code::malformed, std::string(where) + ": invalid purl " + shown(purl) + ": " + why);
  };
  if (purl.size() > 4096) return fail("longer than 4096 bytes");
  if (!starts_with_icase(purl, "pkg:")) return fail("does not start with \"pkg:\"");
  std::string_view rest = purl.substr(4);
  while (rest.starts_with("/")) rest.remove_prefix(1);
  if (auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  std::string_view qualifiers;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    qualifiers = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return fail("no type");
  std::string_view type = rest.substr(0, slash);
  auto type_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '+' ||
           c == '-';
  };
  if (!(type[0] >= 'a' && type[0] <= 'z') && !(type[0] >= 'A' && type[0] <= 'Z')) return fail("type must start with a letter");
  for (char c : type)
    if (!type_char(c)) return fail("invalid character in type");
  rest.remove_prefix(slash + 1);
  std::string_view version;
  if (auto at = rest.rfind('@'); at != std::string_view::npos && rest.find('/', at) == std::string_view::npos) {
    version = rest.substr(at + 1);
    rest = rest.substr(0, at);
    if (version.empty()) return fail("empty version after '@'");
  }
  while (rest.ends_with("/")) rest.remove_suffix(1);
  std::string_view name = rest, ns;
  if (auto last = rest.rfind('/'); last != std::string_view::npos) {
    ns = rest.substr(0, last);
    name = rest.substr(last + 1);
  }
  if (name.empty()) return fail("empty name");
  PurlParts parts;
  parts.type = lower(type);
  FWSEAL_ASSIGN(parts.ns, decode(ns, "namespace", where));
  FWSEAL_ASSIGN(parts.name, decode(name, "name", where));
  FWSEAL_ASSIGN(parts.version, decode(version, "version", where));
  while (!qualifiers.empty()) {
    auto amp = qualifiers.find('&');
    std::string_view pair = qualifiers.substr(0, amp);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) return fail("qualifier without key=value");
    for (char c : pair.substr(0, eq))
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
        return fail("invalid character in a qualifier key");
    FWSEAL_ASSIGN(parts.qualifiers[lower(pair.substr(0, eq))], decode(pair.substr(eq + 1), "qualifier value", where));
    if (amp == std::string_view::npos) break;
    qualifiers.remove_prefix(amp + 1);
  }
  return parts;
}

std::string purl_without_version(std::string_view purl) {
  auto parsed = parse_purl(purl, "purl");
  if (!parsed.ok()) return {};
  std::string_view rest = purl;
  if (auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  std::string_view qualifiers;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    qualifiers = rest.substr(q);
    rest = rest.substr(0, q);
  }
  if (!parsed->version.empty()) {
    auto at = rest.rfind('@');
    rest = rest.substr(0, at);
  }
  return std::string(rest) + std::string(qualifiers);
}

}  // namespace fwseal::sbom

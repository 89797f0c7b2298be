// CVE JSON 5 records (the CVE Program's format, as published in cvelistV5):
// each "affected" product of the CNA's and ADP containers becomes entries
// matched by purl (a package name in a known collection) or by CPE vendor and
// product, with the product status rules of the schema: a version is
// affected when an "affected" version or range names it, or when nothing
// names it and the default status is "affected".
#include <algorithm>
#include <nlohmann/json.hpp>

#include "fwseal/base/text.h"
#include "fwseal/format/canonical_json.h"
#include "fwseal/inventory/advisory.h"
#include "json_member.h"

namespace fwseal::inventory {
namespace {

using nlohmann::json;

Error cve5_bad(const std::string& where, const std::string& what) {
  return make_error(Code::malformed, where + ": " + what);
}

// Package collections whose names are purl names.
struct Collection {
  std::string_view url_prefix, purl_type;
};
constexpr Collection kCollections[] = {
    {"https://pypi.org/", "pypi"},         {"https://pypi.python.org/", "pypi"},
    {"https://www.npmjs.com/", "npm"},     {"https://registry.npmjs.org", "npm"},
    {"https://crates.io/", "cargo"},       {"https://rubygems.org/", "gem"},
    {"https://packagist.org/", "composer"}, {"https://www.nuget.org/", "nuget"},
    {"https://pkg.go.dev/", "golang"},     {"https://proxy.golang.org", "golang"},
    {"https://repo.maven.apache.org/maven2", "maven"}, {"https://repo1.maven.org/maven2", "maven"},
};

// CNAs name vendors and products in their own words; the CPE dictionary
// names some of them otherwise. Only these spellings are translated: a name
// that is not here is matched as CPE spells it (lower case, '_' for spaces)
// or not at all, never by similarity.
struct CpeName {
  std::string_view vendor, product, cpe_vendor, cpe_product;
};
constexpr CpeName kCpeNames[] = {
    {"linux", "linux", "linux", "linux_kernel"},
    {"linux", "kernel", "linux", "linux_kernel"},
    {"openssl", "openssl", "openssl", "openssl"},
    {"haxx", "curl", "haxx", "curl"},
    {"curl", "curl", "haxx", "curl"},
    {"busybox", "busybox", "busybox", "busybox"},
    {"gnu", "glibc", "gnu", "glibc"},
    {"the gnu c library", "glibc", "gnu", "glibc"},
};

std::string cpe_word(std::string_view text) {
  std::string out;
  for (char c : text) out += c == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool no_value(std::string_view v) {
  return v.empty() || v == "n/a" || v == "N/A" || v == "unspecified" || v == "unknown" || v == "-";
}

struct Target {
  std::string purl_type, purl_namespace, name;
  Scheme scheme = Scheme::generic;
};

std::vector<Target> targets_of(const json& a) {
  std::vector<Target> out;
  if (const json* cpes = member(a, "cpes"); cpes && cpes->is_array())
    for (const auto& c : *cpes) {
      if (!c.is_string()) continue;
      auto f = split_cpe(c.get<std::string>());
      if (f.size() != 13 || (f[2] != "a" && f[2] != "o") || f[3] == "*" || f[4] == "*" || no_value(f[3]) || no_value(f[4]))
        continue;
      Target t{"cpe", cpe_word(f[3]), cpe_word(f[4])};
      if (std::find_if(out.begin(), out.end(), [&](const Target& o) { return o.purl_namespace == t.purl_namespace && o.name == t.name; }) == out.end())
        out.push_back(std::move(t));
    }
  if (!out.empty()) return out;
  const std::string package = string_or(a, "packageName"), collection = string_or(a, "collectionURL");
  if (!no_value(package))
    for (const auto& c : kCollections)
      if (collection.starts_with(c.url_prefix)) {
        out.push_back({std::string(c.purl_type), "", package, scheme_for_purl_type(c.purl_type)});
        return out;
      }
  const std::string vendor = cpe_word(string_or(a, "vendor")), product = cpe_word(string_or(a, "product"));
  if (no_value(vendor) || no_value(product)) return out;
  for (const auto& n : kCpeNames)
    if (n.vendor == vendor && n.product == product) {
      out.push_back({"cpe", std::string(n.cpe_vendor), std::string(n.cpe_product)});
      return out;
    }
  out.push_back({"cpe", vendor, product});
  return out;
}

// "5.15.*" -> "5.16" (the first version after every 5.15.x); "" when the
// part before ".*" does not end in a number.
std::string after_wildcard(std::string_view prefix) {
  auto dot = prefix.rfind('.');
  std::string_view last = dot == std::string_view::npos ? prefix : prefix.substr(dot + 1);
  if (last.empty() || last.size() > 9 || !std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return "";
  return std::string(prefix.substr(0, prefix.size() - last.size())) + std::to_string(std::stoul(std::string(last)) + 1);
}

struct Bound {
  std::string version;
  bool inclusive;
};

// The versions of `covered` (sorted by lower bound) that none of them
// contains.
std::vector<VersionInterval> complement(std::vector<VersionInterval> covered, Scheme scheme) {
  std::sort(covered.begin(), covered.end(), [&](const VersionInterval& x, const VersionInterval& y) {
    if (!x.lower || !y.lower) return !x.lower && y.lower;
    return compare_versions(scheme, *x.lower, *y.lower) < 0;
  });
  std::vector<VersionInterval> gaps;
  std::optional<Bound> cursor;  // everything up to it is covered; nullopt: nothing yet
  bool started = false;
  for (const auto& i : covered) {
    if (i.lower) {
      VersionInterval gap;
      gap.upper = *i.lower;
      gap.upper_inclusive = !i.lower_inclusive;
      if (!started) {
        gaps.push_back(gap);
      } else {
        int c = compare_versions(scheme, cursor->version, *i.lower);
        if (c < 0 || (c == 0 && !cursor->inclusive && !i.lower_inclusive)) {
          gap.lower = cursor->version;
          gap.lower_inclusive = !cursor->inclusive;
          gaps.push_back(gap);
        }
      }
    }
    if (!i.upper) return gaps;  // covered to the end
    if (!started) {
      cursor = Bound{*i.upper, i.upper_inclusive};
      started = true;
    } else {
      int c = compare_versions(scheme, *i.upper, cursor->version);
      if (c > 0) cursor = Bound{*i.upper, i.upper_inclusive};
      else if (c == 0) cursor->inclusive = cursor->inclusive || i.upper_inclusive;
    }
  }
  VersionInterval tail;
  if (started) {
    tail.lower = cursor->version;
    tail.lower_inclusive = !cursor->inclusive;
  }
  gaps.push_back(tail);
  return gaps;
}

struct Statused {
  VersionInterval interval;
  std::string status;
};

// One item of "versions": its interval, split where "changes" change the
// status. Nothing for items about git commits or without a version.
Result<std::vector<Statused>> version_item(const json& v, Scheme scheme, const std::string& where) {
  std::vector<Statused> out;
  if (!v.is_object()) return cve5_bad(where, "must be an object");
  const std::string status = string_or(v, "status"), version = string_or(v, "version");
  if (status != "affected" && status != "unaffected" && status != "unknown")
    return cve5_bad(where + ".status", "must be \"affected\", \"unaffected\" or \"unknown\", not " + quote(status, 40));
  if (string_or(v, "versionType") == "git" || no_value(version) || version == "*") return out;
  VersionInterval i;
  if (version != "0") {
    if (auto c = check_version(scheme, version, where + ".version"); !c.ok()) return cve5_bad(where + ".version", c.error().message);
    i.lower = version;
  }
  const std::string less = string_or(v, "lessThan"), less_eq = string_or(v, "lessThanOrEqual");
  if (!less.empty() && !less_eq.empty()) return cve5_bad(where, "has both lessThan and lessThanOrEqual");
  if (!less.empty() || !less_eq.empty()) {
    std::string upper = less.empty() ? less_eq : less;
    const char* key = less.empty() ? "lessThanOrEqual" : "lessThan";
    if (upper != "*") {
      i.upper_inclusive = less.empty();
      if (upper.ends_with(".*")) {
        std::string next = after_wildcard(std::string_view(upper).substr(0, upper.size() - 2));
        if (next.empty()) return cve5_bad(where + "." + key, "a wildcard after something other than a number: " + quote(upper, 80));
        upper = next;
        i.upper_inclusive = false;
      } else if (auto c = check_version(scheme, upper, where + "." + key); !c.ok()) {
        return cve5_bad(where + "." + key, c.error().message);
      }
      i.upper = upper;
    }
  } else {
    if (!i.lower) return out;  // "0" alone names no version
    i.upper = i.lower;
    i.upper_inclusive = true;
  }
  // "changes": from each "at", the status it gives, up to the next.
  std::vector<std::pair<std::string, std::string>> changes;
  if (const json* list = member(v, "changes"); list && list->is_array())
    for (std::size_t k = 0; k < list->size(); ++k) {
      const std::string at = string_or((*list)[k], "at"), s = string_or((*list)[k], "status");
      const std::string here = where + ".changes[" + std::to_string(k) + "]";
      if (auto c = check_version(scheme, at, here + ".at"); !c.ok()) return cve5_bad(here + ".at", c.error().message);
      if (s != "affected" && s != "unaffected" && s != "unknown")
        return cve5_bad(here + ".status", "must be \"affected\", \"unaffected\" or \"unknown\", not " + quote(s, 40));
      changes.emplace_back(at, s);
    }
  std::sort(changes.begin(), changes.end(),
            [&](const auto& x, const auto& y) { return compare_versions(scheme, x.first, y.first) < 0; });
  VersionInterval current = i;
  std::string current_status = status;
  for (const auto& [at, s] : changes) {
    VersionInterval before = current;
    before.upper = at;
    before.upper_inclusive = false;
    out.push_back({before, current_status});
    current.lower = at;
    current.lower_inclusive = true;
    current_status = s;
  }
  out.push_back({current, current_status});
  return out;
}

std::string target_text(const Target& t) {
  return t.purl_type == "cpe" ? t.purl_namespace + ":" + t.name : "pkg:" + t.purl_type + "/" + t.name;
}

Status add_affected(Advisory& a, const json& item, const std::string& where) {
  if (!item.is_object()) return cve5_bad(where, "must be an object");
  std::vector<Target> targets = targets_of(item);
  if (targets.empty()) return ok_status();  // "n/a": nothing to match
  const std::string default_status = string_or(item, "defaultStatus");
  const json* versions = member(item, "versions");
  if (versions && !versions->is_array()) return cve5_bad(where + ".versions", "must be an array");
  for (const auto& target : targets) {
    std::vector<VersionInterval> affected, covered;
    if (versions)
      for (std::size_t k = 0; k < versions->size(); ++k) {
        FWSEAL_ASSIGN(auto parts, version_item((*versions)[k], target.scheme, where + ".versions[" + std::to_string(k) + "]"));
        for (auto& p : parts) {
          covered.push_back(p.interval);
          if (p.status == "affected") affected.push_back(std::move(p.interval));
        }
      }
    if (default_status == "affected")
      for (auto& gap : complement(covered, target.scheme)) affected.push_back(std::move(gap));
    // A product affected in every version is the wildcard that would match
    // whatever carries its name: left out, as NVD criteria without a range.
    if (affected.empty() ||
        std::any_of(affected.begin(), affected.end(), [](const VersionInterval& i) { return !i.lower && !i.upper; }))
      continue;
    AffectedPackage e;
    e.purl_type = target.purl_type;
    e.purl_namespace = target.purl_type == "cpe" ? target.purl_namespace : "";
    e.name = target.name;
    e.scheme = target.scheme;
    std::string ranges;
    for (const auto& i : affected) ranges += (ranges.empty() ? "" : "; ") + interval_text(i);
    e.ranges = std::move(affected);
    e.rule = "CVE " + a.id + " " + target_text(target) + ": " + ranges;
    a.affected.push_back(std::move(e));
  }
  return ok_status();
}

Status add_cvss(Advisory& a, const json* metrics, const std::string& where) {
  if (!metrics || !metrics->is_array() || a.cvss) return ok_status();
  for (const char* key : {"cvssV3_1", "cvssV3_0"})
    for (std::size_t k = 0; k < metrics->size(); ++k) {
      const json* m = member((*metrics)[k], key);
      if (!m) continue;
      auto parsed = parse_cvss3(string_or(*m, "vectorString"));
      if (!parsed.ok())
        return cve5_bad(where + ".metrics[" + std::to_string(k) + "]." + key, parsed.error().message);
      a.cvss = *parsed;
      return ok_status();
    }
  return ok_status();
}

}  // namespace

Result<Advisory> parse_cve5(std::string_view text, std::string_view where_view) {
  const std::string where(where_view);
  FWSEAL_ASSIGN(json j, parse_json_strict(text, where, JsonLimits{64u << 20, 64}));
  Advisory a;
  a.format = "cve5";
  const json* meta = member(j, "cveMetadata");
  if (!meta) return cve5_bad(where, "a CVE record without cveMetadata");
  a.id = string_or(*meta, "cveId");
  if (!a.id.starts_with("CVE-") || a.id.size() > 64) return cve5_bad(where + ".cveMetadata.cveId", "not a CVE id: " + quote(a.id, 64));
  const std::string at = where + " (" + plain_or_quoted(a.id) + ")";
  a.modified = string_or(*meta, "dateUpdated");
  if (a.modified.empty()) a.modified = string_or(*meta, "datePublished");
  const std::string state = string_or(*meta, "state");
  if (state == "REJECTED") {
    a.withdrawn = string_or(*meta, "dateRejected");
    if (a.withdrawn.empty()) a.withdrawn = a.modified.empty() ? "rejected" : a.modified;
    return a;
  }
  if (state != "PUBLISHED") return cve5_bad(at + ".cveMetadata.state", "must be PUBLISHED or REJECTED, not " + quote(state, 40));
  const json* containers = member(j, "containers");
  const json* cna = containers ? member(*containers, "cna") : nullptr;
  if (!cna) return cve5_bad(at, "a published CVE record without containers.cna");
  if (const json* d = member(*cna, "descriptions"); d && d->is_array())
    for (const auto& desc : *d)
      if (string_or(desc, "lang").starts_with("en")) {
        a.summary = string_or(desc, "value");
        break;
      }
  FWSEAL_TRY(add_cvss(a, member(*cna, "metrics"), at + ".containers.cna"));
  std::vector<std::pair<const json*, std::string>> lists{{member(*cna, "affected"), at + ".containers.cna.affected"}};
  if (const json* adp = member(*containers, "adp"); adp && adp->is_array())
    for (std::size_t k = 0; k < adp->size(); ++k) {
      const std::string here = at + ".containers.adp[" + std::to_string(k) + "]";
      FWSEAL_TRY(add_cvss(a, member((*adp)[k], "metrics"), here));
      lists.emplace_back(member((*adp)[k], "affected"), here + ".affected");
    }
  for (const auto& [list, here] : lists) {
    if (!list) continue;
    if (!list->is_array()) return cve5_bad(here, "must be an array");
    for (std::size_t k = 0; k < list->size(); ++k) FWSEAL_TRY(add_affected(a, (*list)[k], here + "[" + std::to_string(k) + "]"));
  }
  return a;
}

}  // namespace fwseal::inventory

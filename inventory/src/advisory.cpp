#include "fwseal/inventory/advisory.h"

#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>

#include "fwseal/base/text.h"
#include "fwseal/format/canonical_json.h"
#include "json_member.h"

namespace fwseal::inventory {
namespace {

using nlohmann::json;

struct Ecosystem {
  std::string_view osv;  // OSV's ecosystem name, before any ":release"
  std::string_view purl_type, purl_namespace, distro_prefix;
  Scheme scheme;
};

// OSV ecosystems fwseal matches, and the purl each names. A distribution's
// release follows a colon ("Debian:12", "Alpine:v3.18", "Ubuntu:22.04:LTS")
// and becomes the distro the component must be built for.
constexpr Ecosystem kEcosystems[] = {
    {"Debian", "deb", "debian", "debian-", Scheme::deb},
    {"Ubuntu", "deb", "ubuntu", "ubuntu-", Scheme::deb},
    {"Alpine", "apk", "alpine", "alpine-", Scheme::generic},
    {"OpenWrt", "opkg", "openwrt", "openwrt-", Scheme::opkg},
    {"npm", "npm", "", "", Scheme::semver},
    {"crates.io", "cargo", "", "", Scheme::semver},
    {"Go", "golang", "", "", Scheme::semver},
    {"PyPI", "pypi", "", "", Scheme::generic},
    {"Maven", "maven", "", "", Scheme::generic},
    {"NuGet", "nuget", "", "", Scheme::generic},
    {"RubyGems", "gem", "", "", Scheme::generic},
    {"Packagist", "composer", "", "", Scheme::generic},
    {"Hex", "hex", "", "", Scheme::generic},
    {"Pub", "pub", "", "", Scheme::generic},
};

std::string known_ecosystems() {
  std::string out;
  for (const auto& e : kEcosystems) out += (out.empty() ? "" : ", ") + std::string(e.osv);
  return out;
}

// "v3.18" -> "3.18"; "22.04:LTS" -> "22.04"
std::string distro_release(std::string_view release) {
  if (auto colon = release.find(':'); colon != std::string_view::npos) release = release.substr(0, colon);
  if (release.starts_with("v")) release.remove_prefix(1);
  return std::string(release);
}

}  // namespace

std::string interval_text(const VersionInterval& i) {
  if (i.lower && i.upper && i.lower_inclusive && i.upper_inclusive && *i.lower == *i.upper) return "= " + *i.lower;
  std::string out;
  if (i.lower) out += std::string(i.lower_inclusive ? ">= " : "> ") + *i.lower;
  if (i.upper) out += (out.empty() ? "" : ", ") + std::string(i.upper_inclusive ? "<= " : "< ") + *i.upper;
  return out.empty() ? "all versions" : out;
}

std::string plain_or_quoted(std::string_view text) {
  std::string q = quote(text, 200);
  return q == "\"" + std::string(text) + "\"" ? std::string(text) : q;
}

namespace {

Error bad(std::string_view where, const std::string& what) {
  return make_error(Code::malformed, std::string(where) + ": " + what);
}

Result<std::string> string_member(const json& j, const char* key, const std::string& where, bool required) {
  if (!j.contains(key)) {
    if (required) return bad(where, "\"" + std::string(key) + "\" is missing");
    return std::string();
  }
  if (!j[key].is_string()) return bad(where + "." + key, "must be a string");
  return j[key].get<std::string>();
}

// The member `key`, an array of strings; empty when there is none.
Result<std::vector<std::string>> string_array(const json& j, const char* key, const std::string& where) {
  std::vector<std::string> out;
  if (!j.contains(key)) return out;
  if (!j[key].is_array()) return bad(where + "." + key, "must be an array of strings");
  for (const auto& v : j[key]) {
    if (!v.is_string()) return bad(where + "." + key, "must be an array of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

// OSV's evaluation, as intervals: events in version order; "introduced"
// opens an interval (inclusive; "0" is the first version there is), "fixed"
// and "limit" close it before their version, "last_affected" after its.
Result<std::vector<VersionInterval>> osv_intervals(const json& events, Scheme scheme, const std::string& where) {
  struct Event {
    std::string kind, version;
  };
  std::vector<Event> list;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const std::string at = where + ".events[" + std::to_string(i) + "]";
    const json& e = events[i];
    if (!e.is_object() || e.size() != 1) return bad(at, "must be an object with one of introduced, fixed, last_affected, limit");
    // (An iterator, not a binding to items(): its proxy would not outlive
    // this statement.)
    const auto first = e.begin();
    const std::string kind = first.key();
    const json& value = first.value();
    if (kind != "introduced" && kind != "fixed" && kind != "last_affected" && kind != "limit")
      return bad(at, "unknown event " + quote(kind));
    if (!value.is_string()) return bad(at + "." + kind, "must be a string");
    std::string v = value.get<std::string>();
    if (!(kind == "introduced" && v == "0"))
      if (auto c = check_version(scheme, v, at + "." + kind); !c.ok()) return bad(at + "." + kind, c.error().message);
    list.push_back({kind, v});
  }
  std::stable_sort(list.begin(), list.end(), [&](const Event& a, const Event& b) {
    if (a.version == "0" && a.kind == "introduced") return !(b.version == "0" && b.kind == "introduced");
    if (b.version == "0" && b.kind == "introduced") return false;
    return compare_versions(scheme, a.version, b.version) < 0;
  });
  std::vector<VersionInterval> out;
  std::optional<VersionInterval> open;
  for (const auto& e : list) {
    if (e.kind == "introduced") {
      if (open) continue;  // already affected
      open = VersionInterval{};
      if (e.version != "0") open->lower = e.version;
    } else if (open) {
      open->upper = e.version;
      open->upper_inclusive = e.kind == "last_affected";
      out.push_back(*open);
      open.reset();
    }
  }
  if (open) out.push_back(*open);
  return out;
}

bool in_interval(Scheme scheme, const VersionInterval& i, std::string_view v) {
  if (i.lower) {
    int c = compare_versions(scheme, v, *i.lower);
    if (c < 0 || (c == 0 && !i.lower_inclusive)) return false;
  }
  if (i.upper) {
    int c = compare_versions(scheme, v, *i.upper);
    if (c > 0 || (c == 0 && !i.upper_inclusive)) return false;
  }
  return true;
}

}  // namespace

bool affects(const AffectedPackage& entry, std::string_view version) {
  for (const auto& v : entry.versions)
    if (compare_versions(entry.scheme, version, v) == 0) return true;
  for (const auto& i : entry.ranges)
    if (in_interval(entry.scheme, i, version)) return true;
  return false;
}

std::string fixed_version(const AffectedPackage& entry, std::string_view version) {
  for (const auto& i : entry.ranges)
    if (in_interval(entry.scheme, i, version) && i.upper && !i.upper_inclusive) return *i.upper;
  return "";
}

namespace {

// The highest CVSS v3 score of the record's severities (CVSS v4 and others:
// not scored by fwseal).
Result<std::optional<Cvss3>> osv_cvss(const json& j, const std::string& at) {
  std::optional<Cvss3> highest;
  if (!j.contains("severity")) return highest;
  if (!j["severity"].is_array()) return bad(at + ".severity", "must be an array");
  for (const auto& s : j["severity"]) {
    if (!s.is_object() || !s.contains("type") || !s["type"].is_string() || !s.contains("score") ||
        !s["score"].is_string())
      return bad(at + ".severity", "each entry needs a type and a score");
    if (s["type"] != "CVSS_V3") continue;
    auto cvss = parse_cvss3(s["score"].get<std::string>());
    if (!cvss.ok()) return bad(at + ".severity", cvss.error().message);
    if (!highest || cvss->base_score > highest->base_score) highest = *cvss;
  }
  return highest;
}

// The purl an affected package names (type, namespace, name; the distro for
// a distribution's release) and its version scheme. The rule starts with
// what the record says: "OSV <ecosystem> <name>".
Result<AffectedPackage> osv_package(const json& item, const std::string& here) {
  if (!item.is_object() || !item.contains("package") || !item["package"].is_object()) return bad(here, "needs a package");
  const json& pkg = item["package"];
  FWSEAL_ASSIGN(std::string ecosystem, string_member(pkg, "ecosystem", here + ".package", true));
  FWSEAL_ASSIGN(std::string name, string_member(pkg, "name", here + ".package", true));
  if (name.empty()) return bad(here + ".package.name", "is empty");
  std::string_view base = ecosystem, release;
  if (auto colon = base.find(':'); colon != std::string_view::npos) {
    release = base.substr(colon + 1);
    base = base.substr(0, colon);
  }
  auto eco = std::find_if(std::begin(kEcosystems), std::end(kEcosystems), [&](const Ecosystem& e) { return e.osv == base; });
  if (eco == std::end(kEcosystems))
    return bad(here + ".package.ecosystem",
               "unknown ecosystem " + quote(ecosystem) + " (fwseal matches " + known_ecosystems() + ")");
  AffectedPackage entry;
  entry.purl_type = std::string(eco->purl_type);
  entry.purl_namespace = std::string(eco->purl_namespace);
  entry.name = name;
  entry.scheme = eco->scheme;
  if (eco->purl_type == "maven" || eco->purl_type == "composer") {
    // group:artifact, vendor/package
    auto split = name.find(eco->purl_type == "maven" ? ':' : '/');
    if (split != std::string::npos) {
      entry.purl_namespace = name.substr(0, split);
      entry.name = name.substr(split + 1);
    }
  } else if (eco->purl_type == "npm" && name.starts_with("@")) {
    auto slash = name.find('/');
    if (slash != std::string::npos) {
      entry.purl_namespace = name.substr(0, slash);
      entry.name = name.substr(slash + 1);
    }
  }
  if (!eco->distro_prefix.empty() && !release.empty()) entry.distro = std::string(eco->distro_prefix) + distro_release(release);
  entry.rule = "OSV " + ecosystem + " " + name;
  return entry;
}

// Adds the item's ECOSYSTEM and SEMVER ranges to `entry` (a SEMVER range
// makes its scheme semver); returns their text.
Result<std::string> osv_ranges(const json& item, AffectedPackage& entry, const std::string& here) {
  std::string text;
  if (!item.contains("ranges")) return text;
  if (!item["ranges"].is_array()) return bad(here + ".ranges", "must be an array");
  for (std::size_t r = 0; r < item["ranges"].size(); ++r) {
    const std::string rat = here + ".ranges[" + std::to_string(r) + "]";
    const json& range = item["ranges"][r];
    if (!range.is_object() || !range.contains("type") || !range["type"].is_string() || !range.contains("events") ||
        !range["events"].is_array())
      return bad(rat, "needs a type and events");
    const std::string type = range["type"].get<std::string>();
    if (type == "GIT") continue;
    if (type != "ECOSYSTEM" && type != "SEMVER") return bad(rat + ".type", "unknown range type " + quote(type));
    Scheme scheme = type == "SEMVER" ? Scheme::semver : entry.scheme;
    if (type == "SEMVER") entry.scheme = Scheme::semver;
    FWSEAL_ASSIGN(auto intervals, osv_intervals(range["events"], scheme, rat));
    for (auto& interval : intervals) {
      text += (text.empty() ? "" : "; ") + interval_text(interval);
      entry.ranges.push_back(std::move(interval));
    }
  }
  return text;
}

// One affected package, nullopt when it gives nothing fwseal can compare
// (no versions, and no ranges but GIT ones).
Result<std::optional<AffectedPackage>> osv_affected(const json& item, const std::string& here) {
  FWSEAL_ASSIGN(AffectedPackage entry, osv_package(item, here));
  FWSEAL_ASSIGN(std::string ranges_text, osv_ranges(item, entry, here));
  FWSEAL_ASSIGN(entry.versions, string_array(item, "versions", here));
  if (!entry.versions.empty())
    ranges_text += (ranges_text.empty() ? "" : "; ") + std::to_string(entry.versions.size()) + " listed versions";
  if (entry.ranges.empty() && entry.versions.empty()) return std::optional<AffectedPackage>();
  entry.rule += ": " + ranges_text;
  return std::optional<AffectedPackage>(std::move(entry));
}

Result<std::vector<AffectedPackage>> osv_affected_list(const json& j, const std::string& at) {
  std::vector<AffectedPackage> out;
  if (!j.contains("affected")) return out;
  if (!j["affected"].is_array()) return bad(at + ".affected", "must be an array");
  for (std::size_t i = 0; i < j["affected"].size(); ++i) {
    FWSEAL_ASSIGN(auto entry, osv_affected(j["affected"][i], at + ".affected[" + std::to_string(i) + "]"));
    if (entry) out.push_back(std::move(*entry));
  }
  return out;
}

}  // namespace

Result<Advisory> parse_osv(std::string_view text, std::string_view where_view) {
  const std::string where(where_view);
  FWSEAL_ASSIGN(json j, parse_json_strict(text, where, JsonLimits{8u << 20, 32}));
  if (!j.is_object()) return bad(where, "an OSV record is a JSON object");
  Advisory a;
  a.format = "osv";
  FWSEAL_ASSIGN(a.id, string_member(j, "id", where, true));
  if (a.id.empty() || a.id.size() > 256 || !valid_utf8(a.id)) return bad(where + ".id", "must be 1 to 256 bytes of text");
  const std::string at = where + " (" + plain_or_quoted(a.id) + ")";
  FWSEAL_ASSIGN(a.modified, string_member(j, "modified", at, true));
  FWSEAL_ASSIGN(a.withdrawn, string_member(j, "withdrawn", at, false));
  FWSEAL_ASSIGN(a.summary, string_member(j, "summary", at, false));
  FWSEAL_ASSIGN(a.aliases, string_array(j, "aliases", at));
  FWSEAL_ASSIGN(a.cvss, osv_cvss(j, at));
  FWSEAL_ASSIGN(a.affected, osv_affected_list(j, at));
  return a;
}

}  // namespace fwseal::inventory

namespace fwseal::inventory {
namespace {

using nlohmann::json;

Error nvd_bad(const std::string& where, const std::string& what) {
  return make_error(Code::malformed, where + ": " + what);
}

// One cpeMatch: vendor, product and the versions it covers. nullopt (with
// `why`) when it can never match a version: a wildcard version with no range.
Result<std::optional<AffectedPackage>> cpe_entry(const json& match, const std::string& where, std::string& why) {
  const std::string criteria = string_or(match, "criteria");
  auto f = split_cpe(criteria);
  if (f.size() != 13) return nvd_bad(where + ".criteria", "not a CPE 2.3 name: " + quote(criteria));
  AffectedPackage e;
  e.purl_type = "cpe";
  e.purl_namespace = f[3];
  e.name = f[4];
  e.scheme = Scheme::generic;
  VersionInterval range;
  bool ranged = false;
  for (const char* key : {"versionStartIncluding", "versionStartExcluding", "versionEndIncluding", "versionEndExcluding"}) {
    const std::string v = string_or(match, key);
    if (v.empty()) continue;
    if (auto c = check_version(Scheme::generic, v, where + "." + key); !c.ok()) return nvd_bad(where + "." + key, c.error().message);
    ranged = true;
    std::string_view k = key;
    if (k.starts_with("versionStart")) {
      range.lower = v;
      range.lower_inclusive = k.ends_with("Including");
    } else {
      range.upper = v;
      range.upper_inclusive = k.ends_with("Including");
    }
  }
  std::string text = f[2] + ":" + f[3] + ":" + f[4];
  if (ranged) {
    e.ranges.push_back(range);
    text += " " + std::string(range.lower ? (range.lower_inclusive ? ">= " : "> ") + *range.lower : "") +
            (range.lower && range.upper ? ", " : "") +
            std::string(range.upper ? (range.upper_inclusive ? "<= " : "< ") + *range.upper : "");
  } else if (f[5] != "*" && f[5] != "-" && !f[5].empty()) {
    e.versions.push_back(f[5]);
    text += " = " + f[5];
  } else {
    why = criteria + ": any version and no range";
    return std::optional<AffectedPackage>();
  }
  if (e.purl_namespace == "*" || e.name == "*") {
    why = criteria + ": a wildcard vendor or product";
    return std::optional<AffectedPackage>();
  }
  e.rule = text;
  return std::optional<AffectedPackage>(std::move(e));
}

// The first English description.
std::string nvd_summary(const json& cve) {
  if (const json* d = member(cve, "descriptions"); d && d->is_array())
    for (const auto& desc : *d)
      if (string_or(desc, "lang") == "en") return string_or(desc, "value");
  return "";
}

// The CVSS v3.1 score, else the v3.0 one: of each, the NVD's own (Primary)
// metric, else the first given.
Result<std::optional<Cvss3>> nvd_cvss(const json& cve, const std::string& at) {
  std::optional<Cvss3> cvss;
  const json* metrics = member(cve, "metrics");
  if (!metrics) return cvss;
  for (const char* key : {"cvssMetricV31", "cvssMetricV30"}) {
    const json* list = member(*metrics, key);
    if (!list || !list->is_array() || cvss) continue;
    const json* chosen = nullptr;
    for (const auto& m : *list)
      if (string_or(m, "type") == "Primary") chosen = &m;
    if (!chosen && !list->empty()) chosen = &(*list)[0];
    if (!chosen) continue;
    const json* data = member(*chosen, "cvssData");
    const std::string vector = data ? string_or(*data, "vectorString") : "";
    auto parsed = parse_cvss3(vector);
    if (!parsed.ok()) return nvd_bad(at + ".metrics." + key, parsed.error().message);
    cvss = *parsed;
  }
  return cvss;
}

// A configuration's node: an OR (any) or AND (each) of cpeMatch entries.
struct NvdNode {
  std::vector<std::pair<AffectedPackage, bool>> entries;  // entry, vulnerable
  bool negate = false, all = false;
};

Result<NvdNode> nvd_node(const json& node, const std::string& nat) {
  const json* matches = member(node, "cpeMatch");
  if (!matches || !matches->is_array()) return nvd_bad(nat, "needs cpeMatch");
  NvdNode n;
  n.all = string_or(node, "operator") == "AND";
  if (const json* neg = member(node, "negate"); neg && neg->is_boolean()) n.negate = neg->get<bool>();
  for (std::size_t mi = 0; mi < matches->size(); ++mi) {
    const std::string mat = nat + ".cpeMatch[" + std::to_string(mi) + "]";
    std::string why;
    FWSEAL_ASSIGN(auto entry, cpe_entry((*matches)[mi], mat, why));
    const json* vulnerable = member((*matches)[mi], "vulnerable");
    const bool is_vulnerable = vulnerable && vulnerable->is_boolean() && vulnerable->get<bool>();
    if (entry) n.entries.emplace_back(std::move(*entry), is_vulnerable);
    else if (!is_vulnerable) n.entries.emplace_back(AffectedPackage{}, false);  // a condition nothing satisfies
  }
  return n;
}

// ", with A and not B or C": the other conditions of an entry, as its rule
// ends.
std::string with_text(const std::vector<Requirement>& requires_also) {
  std::string also;
  for (const auto& r : requires_also) {
    std::string any;
    for (const auto& c : r.any) any += (any.empty() ? "" : " or ") + (c.name.empty() ? "(unmatchable)" : c.rule);
    also += (also.empty() ? "" : " and ") + std::string(r.negate ? "not " : "") + any;
  }
  return ", with " + also;
}

// Entry `ei` of node `ni` with the conditions the rest of its configuration
// sets: the other entries of an AND node, and the other nodes of an AND
// configuration (`all`).
AffectedPackage with_conditions(const std::vector<NvdNode>& nodes, std::size_t ni, std::size_t ei, bool all,
                                const std::string& id) {
  AffectedPackage e = nodes[ni].entries[ei].first;
  e.rule = "NVD " + id + " " + e.rule;
  if (nodes[ni].all)
    for (std::size_t other = 0; other < nodes[ni].entries.size(); ++other)
      if (other != ei) e.requires_also.push_back(Requirement{{nodes[ni].entries[other].first}, false});
  if (all)
    for (std::size_t other = 0; other < nodes.size(); ++other) {
      if (other == ni) continue;
      Requirement r;
      r.negate = nodes[other].negate;
      for (const auto& [candidate, v] : nodes[other].entries) r.any.push_back(candidate);
      e.requires_also.push_back(std::move(r));
    }
  if (!e.requires_also.empty()) e.rule += with_text(e.requires_also);
  return e;
}

// Every vulnerable entry of one configuration, with its conditions.
Result<std::vector<AffectedPackage>> nvd_configuration(const json& config, const std::string& cat, const std::string& id) {
  const json* nodes = member(config, "nodes");
  if (!nodes || !nodes->is_array()) return nvd_bad(cat, "needs nodes");
  std::vector<NvdNode> parsed;
  for (std::size_t ni = 0; ni < nodes->size(); ++ni) {
    FWSEAL_ASSIGN(NvdNode n, nvd_node((*nodes)[ni], cat + ".nodes[" + std::to_string(ni) + "]"));
    parsed.push_back(std::move(n));
  }
  const bool all = string_or(config, "operator") == "AND";
  std::vector<AffectedPackage> out;
  for (std::size_t ni = 0; ni < parsed.size(); ++ni)
    for (std::size_t ei = 0; ei < parsed[ni].entries.size(); ++ei)
      if (parsed[ni].entries[ei].second && !parsed[ni].negate) out.push_back(with_conditions(parsed, ni, ei, all, id));
  return out;
}

Result<std::vector<AffectedPackage>> nvd_affected(const json& cve, const std::string& at, const std::string& id) {
  std::vector<AffectedPackage> out;
  const json* configurations = member(cve, "configurations");
  if (!configurations) return out;
  if (!configurations->is_array()) return nvd_bad(at + ".configurations", "must be an array");
  for (std::size_t ci = 0; ci < configurations->size(); ++ci) {
    FWSEAL_ASSIGN(auto entries, nvd_configuration((*configurations)[ci],
                                                  at + ".configurations[" + std::to_string(ci) + "]", id));
    std::move(entries.begin(), entries.end(), std::back_inserter(out));
  }
  return out;
}

Result<Advisory> nvd_record(const json& cve, const std::string& where) {
  Advisory a;
  a.format = "nvd";
  a.id = string_or(cve, "id");
  if (a.id.empty() || a.id.size() > 256) return nvd_bad(where, "a record without an id");
  const std::string at = where + " (" + plain_or_quoted(a.id) + ")";
  a.modified = string_or(cve, "lastModified");
  if (string_or(cve, "vulnStatus") == "Rejected") a.withdrawn = a.modified.empty() ? "rejected" : a.modified;
  a.summary = nvd_summary(cve);
  FWSEAL_ASSIGN(a.cvss, nvd_cvss(cve, at));
  FWSEAL_ASSIGN(a.affected, nvd_affected(cve, at, a.id));
  return a;
}

}  // namespace

std::vector<std::string> split_cpe(std::string_view cpe, bool keep_escapes) {
  std::vector<std::string> out;
  if (!cpe.starts_with("cpe:2.3:")) return out;
  std::string field;
  for (std::size_t i = 0; i < cpe.size(); ++i) {
    if (cpe[i] == '\\' && i + 1 < cpe.size()) {
      if (keep_escapes) field += cpe[i];
      field += cpe[++i];
    } else if (cpe[i] == ':') {
      out.push_back(std::move(field));
      field.clear();
    } else {
      field += cpe[i];
    }
  }
  out.push_back(std::move(field));
  return out;
}

std::string upstream_version(std::string_view version) {
  // [epoch:]upstream[-revision], as dpkg reads a version. Only a version
  // that shows an epoch is taken for a distribution's: "1.36.1-r18" stays.
  auto colon = version.find(':');
  if (colon == std::string_view::npos || colon == 0 ||
      !std::all_of(version.begin(), version.begin() + static_cast<std::ptrdiff_t>(colon),
                   [](char c) { return c >= '0' && c <= '9'; }))
    return std::string(version);
  version.remove_prefix(colon + 1);
  if (auto dash = version.rfind('-'); dash != std::string_view::npos && dash > 0) version = version.substr(0, dash);
  return std::string(version);
}

Result<std::vector<Advisory>> parse_nvd(std::string_view text, std::string_view where_view) {
  const std::string where(where_view);
  FWSEAL_ASSIGN(json j, parse_json_strict(text, where, JsonLimits{256u << 20, 64}));
  std::vector<Advisory> out;
  if (const json* list = member(j, "vulnerabilities")) {
    if (!list->is_array()) return nvd_bad(where + ".vulnerabilities", "must be an array");
    for (std::size_t i = 0; i < list->size(); ++i) {
      const json* cve = member((*list)[i], "cve");
      if (!cve) return nvd_bad(where + ".vulnerabilities[" + std::to_string(i) + "]", "needs a cve object");
      FWSEAL_ASSIGN(Advisory a, nvd_record(*cve, where + ".vulnerabilities[" + std::to_string(i) + "]"));
      out.push_back(std::move(a));
    }
    return out;
  }
  const json* cve = member(j, "cve");
  FWSEAL_ASSIGN(Advisory a, nvd_record(cve ? *cve : j, where));
  out.push_back(std::move(a));
  return out;
}

Result<std::vector<Advisory>> parse_advisories(std::string_view text, std::string_view where) {
  // Told apart by their top-level members: a CVE record has "cveMetadata"; an NVD response has
  // "vulnerabilities" (or is one "cve"), an NVD record "configurations" or
  // "lastModified" without OSV's "modified"; anything else is read as OSV.
  json probe = json::parse(text, nullptr, false);
  if (probe.is_object() && (probe.contains("cveMetadata") || string_or(probe, "dataType") == "CVE_RECORD")) {
    FWSEAL_ASSIGN(Advisory a, parse_cve5(text, where));
    return std::vector<Advisory>{std::move(a)};
  }
  if (probe.is_object() && (probe.contains("vulnerabilities") || probe.contains("cve") ||
                            (probe.contains("lastModified") && !probe.contains("modified"))))
    return parse_nvd(text, where);
  FWSEAL_ASSIGN(Advisory a, parse_osv(text, where));
  return std::vector<Advisory>{std::move(a)};
}

}  // namespace fwseal::inventory

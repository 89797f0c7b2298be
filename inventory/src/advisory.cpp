#include "fwseal/inventory/advisory.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "fwseal/base/text.h"
#include "fwseal/format/canonical_json.h"

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

std::string interval_text(const VersionInterval& i) {
  std::string out;
  if (i.lower) out += std::string(i.lower_inclusive ? ">= " : "> ") + *i.lower;
  if (i.upper) out += (out.empty() ? "" : ", ") + std::string(i.upper_inclusive ? "<= " : "< ") + *i.upper;
  return out.empty() ? "all versions" : out;
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
    const auto& [kind, value] = *e.items().begin();
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

Result<Advisory> parse_osv(std::string_view text, std::string_view where_view) {
  const std::string where(where_view);
  FWSEAL_ASSIGN(json j, parse_json_strict(text, where, JsonLimits{8u << 20, 32}));
  if (!j.is_object()) return bad(where, "an OSV record is a JSON object");
  Advisory a;
  a.format = "osv";
  FWSEAL_ASSIGN(a.id, string_member(j, "id", where, true));
  if (a.id.empty() || a.id.size() > 256 || !valid_utf8(a.id)) return bad(where + ".id", "must be 1 to 256 bytes of text");
  const std::string at = where + " (" + a.id + ")";
  FWSEAL_ASSIGN(a.modified, string_member(j, "modified", at, true));
  FWSEAL_ASSIGN(a.withdrawn, string_member(j, "withdrawn", at, false));
  FWSEAL_ASSIGN(a.summary, string_member(j, "summary", at, false));
  if (j.contains("aliases")) {
    if (!j["aliases"].is_array()) return bad(at + ".aliases", "must be an array of strings");
    for (const auto& alias : j["aliases"]) {
      if (!alias.is_string()) return bad(at + ".aliases", "must be an array of strings");
      a.aliases.push_back(alias.get<std::string>());
    }
  }
  if (j.contains("severity")) {
    if (!j["severity"].is_array()) return bad(at + ".severity", "must be an array");
    for (const auto& s : j["severity"]) {
      if (!s.is_object() || !s.contains("type") || !s["type"].is_string() || !s.contains("score") ||
          !s["score"].is_string())
        return bad(at + ".severity", "each entry needs a type and a score");
      if (s["type"] != "CVSS_V3") continue;  // CVSS v4 and others: not scored by fwseal
      auto cvss = parse_cvss3(s["score"].get<std::string>());
      if (!cvss.ok()) return bad(at + ".severity", cvss.error().message);
      if (!a.cvss || cvss->base_score > a.cvss->base_score) a.cvss = *cvss;
    }
  }
  if (j.contains("affected")) {
    if (!j["affected"].is_array()) return bad(at + ".affected", "must be an array");
    for (std::size_t i = 0; i < j["affected"].size(); ++i) {
      const std::string here = at + ".affected[" + std::to_string(i) + "]";
      const json& item = j["affected"][i];
      if (!item.is_object() || !item.contains("package") || !item["package"].is_object())
        return bad(here, "needs a package");
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
        return bad(here + ".package.ecosystem", "unknown ecosystem " + quote(ecosystem) + " (fwseal matches " +
                                                    known_ecosystems() + ")");
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
      if (!eco->distro_prefix.empty() && !release.empty())
        entry.distro = std::string(eco->distro_prefix) + distro_release(release);
      std::string ranges_text;
      if (item.contains("ranges")) {
        if (!item["ranges"].is_array()) return bad(here + ".ranges", "must be an array");
        for (std::size_t r = 0; r < item["ranges"].size(); ++r) {
          const std::string rat = here + ".ranges[" + std::to_string(r) + "]";
          const json& range = item["ranges"][r];
          if (!range.is_object() || !range.contains("type") || !range["type"].is_string() ||
              !range.contains("events") || !range["events"].is_array())
            return bad(rat, "needs a type and events");
          const std::string type = range["type"].get<std::string>();
          if (type == "GIT") continue;
          if (type != "ECOSYSTEM" && type != "SEMVER") return bad(rat + ".type", "unknown range type " + quote(type));
          Scheme scheme = type == "SEMVER" ? Scheme::semver : entry.scheme;
          if (type == "SEMVER") entry.scheme = Scheme::semver;
          FWSEAL_ASSIGN(auto intervals, osv_intervals(range["events"], scheme, rat));
          for (auto& interval : intervals) {
            ranges_text += (ranges_text.empty() ? "" : "; ") + interval_text(interval);
            entry.ranges.push_back(std::move(interval));
          }
        }
      }
      if (item.contains("versions")) {
        if (!item["versions"].is_array()) return bad(here + ".versions", "must be an array of strings");
        for (const auto& v : item["versions"]) {
          if (!v.is_string()) return bad(here + ".versions", "must be an array of strings");
          entry.versions.push_back(v.get<std::string>());
        }
        if (!entry.versions.empty())
          ranges_text += (ranges_text.empty() ? "" : "; ") + std::to_string(entry.versions.size()) + " listed versions";
      }
      if (entry.ranges.empty() && entry.versions.empty()) continue;  // nothing fwseal can compare
      entry.rule = "OSV " + ecosystem + " " + name + ": " + ranges_text;
      a.affected.push_back(std::move(entry));
    }
  }
  return a;
}

}  // namespace fwseal::inventory

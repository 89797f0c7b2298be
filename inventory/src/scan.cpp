// fwseal inventory scan: advisories against every recorded release.
#include "fwseal/inventory/scan.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "fwseal/base/text.h"
#include "fwseal/inventory/advisory.h"
#include "fwseal/inventory/purl_match.h"
#include "fwseal/sbom/purl.h"
#include "table.h"

namespace fwseal::inventory {
namespace {

using nlohmann::json;

// A distribution's release as purls may name it: Debian's code names are its
// version numbers.
std::string normal_distro(std::string distro) {
  static const std::map<std::string, std::string> kCodeNames = {
      {"buster", "debian-10"}, {"bullseye", "debian-11"}, {"bookworm", "debian-12"}, {"trixie", "debian-13"},
      {"focal", "ubuntu-20.04"}, {"jammy", "ubuntu-22.04"}, {"noble", "ubuntu-24.04"}};
  std::transform(distro.begin(), distro.end(), distro.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (auto it = kCodeNames.find(distro); it != kCodeNames.end()) return it->second;
  return distro;
}

// "alpine-3.18" covers a component built for alpine-3.18 or alpine-3.18.4.
bool distro_covers(const std::string& advisory, const std::string& component) {
  if (advisory.empty()) return true;
  if (component == advisory) return true;
  return component.size() > advisory.size() && component.starts_with(advisory) && component[advisory.size()] == '.';
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

struct Component {
  std::string id, name, version, purl, type, ns, distro;
  std::string match_version;  // the version advisories are compared with
  std::string evidence;
};

// What of a component advisories match: its purl type and name, for a
// Debian-family package the source package (purl `upstream` qualifier) and
// its version, and the distribution release.
std::optional<Component> component_of(const Row& row) {
  Component c{row[0].value_or(""), row[1].value_or(""), row[2].value_or(""), row[3].value_or(""), {}, {}, {}, {}, {}};
  auto parts = sbom::parse_purl(c.purl, "component");
  if (!parts.ok()) return std::nullopt;
  c.type = lower(parts->type);
  c.ns = lower(parts->ns);
  c.match_version = !parts->version.empty() ? parts->version : c.version;
  if (auto d = parts->qualifiers.find("distro"); d != parts->qualifiers.end()) c.distro = normal_distro(d->second);
  c.evidence = c.purl;
  if (auto up = parts->qualifiers.find("upstream"); up != parts->qualifiers.end() && (c.type == "deb")) {
    auto at = up->second.find('@');
    if (at != std::string::npos) c.match_version = up->second.substr(at + 1);
    c.evidence += " (source package " + up->second.substr(0, at) + " " + c.match_version + ")";
  }
  return c;
}

std::string key_of(const std::string& type, const std::string& name) { return type + '\n' + lower(name); }

std::vector<VersionInterval> intervals_from(const std::string& text) {
  std::vector<VersionInterval> out;
  json j = json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& r : j) {
    if (!r.is_object()) continue;
    VersionInterval i;
    for (const char* k : {"gte", "gt"})
      if (r.contains(k) && r[k].is_string()) {
        i.lower = r[k].get<std::string>();
        i.lower_inclusive = std::string(k) == "gte";
      }
    for (const char* k : {"lte", "lt"})
      if (r.contains(k) && r[k].is_string()) {
        i.upper = r[k].get<std::string>();
        i.upper_inclusive = std::string(k) == "lte";
      }
    out.push_back(std::move(i));
  }
  return out;
}

int severity_rank(const std::string& s) {
  if (s == "critical") return 0;
  if (s == "high") return 1;
  if (s == "medium") return 2;
  if (s == "low") return 3;
  if (s == "none") return 4;
  return 5;  // unknown
}

std::optional<Date> stored_date(const Cell& c) {
  if (!c) return std::nullopt;
  auto d = parse_date(*c, "inventory");
  return d.ok() ? std::optional<Date>(*d) : std::nullopt;
}

}  // namespace

bool at_or_above(const Finding& f, Severity threshold) {
  if (!f.cvss) return true;
  return static_cast<int>(severity_of(*f.cvss)) >= static_cast<int>(threshold);
}

Result<std::vector<Finding>> scan(Connection& db, const ScanOptions& o) {
  if (o.release) {
    FWSEAL_ASSIGN(auto r, db.query("SELECT r.id FROM releases r JOIN products p ON p.id = r.product_id WHERE p.name = ? "
                                   "AND r.version = ?",
                                   {o.release->first, o.release->second}));
    if (r.empty())
      return make_error(Code::usage, quote(o.release->first) + " " + quote(o.release->second) +
                                         " is not in the inventory (fwseal inventory list shows what is)");
  }
  if (o.product) {
    FWSEAL_ASSIGN(auto p, db.query("SELECT id FROM products WHERE name = ?", {*o.product}));
    if (p.empty()) return make_error(Code::usage, "product " + quote(*o.product) + " is not in the inventory");
  }
  // The components, indexed by what advisories name: type and (source) name.
  FWSEAL_ASSIGN(auto component_rows,
                db.query("SELECT id, name, version, purl, purl_type, purl_name, upstream FROM components WHERE purl IS NOT "
                         "NULL"));
  std::vector<Component> components;
  std::map<std::string, std::vector<std::size_t>> by_key;
  for (const auto& row : component_rows) {
    auto c = component_of(row);
    if (!c) continue;
    std::string name = row[6] ? *row[6] : row[5].value_or("");
    by_key[key_of(c->type, name)].push_back(components.size());
    components.push_back(std::move(*c));
  }

  FWSEAL_ASSIGN(auto affected,
                db.query("SELECT af.purl_type, af.purl_namespace, af.name, af.distro, af.scheme, af.ranges, af.versions, "
                         "af.rule, a.id, a.advisory_id, a.summary, a.cvss_vector FROM advisory_affected af JOIN "
                         "advisories a ON a.id = af.advisory_id WHERE a.withdrawn IS NULL"));
  struct Match {
    std::size_t component;
    std::string advisory_row, advisory, summary, cvss_vector, fixed, rule;
  };
  std::vector<Match> matches;
  for (const auto& row : affected) {
    auto it = by_key.find(key_of(row[0].value_or(""), row[2].value_or("")));
    if (it == by_key.end()) continue;
    AffectedPackage entry;
    entry.purl_type = row[0].value_or("");
    entry.purl_namespace = lower(row[1].value_or(""));
    entry.name = row[2].value_or("");
    entry.distro = row[3].value_or("");
    entry.scheme = scheme_from_name(row[4].value_or("")).value_or(Scheme::generic);
    entry.ranges = intervals_from(row[5].value_or("[]"));
    json versions = json::parse(row[6].value_or("[]"), nullptr, false);
    if (versions.is_array())
      for (const auto& v : versions)
        if (v.is_string()) entry.versions.push_back(v.get<std::string>());
    for (std::size_t index : it->second) {
      const Component& c = components[index];
      if (!entry.purl_namespace.empty() && c.ns != entry.purl_namespace) continue;
      // A distribution's advisory is for its own builds only: a component
      // that does not say which release it was built for is not matched.
      if (!entry.distro.empty() && !distro_covers(entry.distro, c.distro)) continue;
      if (c.match_version.empty() || !affects(entry, c.match_version)) continue;
      matches.push_back(Match{index, row[8].value_or(""), row[9].value_or(""), row[10].value_or(""),
                              row[11].value_or(""), fixed_version(entry, c.match_version),
                              row[7].value_or("") + (entry.distro.empty() ? "" : " (distro " + entry.distro + ")")});
    }
  }

  // Aliases of the matched advisories, and a CVSS vector from an alias when
  // the advisory has none (a distribution's record of a CVE that NVD or the
  // CVE's own OSV record scores).
  std::vector<std::string> advisory_rows;
  for (const auto& m : matches) advisory_rows.push_back(m.advisory_row);
  std::sort(advisory_rows.begin(), advisory_rows.end());
  advisory_rows.erase(std::unique(advisory_rows.begin(), advisory_rows.end()), advisory_rows.end());
  FWSEAL_ASSIGN(auto alias_rows,
                query_in(db, "SELECT advisory_id, alias FROM advisory_aliases WHERE advisory_id IN ", advisory_rows,
                         " ORDER BY alias"));
  std::map<std::string, std::vector<std::string>> aliases;
  std::vector<std::string> all_aliases;
  for (auto& r : alias_rows) {
    aliases[r[0].value_or("")].push_back(r[1].value_or(""));
    all_aliases.push_back(r[1].value_or(""));
  }
  FWSEAL_ASSIGN(auto alias_scores, query_in(db,
                                            "SELECT advisory_id, cvss_vector FROM advisories WHERE cvss_vector IS NOT "
                                            "NULL AND advisory_id IN ",
                                            all_aliases));
  std::map<std::string, std::string> vector_of;  // advisory id -> CVSS vector
  for (auto& r : alias_scores) vector_of[r[0].value_or("")] = r[1].value_or("");

  // The releases carrying each matched component.
  std::vector<std::string> component_ids;
  for (const auto& m : matches) component_ids.push_back(components[m.component].id);
  std::sort(component_ids.begin(), component_ids.end());
  component_ids.erase(std::unique(component_ids.begin(), component_ids.end()), component_ids.end());
  FWSEAL_ASSIGN(auto release_rows, query_in(db,
                                            "SELECT rc.component_id, p.name, r.version, r.verified, p.launched, "
                                            "p.discontinued FROM release_components rc JOIN releases r ON r.id = "
                                            "rc.release_id JOIN products p ON p.id = r.product_id WHERE "
                                            "rc.component_id IN ",
                                            component_ids));
  FWSEAL_ASSIGN(SupportPolicy policy, load_policy(db));
  std::map<std::string, std::vector<const Row*>> releases_of;
  for (const auto& r : release_rows) {
    const std::string product = r[1].value_or(""), version = r[2].value_or("");
    if (o.product && product != *o.product) continue;
    if (o.release && (product != o.release->first || version != o.release->second)) continue;
    releases_of[r[0].value_or("")].push_back(&r);
  }

  std::vector<Finding> findings;
  for (const auto& m : matches) {
    const Component& c = components[m.component];
    Finding base;
    base.component = c.name;
    base.component_version = c.version;
    base.purl = c.purl;
    base.advisory = m.advisory;
    base.aliases = aliases[m.advisory_row];
    base.summary = m.summary;
    base.fixed = m.fixed;
    base.rule = m.rule;
    base.evidence = c.evidence;
    std::string vector = m.cvss_vector;
    base.cvss_source = vector.empty() ? "" : m.advisory;
    if (vector.empty())
      for (const auto& alias : base.aliases)
        if (auto v = vector_of.find(alias); v != vector_of.end()) {
          auto parsed = parse_cvss3(v->second);
          if (parsed.ok() && (vector.empty() || parsed->base_score > parse_cvss3(vector)->base_score)) {
            vector = v->second;
            base.cvss_source = alias;
          }
        }
    if (!vector.empty())
      if (auto parsed = parse_cvss3(vector); parsed.ok()) {
        base.cvss = parsed->base_score;
        base.cvss_vector = vector;
      }
    base.severity = base.cvss ? std::string(severity_name(severity_of(*base.cvss))) : "unknown";
    for (const Row* r : releases_of[c.id]) {
      Finding f = base;
      f.product = (*r)[1].value_or("");
      f.version = (*r)[2].value_or("");
      f.verified = (*r)[3] == "1";
      f.stage = std::string(stage_name(stage_on(stored_date((*r)[4]), stored_date((*r)[5]), o.on, policy)));
      findings.push_back(std::move(f));
    }
  }
  std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    if (int d = severity_rank(a.severity) - severity_rank(b.severity); d != 0) return d < 0;
    if (a.product != b.product) return a.product < b.product;
    if (int d = compare_generic(a.version, b.version); d != 0) return d < 0;
    return std::tie(a.advisory, a.component) < std::tie(b.advisory, b.component);
  });
  return findings;
}

std::string findings_to_json(const std::vector<Finding>& findings) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& f : findings)
    out.push_back({{"product", f.product},
                   {"version", f.version},
                   {"verified", f.verified},
                   {"stage", f.stage},
                   {"advisory", f.advisory},
                   {"aliases", f.aliases},
                   {"summary", f.summary},
                   {"severity", f.severity},
                   {"cvss", f.cvss ? nlohmann::ordered_json(*f.cvss) : nlohmann::ordered_json(nullptr)},
                   {"cvss_vector", f.cvss_vector.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(f.cvss_vector)},
                   {"cvss_source", f.cvss_source.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(f.cvss_source)},
                   {"component", f.component},
                   {"component_version", f.component_version},
                   {"purl", f.purl},
                   {"fixed", f.fixed.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(f.fixed)},
                   {"matched", {{"rule", f.rule}, {"component", f.evidence}}}});
  return out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string cvss_text(const Finding& f) {
  if (!f.cvss) return "";
  char buf[8];
  std::snprintf(buf, sizeof buf, "%.1f", *f.cvss);
  return buf;
}

std::string findings_to_csv(const std::vector<Finding>& findings) {
  std::string out = "severity,cvss,advisory,aliases,product,version,verified,stage,component,component_version,purl,"
                    "fixed,rule\n";
  for (const auto& f : findings) {
    std::string aliases;
    for (const auto& a : f.aliases) aliases += (aliases.empty() ? "" : " ") + a;
    out += csv_row({f.severity, cvss_text(f), f.advisory, aliases, f.product, f.version, f.verified ? "yes" : "no",
                    f.stage, f.component, f.component_version, f.purl, f.fixed, f.rule});
  }
  return out;
}

std::string findings_to_table(const std::vector<Finding>& findings) {
  std::vector<std::vector<std::string>> rows = {
      {"SEVERITY", "CVSS", "ADVISORY", "PRODUCT", "VERSION", "STAGE", "COMPONENT", "COMPONENT VERSION", "FIXED IN"}};
  for (const auto& f : findings)
    rows.push_back({f.severity, cvss_text(f).empty() ? "-" : cvss_text(f), f.advisory, f.product,
                    f.version + (f.verified ? "" : " (unverified)"), f.stage, f.component, f.component_version,
                    f.fixed.empty() ? "-" : f.fixed});
  return text_table(rows);
}

}  // namespace fwseal::inventory

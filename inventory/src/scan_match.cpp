// fwseal inventory scan, its first phases: the advisory entries to match,
// the components they can match, and which entry affects which component.
#include "scan_match.h"

#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "fwseal/base/text.h"
#include "fwseal/sbom/purl.h"
#include "json_member.h"

namespace fwseal::inventory {
namespace {

using nlohmann::json;

// A distribution's release as purls may name it: Debian's code names are its
// version numbers.
std::string normal_distro(std::string distro) {
  static const std::map<std::string, std::string> kCodeNames = {
      {"buster", "debian-10"}, {"bullseye", "debian-11"}, {"bookworm", "debian-12"}, {"trixie", "debian-13"},
      {"focal", "ubuntu-20.04"}, {"jammy", "ubuntu-22.04"}, {"noble", "ubuntu-24.04"}};
  distro = ascii_lower(distro);
  if (auto it = kCodeNames.find(distro); it != kCodeNames.end()) return it->second;
  return distro;
}

// "alpine-3.18" covers a component built for alpine-3.18 or alpine-3.18.4.
bool distro_covers(const std::string& advisory, const std::string& component) {
  if (advisory.empty()) return true;
  if (component == advisory) return true;
  return component.size() > advisory.size() && component.starts_with(advisory) && component[advisory.size()] == '.';
}

// What of a component advisories match: its purl type and name, for a
// Debian-family package the source package (purl `upstream` qualifier) and
// its version, and the distribution release; for a component without a
// package manager's purl, its CPE's vendor and product.
std::optional<Component> component_of(const Row& row) {
  Component c{row[0].value_or(""), row[1].value_or(""), row[2].value_or(""), row[3].value_or(""), {}, {}, {}, {}, {},
              {}, {}, {}, {}};
  if (!c.purl.empty()) {
    auto parts = sbom::parse_purl(c.purl, "component");
    if (!parts.ok()) return std::nullopt;
    c.type = ascii_lower(parts->type);
    c.ns = ascii_lower(parts->ns);
    c.match_version = !parts->version.empty() ? parts->version : c.version;
    if (auto d = parts->qualifiers.find("distro"); d != parts->qualifiers.end()) c.distro = normal_distro(d->second);
    c.evidence = c.purl;
    if (auto up = parts->qualifiers.find("upstream"); up != parts->qualifiers.end() && (c.type == "deb")) {
      auto at = up->second.find('@');
      if (at != std::string::npos) c.match_version = up->second.substr(at + 1);
      c.evidence += " (source package " + up->second.substr(0, at) + " " + c.match_version + ")";
    }
  }
  c.cpe = row[7].value_or("");
  if ((c.type.empty() || c.type == "generic") && row[7]) {
    auto f = split_cpe(*row[7]);
    if (f.size() == 13 && f[3] != "*" && f[4] != "*" && !f[3].empty() && !f[4].empty()) {
      c.cpe_vendor = ascii_lower(f[3]);
      c.cpe_product = ascii_lower(f[4]);
      std::string v = !c.version.empty() ? c.version : (f[5] != "*" && f[5] != "-" ? f[5] : "");
      c.cpe_version = upstream_version(v);
      c.evidence = (c.purl.empty() ? c.name : c.purl) + " (CPE " + *row[7] +
                   (c.cpe_version != v ? ", upstream version " + c.cpe_version : "") + ")";
    }
  }
  return c;
}

std::string key_of(const std::string& type, const std::string& name) { return type + '\n' + ascii_lower(name); }

// The intervals of a stored ranges array: [{"gte": "1.0", "lt": "2.0"}, ...].
std::vector<VersionInterval> intervals_in(const json& ranges) {
  std::vector<VersionInterval> out;
  if (!ranges.is_array()) return out;
  for (const auto& r : ranges) {
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

// The strings of a stored array.
std::vector<std::string> strings_in(const json& list) {
  std::vector<std::string> out;
  if (list.is_array())
    for (const auto& v : list)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

// The conditions of a stored requires array: [{"negate": false, "any":
// [{"vendor", "product", "ranges", "versions"}, ...]}, ...].
std::vector<Requirement> requirements_in(const json& requirements) {
  std::vector<Requirement> out;
  if (!requirements.is_array()) return out;
  for (const auto& r : requirements) {
    if (!r.is_object()) continue;
    Requirement req;
    req.negate = r.value("negate", false);
    if (const json* any = member(r, "any"); any && any->is_array())
      for (const auto& c : *any) {
        if (!c.is_object()) continue;
        AffectedPackage p;
        p.purl_type = "cpe";
        p.purl_namespace = ascii_lower(c.value("vendor", ""));
        p.name = ascii_lower(c.value("product", ""));
        if (const json* ranges = member(c, "ranges")) p.ranges = intervals_in(*ranges);
        if (const json* versions = member(c, "versions")) p.versions = strings_in(*versions);
        req.any.push_back(std::move(p));
      }
    out.push_back(std::move(req));
  }
  return out;
}

// The columns component_of reads, of the components `where` selects.
std::string select_components(std::string_view where) {
  return "SELECT id, name, version, purl, purl_type, purl_name, upstream, cpe FROM components " + std::string(where);
}

// The package names advisory entries give, by purl type (as given and in
// lower case), and whether any entry names a CPE instead.
struct NamedPackages {
  std::map<std::string, std::set<std::string>> names;
  bool by_cpe = false;
};

NamedPackages packages_named(const std::vector<Row>& entries) {
  NamedPackages out;
  for (const auto& row : entries) {
    const std::string type = row[0].value_or(""), name = row[2].value_or("");
    if (type == "cpe") out.by_cpe = true;
    else out.names[type].insert({name, ascii_lower(name)});
  }
  return out;
}

// The components of purl type `type` whose source package or name is one
// of `names`.
Result<std::vector<Row>> components_named(Connection& db, const std::string& type,
                                          const std::vector<std::string>& names) {
  std::string in;
  for (std::size_t i = 0; i < names.size(); ++i) in += in.empty() ? "?" : ", ?";
  std::vector<Cell> params;  // the type and the names, for upstream, then for purl_name
  for (int column = 0; column < 2; ++column) {
    params.push_back(Cell(type));
    params.insert(params.end(), names.begin(), names.end());
  }
  return db.query(select_components("WHERE (purl_type = ? AND upstream IN (" + in +
                                    ")) OR (purl_type = ? AND purl_name IN (" + in + "))"),
                  params);
}

// Only the components `entries` name, each once, in id order.
Result<std::vector<Row>> component_rows_named_by(Connection& db, const std::vector<Row>& entries) {
  const NamedPackages named = packages_named(entries);
  std::vector<Row> rows;
  for (const auto& [type, set] : named.names) {
    const std::vector<std::string> list(set.begin(), set.end());
    for (std::size_t at = 0; at < list.size(); at += 200) {
      const std::vector<std::string> chunk(list.begin() + static_cast<std::ptrdiff_t>(at),
                                           list.begin() + static_cast<std::ptrdiff_t>(std::min(list.size(), at + 200)));
      FWSEAL_ASSIGN(auto part, components_named(db, type, chunk));
      std::move(part.begin(), part.end(), std::back_inserter(rows));
    }
  }
  if (named.by_cpe) {
    FWSEAL_ASSIGN(auto part, db.query(select_components("WHERE cpe IS NOT NULL")));
    std::move(part.begin(), part.end(), std::back_inserter(rows));
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a[0] < b[0]; });
  rows.erase(std::unique(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a[0] == b[0]; }),
             rows.end());
  return rows;
}

// An advisory entry as advisory_entries reads it.
AffectedPackage entry_of(const Row& row) {
  AffectedPackage entry;
  entry.purl_type = row[0].value_or("");
  entry.purl_namespace = ascii_lower(row[1].value_or(""));
  entry.name = row[2].value_or("");
  entry.distro = row[3].value_or("");
  entry.scheme = scheme_from_name(row[4].value_or("")).value_or(Scheme::generic);
  entry.ranges = intervals_in(json::parse(row[5].value_or("[]"), nullptr, false));
  entry.versions = strings_in(json::parse(row[6].value_or("[]"), nullptr, false));
  if (entry.purl_type == "cpe")
    entry.requires_also = requirements_in(json::parse(row[12].value_or("[]"), nullptr, false));
  return entry;
}

// The version of `c` that `entry` is compared with, "" when `c` is not the
// package `entry` names.
std::string version_compared(const AffectedPackage& entry, const Component& c) {
  if (entry.purl_type == "cpe") return c.cpe_vendor == entry.purl_namespace ? c.cpe_version : "";
  if (c.type != entry.purl_type) return "";
  if (!entry.purl_namespace.empty() && c.ns != entry.purl_namespace) return "";
  // A distribution's advisory is for its own builds only: a component that
  // does not say which release it was built for is not matched.
  if (!entry.distro.empty() && !distro_covers(entry.distro, c.distro)) return "";
  return c.match_version;
}

}  // namespace

// Columns: purl type, namespace, name, distro, scheme, ranges, versions, rule,
// advisory row id, advisory id, summary, CVSS vector, requirements.
Result<std::vector<Row>> advisory_entries(Connection& db, const ScanOptions& o) {
  std::string sql =
      "SELECT af.purl_type, af.purl_namespace, af.name, af.distro, af.scheme, af.ranges, af.versions, af.rule, a.id, "
      "a.advisory_id, a.summary, a.cvss_vector, af.requires FROM advisory_affected af JOIN advisories a ON a.id = "
      "af.advisory_id WHERE a.withdrawn IS NULL";
  std::vector<Cell> params;
  if (o.newest_import_only) {
    FWSEAL_ASSIGN(auto newest, db.query("SELECT max(id) FROM advisory_imports"));
    sql += " AND a.import_id = ?";
    params.push_back(newest.empty() || !newest[0][0] ? Cell(std::string("0")) : newest[0][0]);
  }
  return db.query(sql, params);
}

ComponentIndex index_components(const std::vector<Row>& rows) {
  ComponentIndex out;
  for (const auto& row : rows) {
    auto c = component_of(row);
    if (!c) continue;
    if (!c->type.empty() && c->type != "generic")
      out.by_key[key_of(c->type, row[6] ? *row[6] : row[5].value_or(""))].push_back(out.components.size());
    if (!c->cpe_product.empty()) out.by_key[key_of("cpe", c->cpe_product)].push_back(out.components.size());
    out.components.push_back(std::move(*c));
  }
  return out;
}

Result<ComponentIndex> components_to_match(Connection& db, const ScanOptions& o, const std::vector<Row>& entries) {
  std::vector<Row> rows;
  if (o.newest_import_only && entries.size() <= 5000) {
    FWSEAL_ASSIGN(rows, component_rows_named_by(db, entries));
  } else {
    FWSEAL_ASSIGN(rows, db.query(select_components("WHERE purl IS NOT NULL OR cpe IS NOT NULL")));
  }
  return index_components(rows);
}

std::vector<Match> match_entries(const std::vector<Row>& entries, const ComponentIndex& index) {
  std::vector<Match> matches;
  for (const auto& row : entries) {
    auto it = index.by_key.find(key_of(row[0].value_or(""), row[2].value_or("")));
    if (it == index.by_key.end()) continue;
    const AffectedPackage entry = entry_of(row);
    for (std::size_t component : it->second) {
      const std::string version = version_compared(entry, index.components[component]);
      if (version.empty() || !affects(entry, version)) continue;
      matches.push_back(Match{component, row[8].value_or(""), row[9].value_or(""), row[10].value_or(""),
                              row[11].value_or(""), fixed_version(entry, version),
                              row[7].value_or("") + (entry.distro.empty() ? "" : " (distro " + entry.distro + ")"),
                              entry.requires_also});
    }
  }
  return matches;
}

Result<bool> requirements_hold(Connection& db, const std::string& release_id, const std::vector<Requirement>& reqs,
                               std::map<std::string, std::vector<Component>>& cache) {
  auto it = cache.find(release_id);
  if (it == cache.end()) {
    FWSEAL_ASSIGN(auto rows, db.query("SELECT c.id, c.name, c.version, c.purl, c.purl_type, c.purl_name, c.upstream, c.cpe "
                                      "FROM components c JOIN release_components rc ON rc.component_id = c.id WHERE "
                                      "rc.release_id = ? AND c.cpe IS NOT NULL",
                                      {release_id}));
    std::vector<Component> list;
    for (const auto& row : rows)
      if (auto c = component_of(row); c && !c->cpe_product.empty()) list.push_back(std::move(*c));
    it = cache.emplace(release_id, std::move(list)).first;
  }
  for (const auto& r : reqs) {
    bool met = false;
    for (const auto& candidate : r.any) {
      if (candidate.name.empty()) continue;
      for (const auto& c : it->second)
        if (c.cpe_vendor == candidate.purl_namespace && c.cpe_product == candidate.name && !c.cpe_version.empty() &&
            affects(candidate, c.cpe_version))
          met = true;
    }
    if (met == r.negate) return false;
  }
  return true;
}

}  // namespace fwseal::inventory

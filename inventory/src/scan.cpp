// fwseal inventory scan: advisories against every recorded release.
#include "fwseal/inventory/scan.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <tuple>
#include <nlohmann/json.hpp>
#include <set>

#include "fwseal/base/text.h"
#include "fwseal/base/time.h"
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


struct Component {
  std::string id, name, version, purl, type, ns, distro;
  std::string match_version;  // the version purl-keyed advisories are compared with
  std::string evidence;
  // By CPE, for a component without a package manager's purl: the vendor
  // and product of its CPE (from fwseal's curated table of fingerprinted
  // components, or declared by the build) and its upstream version.
  std::string cpe_vendor, cpe_product, cpe_version;
  std::string cpe;
};

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

std::vector<Requirement> requirements_from(const std::string& text) {
  std::vector<Requirement> out;
  json j = json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& r : j) {
    if (!r.is_object()) continue;
    Requirement req;
    req.negate = r.value("negate", false);
    if (r.contains("any") && r["any"].is_array())
      for (const auto& c : r["any"]) {
        if (!c.is_object()) continue;
        AffectedPackage p;
        p.purl_type = "cpe";
        p.purl_namespace = ascii_lower(c.value("vendor", ""));
        p.name = ascii_lower(c.value("product", ""));
        p.ranges = intervals_from(c.contains("ranges") ? c["ranges"].dump() : "[]");
        if (c.contains("versions") && c["versions"].is_array())
          for (const auto& v : c["versions"])
            if (v.is_string()) p.versions.push_back(v.get<std::string>());
        req.any.push_back(std::move(p));
      }
    out.push_back(std::move(req));
  }
  return out;
}

// The other conditions of an NVD configuration, in one release: each must
// be met by some component of that release (a platform that is not a
// component, such as a hardware CPE, never is).
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

Status check_advisory_age(Connection& db, std::uint64_t max_age, std::int64_t now) {
  FWSEAL_ASSIGN(auto newest, newest_import(db));
  if (!newest)
    return make_error(Code::gate, "no advisories imported: --max-age " + std::to_string(max_age) +
                                      " cannot be met (fwseal inventory advisories import)");
  FWSEAL_ASSIGN(std::int64_t when, parse_rfc3339_utc(*newest, "inventory"));
  const std::int64_t age_days = (now - when) / 86400;
  if (age_days > static_cast<std::int64_t>(max_age))
    return make_error(Code::gate, "the newest advisory import is " + std::to_string(age_days) + " days old (" + *newest +
                                      "), more than --max-age " + std::to_string(max_age));
  return ok_status();
}

Status check_gate(const std::vector<Finding>& findings, Severity threshold) {
  std::size_t failing = 0, unscored = 0;
  for (const auto& f : findings)
    if (at_or_above(f, threshold)) {
      ++failing;
      if (!f.cvss) ++unscored;
    }
  if (!failing) return ok_status();
  return make_error(Code::gate, "policy gate failed: " + std::to_string(failing) + " findings at or above " +
                                    std::string(severity_name(threshold)) +
                                    (unscored ? " (" + std::to_string(unscored) + " without a CVSS v3 score, counted as above)"
                                              : std::string()));
}

bool at_or_above(const Finding& f, Severity threshold) {
  if (!f.open()) return false;
  if (!f.cvss) return true;
  return static_cast<int>(severity_of(*f.cvss)) >= static_cast<int>(threshold);
}

Status scan_each(Connection& db, const ScanOptions& o, const FindingSink& sink) {
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
  // The advisory entries to match: all, or those the newest import added
  // or changed.
  std::string affected_sql =
      "SELECT af.purl_type, af.purl_namespace, af.name, af.distro, af.scheme, af.ranges, af.versions, af.rule, a.id, "
      "a.advisory_id, a.summary, a.cvss_vector, af.requires FROM advisory_affected af JOIN advisories a ON a.id = "
      "af.advisory_id WHERE a.withdrawn IS NULL";
  std::vector<Cell> affected_params;
  if (o.newest_import_only) {
    FWSEAL_ASSIGN(auto newest, db.query("SELECT max(id) FROM advisory_imports"));
    affected_sql += " AND a.import_id = ?";
    affected_params.push_back(newest.empty() || !newest[0][0] ? Cell(std::string("0")) : newest[0][0]);
  }
  FWSEAL_ASSIGN(auto affected, db.query(affected_sql, affected_params));

  // The components, indexed by what advisories name: type and (source)
  // name. For a few entries, only the components they name (by index).
  const std::string columns = "SELECT id, name, version, purl, purl_type, purl_name, upstream, cpe FROM components ";
  std::vector<Row> component_rows;
  if (o.newest_import_only && affected.size() <= 5000) {
    std::map<std::string, std::set<std::string>> names;  // purl type -> names as given and in lower case
    bool by_cpe = false;
    for (const auto& row : affected) {
      const std::string type = row[0].value_or(""), name = row[2].value_or("");
      if (type == "cpe") by_cpe = true;
      else names[type].insert({name, ascii_lower(name)});
    }
    for (const auto& [type, set] : names) {
      std::vector<std::string> list(set.begin(), set.end());
      for (std::size_t at = 0; at < list.size(); at += 200) {
        std::vector<Cell> params{Cell(type)};
        std::string in;
        for (std::size_t i = at; i < std::min(list.size(), at + 200); ++i) {
          in += in.empty() ? "?" : ", ?";
          params.push_back(list[i]);
        }
        const std::size_t n = params.size() - 1;
        for (std::size_t i = 0; i < n; ++i) params.push_back(params[1 + i]);
        params.insert(params.begin() + static_cast<std::ptrdiff_t>(n + 1), Cell(type));
        FWSEAL_ASSIGN(auto part, db.query(columns + "WHERE (purl_type = ? AND upstream IN (" + in +
                                              ")) OR (purl_type = ? AND purl_name IN (" + in + "))",
                                          params));
        std::move(part.begin(), part.end(), std::back_inserter(component_rows));
      }
    }
    if (by_cpe) {
      FWSEAL_ASSIGN(auto part, db.query(columns + "WHERE cpe IS NOT NULL"));
      std::move(part.begin(), part.end(), std::back_inserter(component_rows));
    }
    std::sort(component_rows.begin(), component_rows.end(),
              [](const Row& a, const Row& b) { return a[0] < b[0]; });
    component_rows.erase(std::unique(component_rows.begin(), component_rows.end(),
                                     [](const Row& a, const Row& b) { return a[0] == b[0]; }),
                         component_rows.end());
  } else {
    FWSEAL_ASSIGN(component_rows, db.query(columns + "WHERE purl IS NOT NULL OR cpe IS NOT NULL"));
  }
  std::vector<Component> components;
  std::map<std::string, std::vector<std::size_t>> by_key;
  for (const auto& row : component_rows) {
    auto c = component_of(row);
    if (!c) continue;
    if (!c->type.empty() && c->type != "generic")
      by_key[key_of(c->type, row[6] ? *row[6] : row[5].value_or(""))].push_back(components.size());
    if (!c->cpe_product.empty()) by_key[key_of("cpe", c->cpe_product)].push_back(components.size());
    components.push_back(std::move(*c));
  }

  struct Match {
    std::size_t component;
    std::string advisory_row, advisory, summary, cvss_vector, fixed, rule;
    std::vector<Requirement> requires_also;
  };
  std::vector<Match> matches;
  for (const auto& row : affected) {
    auto it = by_key.find(key_of(row[0].value_or(""), row[2].value_or("")));
    if (it == by_key.end()) continue;
    AffectedPackage entry;
    entry.purl_type = row[0].value_or("");
    entry.purl_namespace = ascii_lower(row[1].value_or(""));
    entry.name = row[2].value_or("");
    entry.distro = row[3].value_or("");
    entry.scheme = scheme_from_name(row[4].value_or("")).value_or(Scheme::generic);
    entry.ranges = intervals_from(row[5].value_or("[]"));
    json versions = json::parse(row[6].value_or("[]"), nullptr, false);
    if (versions.is_array())
      for (const auto& v : versions)
        if (v.is_string()) entry.versions.push_back(v.get<std::string>());
    const bool by_cpe = entry.purl_type == "cpe";
    if (by_cpe) entry.requires_also = requirements_from(row[12].value_or("[]"));
    for (std::size_t index : it->second) {
      const Component& c = components[index];
      std::string version;
      if (by_cpe) {
        if (c.cpe_vendor != entry.purl_namespace) continue;
        version = c.cpe_version;
      } else {
        if (c.type != entry.purl_type) continue;
        if (!entry.purl_namespace.empty() && c.ns != entry.purl_namespace) continue;
        // A distribution's advisory is for its own builds only: a component
        // that does not say which release it was built for is not matched.
        if (!entry.distro.empty() && !distro_covers(entry.distro, c.distro)) continue;
        version = c.match_version;
      }
      if (version.empty() || !affects(entry, version)) continue;
      matches.push_back(Match{index, row[8].value_or(""), row[9].value_or(""), row[10].value_or(""),
                              row[11].value_or(""), fixed_version(entry, version),
                              row[7].value_or("") + (entry.distro.empty() ? "" : " (distro " + entry.distro + ")"),
                              entry.requires_also});
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
  // Each release once (its product, version, verification and support
  // dates), then which of them carry each component: pairs of ids, read from
  // the covering index.
  FWSEAL_ASSIGN(auto release_info, db.query("SELECT '', p.name, r.version, r.verified, p.launched, p.discontinued, r.id "
                                            "FROM releases r JOIN products p ON p.id = r.product_id"));
  std::map<std::string, const Row*> release_by_id;
  for (const auto& r : release_info) {
    const std::string product = r[1].value_or(""), version = r[2].value_or("");
    if (o.product && product != *o.product) continue;
    if (o.release && (product != o.release->first || version != o.release->second)) continue;
    release_by_id.emplace(r[6].value_or(""), &r);
  }
  FWSEAL_ASSIGN(auto carried, query_in(db, "SELECT component_id, release_id FROM release_components WHERE component_id IN ",
                                       component_ids));
  FWSEAL_ASSIGN(SupportPolicy policy, load_policy(db));
  std::map<std::string, std::vector<const Row*>> releases_of;
  for (const auto& pair : carried)
    if (auto r = release_by_id.find(pair[1].value_or("")); r != release_by_id.end())
      releases_of[pair[0].value_or("")].push_back(r->second);

  std::map<std::string, std::vector<Component>> release_cpes;  // release id -> its components with a CPE
  // A component matched by one advisory id more than once (NVD's and the
  // CVE Program's record of one CVE, or two entries of one record) needs
  // its findings merged; everything else is one finding per release.
  std::map<std::pair<std::size_t, std::string>, int> times_matched;
  for (const auto& m : matches) ++times_matched[{m.component, m.advisory}];
  // Triage: only findings whose advisory or alias a statement names look
  // for the deciding one.
  FWSEAL_ASSIGN(auto statements, list_statements(db));
  std::set<std::string> stated;
  for (const auto& st : statements) stated.insert(st.vulnerability);
  std::map<std::string, std::string> stage_of;  // release id -> its stage on o.on
  std::map<std::string, Cvss3> scored;          // vector -> its parse
  auto score = [&](const std::string& vector) -> const Cvss3* {
    auto it = scored.find(vector);
    if (it == scored.end()) {
      auto parsed = parse_cvss3(vector);
      if (!parsed.ok()) return nullptr;
      it = scored.emplace(vector, *parsed).first;
    }
    return &it->second;
  };

  // One base finding per match (what is the same in every release), and
  // per release carrying it a small item: findings are made one at a time
  // as they are handed out, so a scan's memory grows with its matches, not
  // with the millions of findings a large inventory can have.
  std::vector<Finding> bases;
  struct Item {
    std::size_t base;
    const Row* release;
    const std::string* stage;
    const Statement* statement;
    std::size_t rank;  // severity, then release order
  };
  std::vector<Item> items;
  std::map<std::tuple<std::string, std::size_t, std::string>, std::size_t> merged_at;  // release, component, advisory
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
    base.cpe = c.cpe;
    std::string vector = m.cvss_vector;
    base.cvss_source = vector.empty() ? "" : m.advisory;
    if (vector.empty())
      for (const auto& alias : base.aliases)
        if (auto v = vector_of.find(alias); v != vector_of.end())
          if (const Cvss3* parsed = score(v->second);
              parsed && (vector.empty() || parsed->base_score > score(vector)->base_score)) {
            vector = v->second;
            base.cvss_source = alias;
          }
    if (!vector.empty())
      if (const Cvss3* parsed = score(vector)) {
        base.cvss = parsed->base_score;
        base.cvss_vector = vector;
      }
    base.severity = base.cvss ? std::string(severity_name(severity_of(*base.cvss))) : "unknown";
    std::vector<std::string> ids = base.aliases;
    ids.push_back(base.advisory);
    const bool triaged = std::any_of(ids.begin(), ids.end(), [&](const std::string& id) { return stated.count(id) > 0; });
    const bool merge = times_matched[{m.component, m.advisory}] > 1;
    const std::size_t base_index = bases.size();
    bases.push_back(std::move(base));
    for (const Row* r : releases_of[c.id]) {
      const std::string& release_id = *(*r)[6];
      if (!m.requires_also.empty()) {
        FWSEAL_ASSIGN(bool holds, requirements_hold(db, release_id, m.requires_also, release_cpes));
        if (!holds) continue;
      }
      if (merge) {
        auto [it, fresh] = merged_at.emplace(std::make_tuple(release_id, m.component, m.advisory), items.size());
        if (!fresh) {
          // A base of its own for this release, holding both matches.
          Item& item = items[it->second];
          Finding kept = bases[item.base];
          const Finding& add = bases[base_index];
          if (kept.rule.find(add.rule) == std::string::npos) kept.rule += "; " + add.rule;
          if (kept.fixed.empty()) kept.fixed = add.fixed;
          for (const auto& alias : add.aliases)
            if (std::find(kept.aliases.begin(), kept.aliases.end(), alias) == kept.aliases.end())
              kept.aliases.push_back(alias);
          if (add.cvss && (!kept.cvss || *add.cvss > *kept.cvss)) {
            kept.cvss = add.cvss;
            kept.cvss_vector = add.cvss_vector;
            kept.cvss_source = add.cvss_source;
            kept.severity = add.severity;
          }
          if (kept.summary.empty()) kept.summary = add.summary;
          item.base = bases.size();
          bases.push_back(std::move(kept));
          continue;
        }
      }
      auto stage = stage_of.find(release_id);
      if (stage == stage_of.end())
        stage = stage_of
                    .emplace(release_id, std::string(stage_name(stage_on(stored_date((*r)[4]), stored_date((*r)[5]),
                                                                          o.on, policy))))
                    .first;
      const Statement* statement = nullptr;
      if (triaged) {
        const Finding& b = bases[base_index];
        std::vector<std::string> all_ids = b.aliases;
        all_ids.push_back(b.advisory);
        statement = deciding_statement(statements, all_ids, Package{b.purl, b.cpe, b.component_version, (*r)[1].value_or("")});
      }
      items.push_back(Item{base_index, r, &stage->second, statement, 0});
    }
  }

  // The filters.
  std::erase_if(items, [&](const Item& item) {
    const Finding& b = bases[item.base];
    const bool open = !item.statement || (item.statement->status != "not_affected" && item.statement->status != "fixed");
    if (o.open_only && !open) return true;
    if (o.untriaged_only && item.statement) return true;
    if (o.min_severity && b.cvss && severity_of(*b.cvss) < *o.min_severity) return true;
    if (o.in_support) {
      if (*item.stage == stage_name(Stage::end_of_support)) return true;
      if (*item.stage == stage_name(Stage::security_fixes) && b.cvss && *b.cvss < policy.severe_cvss) return true;
    }
    return false;
  });

  // Sorted by severity, product, release version (in order), advisory,
  // component; versions ranked once.
  std::vector<std::pair<std::string, std::string>> releases;
  for (const auto& item : items) releases.emplace_back(item.release->at(1).value_or(""), item.release->at(2).value_or(""));
  std::sort(releases.begin(), releases.end());
  releases.erase(std::unique(releases.begin(), releases.end()), releases.end());
  std::stable_sort(releases.begin(), releases.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return compare_generic(a.second, b.second) < 0;
  });
  std::map<std::pair<std::string, std::string>, std::size_t> release_rank;
  for (std::size_t i = 0; i < releases.size(); ++i) release_rank.emplace(releases[i], i);
  for (auto& item : items)
    item.rank = static_cast<std::size_t>(severity_rank(bases[item.base].severity)) * releases.size() +
                release_rank.at({item.release->at(1).value_or(""), item.release->at(2).value_or("")});
  std::sort(items.begin(), items.end(), [&](const Item& a, const Item& b) {
    if (a.rank != b.rank) return a.rank < b.rank;
    const Finding& x = bases[a.base];
    const Finding& y = bases[b.base];
    return std::tie(x.advisory, x.component, x.component_version) < std::tie(y.advisory, y.component, y.component_version);
  });
  for (const auto& item : items) {
    Finding f = bases[item.base];
    f.product = item.release->at(1).value_or("");
    f.version = item.release->at(2).value_or("");
    f.verified = item.release->at(3) == "1";
    f.stage = *item.stage;
    if (item.statement) {
      f.statement = *item.statement;
      f.status = item.statement->status;
    }
    FWSEAL_TRY(sink(f));
  }
  return ok_status();
}

Result<std::vector<Finding>> scan(Connection& db, const ScanOptions& o) {
  std::vector<Finding> out;
  FWSEAL_TRY(scan_each(db, o, [&](const Finding& f) -> Status {
    out.push_back(f);
    return ok_status();
  }));
  return out;
}

namespace {

nlohmann::ordered_json statement_json(const Finding& f) {
  if (!f.statement) return nullptr;
  const Statement& s = *f.statement;
  return {{"vulnerability", s.vulnerability}, {"scope", s.scope.text},     {"status", s.status},
          {"justification", s.justification}, {"detail", s.detail},        {"author", s.author},
          {"time", s.created},                  {"source", s.source}};
}

}  // namespace

std::string finding_to_json(const Finding& f) {
  nlohmann::ordered_json j = {
      {"product", f.product},
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
      {"matched", {{"rule", f.rule}, {"component", f.evidence}}},
      {"status", f.status},
      {"statement", statement_json(f)}};
  // As an element of the array findings_to_json writes: indented by two.
  std::string text = j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  std::string out = "  ";
  for (char c : text) {
    out += c;
    if (c == '\n') out += "  ";
  }
  return out;
}

std::string findings_to_json(const std::vector<Finding>& findings) {
  if (findings.empty()) return "[]\n";
  std::string out = "[\n";
  for (std::size_t i = 0; i < findings.size(); ++i) out += finding_to_json(findings[i]) + (i + 1 < findings.size() ? ",\n" : "\n");
  return out + "]\n";
}

std::string cvss_text(const Finding& f) {
  if (!f.cvss) return "";
  char buf[8];
  std::snprintf(buf, sizeof buf, "%.1f", *f.cvss);
  return buf;
}

std::string findings_csv_header() {
  return "severity,cvss,advisory,aliases,product,version,verified,stage,component,component_version,purl,"
         "fixed,rule,status,statement_scope,justification,detail\n";
}

std::string finding_to_csv(const Finding& f) {
  std::string aliases;
  for (const auto& a : f.aliases) aliases += (aliases.empty() ? "" : " ") + a;
  return csv_row({f.severity, cvss_text(f), f.advisory, aliases, f.product, f.version, f.verified ? "yes" : "no",
                  f.stage, f.component, f.component_version, f.purl, f.fixed, f.rule, f.status,
                  f.statement ? f.statement->scope.text : "", f.statement ? f.statement->justification : "",
                  f.statement ? f.statement->detail : ""});
}

std::string findings_to_csv(const std::vector<Finding>& findings) {
  std::string out = findings_csv_header();
  for (const auto& f : findings) out += finding_to_csv(f);
  return out;
}

std::string findings_to_table(const std::vector<Finding>& findings) {
  std::vector<std::vector<std::string>> rows = {
      {"SEVERITY", "CVSS", "ADVISORY", "PRODUCT", "VERSION", "STAGE", "COMPONENT", "COMPONENT VERSION", "FIXED IN",
       "STATUS"}};
  for (const auto& f : findings)
    rows.push_back({f.severity, cvss_text(f).empty() ? "-" : cvss_text(f), f.advisory, f.product,
                    f.version + (f.verified ? "" : " (unverified)"), f.stage, f.component, f.component_version,
                    f.fixed.empty() ? "-" : f.fixed, f.status});
  return text_table(rows);
}

}  // namespace fwseal::inventory

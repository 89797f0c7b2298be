// fwseal inventory scan: advisories against every recorded release.
#include "fwseal/inventory/scan.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "fwseal/base/text.h"
#include "fwseal/base/time.h"
#include "scan_match.h"
#include "table.h"

namespace fwseal::inventory {

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

namespace {

// Code::usage when the product or release the scan is limited to is not in
// the inventory.
Status check_scope(Connection& db, const ScanOptions& o) {
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
  return ok_status();
}

std::vector<std::string> sorted_unique(std::vector<std::string> list) {
  std::sort(list.begin(), list.end());
  list.erase(std::unique(list.begin(), list.end()), list.end());
  return list;
}

// Aliases of the matched advisories, and the CVSS vectors of those aliases
// that have one: a score for an advisory without its own (a distribution's
// record of a CVE that NVD or the CVE's own OSV record scores).
struct AliasScores {
  std::map<std::string, std::vector<std::string>> aliases;  // advisory row id -> aliases, in order
  std::map<std::string, std::string> vector_of;             // advisory id -> CVSS vector
};

Result<AliasScores> load_alias_scores(Connection& db, const std::vector<Match>& matches) {
  std::vector<std::string> advisory_rows;
  for (const auto& m : matches) advisory_rows.push_back(m.advisory_row);
  FWSEAL_ASSIGN(auto alias_rows, query_in(db, "SELECT advisory_id, alias FROM advisory_aliases WHERE advisory_id IN ",
                                          sorted_unique(std::move(advisory_rows)), " ORDER BY alias"));
  AliasScores out;
  std::vector<std::string> all_aliases;
  for (auto& r : alias_rows) {
    out.aliases[r[0].value_or("")].push_back(r[1].value_or(""));
    all_aliases.push_back(r[1].value_or(""));
  }
  FWSEAL_ASSIGN(auto scored, query_in(db,
                                      "SELECT advisory_id, cvss_vector FROM advisories WHERE cvss_vector IS NOT "
                                      "NULL AND advisory_id IN ",
                                      all_aliases));
  for (auto& r : scored) out.vector_of[r[0].value_or("")] = r[1].value_or("");
  return out;
}

// The releases the scan covers, each once: '', product, version, verified,
// launched, discontinued, release id.
Result<std::vector<Row>> releases_in_scope(Connection& db, const ScanOptions& o) {
  FWSEAL_ASSIGN(auto releases, db.query("SELECT '', p.name, r.version, r.verified, p.launched, p.discontinued, r.id "
                                        "FROM releases r JOIN products p ON p.id = r.product_id"));
  std::erase_if(releases, [&](const Row& r) {
    const std::string product = r[1].value_or(""), version = r[2].value_or("");
    if (o.product && product != *o.product) return true;
    return o.release && (product != o.release->first || version != o.release->second);
  });
  return releases;
}

// Component id -> the releases in `releases` that carry it.
using ReleasesOf = std::map<std::string, std::vector<const Row*>>;

// Which of `releases` carry each matched component: pairs of ids, read from
// the covering index.
Result<ReleasesOf> releases_carrying(Connection& db, const std::vector<Row>& releases, const std::vector<Match>& matches,
                                     const std::vector<Component>& components) {
  std::vector<std::string> component_ids;
  for (const auto& m : matches) component_ids.push_back(components[m.component].id);
  std::map<std::string, const Row*> release_by_id;
  for (const auto& r : releases) release_by_id.emplace(r[6].value_or(""), &r);
  FWSEAL_ASSIGN(auto carried, query_in(db, "SELECT component_id, release_id FROM release_components WHERE component_id IN ",
                                       sorted_unique(std::move(component_ids))));
  ReleasesOf out;
  for (const auto& pair : carried)
    if (auto r = release_by_id.find(pair[1].value_or("")); r != release_by_id.end())
      out[pair[0].value_or("")].push_back(r->second);
  return out;
}

std::vector<std::string> ids_of(const Finding& f) {
  std::vector<std::string> ids = f.aliases;
  ids.push_back(f.advisory);
  return ids;
}

// The triage statements, and the advisory ids and aliases they name: only
// findings whose advisory or alias a statement names look for the deciding
// one.
struct Triage {
  std::vector<Statement> statements;
  std::set<std::string> stated;

  bool names_any(const Finding& f) const {
    const std::vector<std::string> ids = ids_of(f);
    return std::any_of(ids.begin(), ids.end(), [&](const std::string& id) { return stated.count(id) > 0; });
  }
  const Statement* deciding(const Finding& f, const Row& release) const {
    return deciding_statement(statements, ids_of(f), Package{f.purl, f.cpe, f.component_version, release[1].value_or("")});
  }
};

Result<Triage> load_triage(Connection& db) {
  Triage out;
  FWSEAL_ASSIGN(out.statements, list_statements(db));
  for (const auto& st : out.statements) out.stated.insert(st.vulnerability);
  return out;
}

std::optional<Date> stored_date(const Cell& c) {
  if (!c) return std::nullopt;
  auto d = parse_date(*c, "inventory");
  return d.ok() ? std::optional<Date>(*d) : std::nullopt;
}

// Each release's support stage on one date, worked out once.
class Stages {
 public:
  Stages(Date on, const SupportPolicy& policy) : on_(on), policy_(policy) {}

  // Stays where it is for as long as this object lives.
  const std::string& of(const Row& release) {
    const std::string& id = *release[6];
    auto it = stage_of_.find(id);
    if (it == stage_of_.end())
      it = stage_of_
               .emplace(id, std::string(stage_name(
                                stage_on(stored_date(release[4]), stored_date(release[5]), on_, policy_))))
               .first;
    return it->second;
  }

 private:
  Date on_;
  const SupportPolicy& policy_;
  std::map<std::string, std::string> stage_of_;  // release id -> its stage
};

// CVSS vectors, each parsed once.
class CvssScores {
 public:
  // nullptr when `vector` does not parse.
  const Cvss3* of(const std::string& vector) {
    auto it = parsed_.find(vector);
    if (it == parsed_.end()) {
      auto parsed = parse_cvss3(vector);
      if (!parsed.ok()) return nullptr;
      it = parsed_.emplace(vector, *parsed).first;
    }
    return &it->second;
  }

 private:
  std::map<std::string, Cvss3> parsed_;
};

// The score of `f`: its advisory's vector, else the highest of its
// aliases' vectors.
void score(Finding& f, const std::string& own_vector, const AliasScores& alias_scores, CvssScores& scores) {
  std::string vector = own_vector;
  f.cvss_source = vector.empty() ? "" : f.advisory;
  if (vector.empty())
    for (const auto& alias : f.aliases)
      if (auto v = alias_scores.vector_of.find(alias); v != alias_scores.vector_of.end())
        if (const Cvss3* parsed = scores.of(v->second);
            parsed && (vector.empty() || parsed->base_score > scores.of(vector)->base_score)) {
          vector = v->second;
          f.cvss_source = alias;
        }
  if (!vector.empty())
    if (const Cvss3* parsed = scores.of(vector)) {
      f.cvss = parsed->base_score;
      f.cvss_vector = vector;
    }
  f.severity = f.cvss ? std::string(severity_name(severity_of(*f.cvss))) : "unknown";
}

// What a match's findings share in every release carrying it.
Finding base_finding(const Match& m, const Component& c, const AliasScores& alias_scores, CvssScores& scores) {
  Finding base;
  base.component = c.name;
  base.component_version = c.version;
  base.purl = c.purl;
  base.advisory = m.advisory;
  if (auto it = alias_scores.aliases.find(m.advisory_row); it != alias_scores.aliases.end()) base.aliases = it->second;
  base.summary = m.summary;
  base.fixed = m.fixed;
  base.rule = m.rule;
  base.evidence = c.evidence;
  base.cpe = c.cpe;
  score(base, m.cvss_vector, alias_scores, scores);
  return base;
}

// One finding of two matches of one advisory id: both rules, every alias,
// the higher score; `kept`'s fixed version and summary unless it has none.
Finding merged(Finding kept, const Finding& add) {
  if (kept.rule.find(add.rule) == std::string::npos) kept.rule += "; " + add.rule;
  if (kept.fixed.empty()) kept.fixed = add.fixed;
  for (const auto& alias : add.aliases)
    if (std::find(kept.aliases.begin(), kept.aliases.end(), alias) == kept.aliases.end()) kept.aliases.push_back(alias);
  if (add.cvss && (!kept.cvss || *add.cvss > *kept.cvss)) {
    kept.cvss = add.cvss;
    kept.cvss_vector = add.cvss_vector;
    kept.cvss_source = add.cvss_source;
    kept.severity = add.severity;
  }
  if (kept.summary.empty()) kept.summary = add.summary;
  return kept;
}

// One base finding per match (what is the same in every release), and per
// release carrying it a small item: findings are made one at a time as
// they are handed out, so a scan's memory grows with its matches, not with
// the millions of findings a large inventory can have.
struct Item {
  std::size_t base;
  const Row* release;
  const std::string* stage;
  const Statement* statement;
  std::size_t rank;  // severity, then release order
};

struct PendingFindings {
  std::vector<Finding> bases;
  std::vector<Item> items;
};

// A component matched by one advisory id more than once (NVD's and the CVE
// Program's record of one CVE, or two entries of one record) needs its
// findings merged; everything else is one finding per release.
class Merger {
 public:
  explicit Merger(const std::vector<Match>& matches) {
    for (const auto& m : matches) ++times_matched_[{m.component, m.advisory}];
  }

  bool needed(const Match& m) const { return times_matched_.at({m.component, m.advisory}) > 1; }

  // True when `release` already has a finding of `m`'s component and
  // advisory: it then holds base `base` too. Otherwise the next item pushed
  // becomes that finding.
  bool merged_into_earlier(PendingFindings& pending, const std::string& release, const Match& m, std::size_t base) {
    auto [it, fresh] = merged_at_.emplace(std::make_tuple(release, m.component, m.advisory), pending.items.size());
    if (fresh) return false;
    // A base of its own for this release, holding both matches.
    Item& item = pending.items[it->second];
    Finding both = merged(pending.bases[item.base], pending.bases[base]);
    item.base = pending.bases.size();
    pending.bases.push_back(std::move(both));
    return true;
  }

 private:
  std::map<std::pair<std::size_t, std::string>, int> times_matched_;                   // component, advisory
  std::map<std::tuple<std::string, std::size_t, std::string>, std::size_t> merged_at_;  // release, component, advisory
};

// Every match in every release in scope that carries its component and
// meets its other conditions, with its stage and deciding statement.
Result<PendingFindings> pending_findings(Connection& db, const std::vector<Match>& matches,
                                         const std::vector<Component>& components, const AliasScores& alias_scores,
                                         const ReleasesOf& releases_of, const Triage& triage, Stages& stages) {
  PendingFindings pending;
  CvssScores scores;
  Merger merger(matches);
  std::map<std::string, std::vector<Component>> release_cpes;  // release id -> its components with a CPE
  for (const auto& m : matches) {
    const Component& c = components[m.component];
    const std::size_t base = pending.bases.size();
    pending.bases.push_back(base_finding(m, c, alias_scores, scores));
    const bool triaged = triage.names_any(pending.bases[base]);
    const bool merge = merger.needed(m);
    const auto carriers = releases_of.find(c.id);
    if (carriers == releases_of.end()) continue;
    for (const Row* r : carriers->second) {
      const std::string& release_id = *(*r)[6];
      if (!m.requires_also.empty()) {
        FWSEAL_ASSIGN(bool holds, requirements_hold(db, release_id, m.requires_also, release_cpes));
        if (!holds) continue;
      }
      if (merge && merger.merged_into_earlier(pending, release_id, m, base)) continue;
      const std::string& stage = stages.of(*r);
      const Statement* statement = triaged ? triage.deciding(pending.bases[base], *r) : nullptr;
      pending.items.push_back(Item{base, r, &stage, statement, 0});
    }
  }
  return pending;
}

// The filters of `o`.
void drop_filtered(PendingFindings& pending, const ScanOptions& o, const SupportPolicy& policy) {
  std::erase_if(pending.items, [&](const Item& item) {
    const Finding& b = pending.bases[item.base];
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
}

int severity_rank(const std::string& s) {
  if (s == "critical") return 0;
  if (s == "high") return 1;
  if (s == "medium") return 2;
  if (s == "low") return 3;
  if (s == "none") return 4;
  return 5;  // unknown
}

std::pair<std::string, std::string> release_of(const Item& item) {
  return {item.release->at(1).value_or(""), item.release->at(2).value_or("")};
}

// Sorted by severity, product, release version (in order), advisory,
// component; versions ranked once.
void sort_pending(PendingFindings& pending) {
  std::vector<std::pair<std::string, std::string>> releases;
  for (const auto& item : pending.items) releases.push_back(release_of(item));
  std::sort(releases.begin(), releases.end());
  releases.erase(std::unique(releases.begin(), releases.end()), releases.end());
  std::stable_sort(releases.begin(), releases.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return compare_generic(a.second, b.second) < 0;
  });
  std::map<std::pair<std::string, std::string>, std::size_t> release_rank;
  for (std::size_t i = 0; i < releases.size(); ++i) release_rank.emplace(releases[i], i);
  for (auto& item : pending.items)
    item.rank = static_cast<std::size_t>(severity_rank(pending.bases[item.base].severity)) * releases.size() +
                release_rank.at(release_of(item));
  std::sort(pending.items.begin(), pending.items.end(), [&](const Item& a, const Item& b) {
    if (a.rank != b.rank) return a.rank < b.rank;
    const Finding& x = pending.bases[a.base];
    const Finding& y = pending.bases[b.base];
    return std::tie(x.advisory, x.component, x.component_version) < std::tie(y.advisory, y.component, y.component_version);
  });
}

Status emit(const PendingFindings& pending, const FindingSink& sink) {
  for (const auto& item : pending.items) {
    Finding f = pending.bases[item.base];
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

}  // namespace

Status scan_each(Connection& db, const ScanOptions& o, const FindingSink& sink) {
  FWSEAL_TRY(check_scope(db, o));
  FWSEAL_ASSIGN(const std::vector<Row> entries, advisory_entries(db, o));
  FWSEAL_ASSIGN(const ComponentIndex index, components_to_match(db, o, entries));
  const std::vector<Match> matches = match_entries(entries, index);
  FWSEAL_ASSIGN(const AliasScores aliases, load_alias_scores(db, matches));
  FWSEAL_ASSIGN(const std::vector<Row> releases, releases_in_scope(db, o));
  FWSEAL_ASSIGN(const ReleasesOf releases_of, releases_carrying(db, releases, matches, index.components));
  FWSEAL_ASSIGN(const SupportPolicy policy, load_policy(db));
  FWSEAL_ASSIGN(const Triage triage, load_triage(db));
  Stages stages(o.on, policy);
  FWSEAL_ASSIGN(PendingFindings pending,
                pending_findings(db, matches, index.components, aliases, releases_of, triage, stages));
  drop_filtered(pending, o, policy);
  sort_pending(pending);
  return emit(pending, sink);
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

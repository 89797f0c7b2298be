#include "fwseal/inventory/vex.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "fwseal/base/file.h"
#include "fwseal/base/text.h"
#include "fwseal/base/time.h"
#include "fwseal/format/canonical_json.h"
#include "fwseal/inventory/advisory.h"
#include "fwseal/inventory/vers.h"
#include "fwseal/sbom/purl.h"
#include "json_member.h"
#include "table.h"

namespace fwseal::inventory {
namespace {

using nlohmann::json;

constexpr std::string_view kStatuses[] = {"not_affected", "affected", "fixed", "under_investigation"};
// OpenVEX 0.2 and CSAF 2.0 flags share the first five; CycloneDX 1.6 has
// the rest.
constexpr std::string_view kJustifications[] = {
    "component_not_present", "vulnerable_code_not_present", "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary", "inline_mitigations_already_exist",
    "code_not_present", "code_not_reachable", "requires_configuration", "requires_dependency",
    "requires_environment", "protected_by_compiler", "protected_at_runtime", "protected_at_perimeter",
    "protected_by_mitigating_control"};

template <std::size_t N>
bool one_of(const std::string_view (&list)[N], std::string_view v) {
  return std::find(std::begin(list), std::end(list), v) != std::end(list);
}

template <std::size_t N>
std::string listed(const std::string_view (&list)[N]) {
  std::string out;
  for (auto v : list) out += (out.empty() ? "" : ", ") + std::string(v);
  return out;
}



std::string scope_text(const Scope& s) {
  std::string out = s.kind == "cpe" ? "cpe " + s.ns + ":" + s.name : sbom::make_purl(s.type, s.ns, s.name, "");
  if (!s.version.empty()) out += "@" + s.version;
  if (!s.vers.empty()) out += " " + s.vers;
  if (!s.product.empty()) out += " in " + s.product;
  return out;
}

Error bad(const std::string& where, const std::string& what) { return make_error(Code::malformed, where + ": " + what); }

// A scope from a purl or CPE found in a VEX document; nullopt when it is
// neither.
std::optional<Scope> scope_of_identifier(const std::string& purl, const std::string& cpe) {
  if (!purl.empty()) {
    auto parts = sbom::parse_purl(purl, "purl");
    if (!parts.ok()) return std::nullopt;
    Scope s;
    s.type = ascii_lower(parts->type);
    s.ns = ascii_lower(parts->ns);
    s.name = parts->name;
    s.version = parts->version;
    s.text = scope_text(s);
    return s;
  }
  auto f = split_cpe(cpe);
  if (f.size() == 13 && f[3] != "*" && f[4] != "*" && !f[3].empty() && !f[4].empty()) {
    Scope s;
    s.kind = "cpe";
    s.type = "cpe";
    s.ns = ascii_lower(f[3]);
    s.name = ascii_lower(f[4]);
    if (f[5] != "*" && f[5] != "-") s.version = f[5];
    s.text = scope_text(s);
    return s;
  }
  return std::nullopt;
}

}  // namespace

Result<Scope> make_scope(const std::optional<std::string>& purl, const std::optional<std::string>& cpe,
                         const std::optional<std::string>& range, const std::optional<std::string>& product) {
  if (purl.has_value() == cpe.has_value()) return make_error(Code::usage, "give one of --purl and --cpe");
  Scope s;
  if (purl) {
    auto parts = sbom::parse_purl(*purl, "--purl");
    if (!parts.ok()) return make_error(Code::usage, parts.error().message);
    s.type = ascii_lower(parts->type);
    s.ns = ascii_lower(parts->ns);
    s.name = parts->name;
    s.version = parts->version;
  } else {
    auto f = split_cpe(*cpe);
    if (f.size() != 13 || f[3] == "*" || f[4] == "*" || f[3].empty() || f[4].empty())
      return make_error(Code::usage, "--cpe: not a CPE 2.3 name with a vendor and product: " + quote(*cpe, 120));
    s.kind = "cpe";
    s.type = "cpe";
    s.ns = ascii_lower(f[3]);
    s.name = ascii_lower(f[4]);
    if (f[5] != "*" && f[5] != "-") s.version = f[5];
  }
  if (range) {
    if (!s.version.empty())
      return make_error(Code::usage, "--range: the package already names one version (" + s.version + "); give one or the other");
    auto r = VersionRange::parse(*range);
    if (!r.ok()) return make_error(Code::usage, "--range: " + r.error().message);
    if (s.kind == "purl" && r->scheme() != scheme_for_purl_type(s.type) && r->scheme() != Scheme::generic)
      return make_error(Code::usage, "--range: " + std::string(scheme_name(r->scheme())) +
                                         " versions do not fit a " + s.type + " package (use vers:" +
                                         std::string(scheme_name(scheme_for_purl_type(s.type))) + "/...)");
    s.vers = r->to_string();
  }
  if (product) s.product = *product;
  s.text = scope_text(s);
  return s;
}

Status check_statement(const Statement& s) {
  if (s.vulnerability.empty() || s.vulnerability.size() > 256 ||
      !std::all_of(s.vulnerability.begin(), s.vulnerability.end(),
                   [](char c) { return c > ' ' && c < 0x7f; }))
    return make_error(Code::usage, "vulnerability id " + quote(s.vulnerability, 80) + " is not an advisory id");
  if (!one_of(kStatuses, s.status))
    return make_error(Code::usage, "--status " + quote(s.status, 40) + ": must be one of " + listed(kStatuses));
  if (!s.justification.empty() && !one_of(kJustifications, s.justification))
    return make_error(Code::usage, "--justification " + quote(s.justification, 60) + ": must be one of " + listed(kJustifications));
  if (s.status == "not_affected" && s.justification.empty() && s.detail.empty())
    return make_error(Code::usage, "a not_affected statement needs a --justification or a --detail saying why");
  if (s.detail.size() > 4096) return make_error(Code::usage, "--detail: longer than 4096 bytes");
  return ok_status();
}

namespace {

Status insert(Connection& db, const Statement& s) {
  const Scope& c = s.scope;
  auto r = db.query("INSERT INTO vex_statements (vulnerability, scope_kind, scope_type, scope_namespace, scope_name, "
             "scope_version, vers, product, status, justification, detail, author, created, source) VALUES (?, ?, ?, "
             "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             {s.vulnerability, c.kind, c.type, c.ns, c.name, c.version, c.vers, c.product, s.status, s.justification,
              s.detail, s.author, s.created, s.source});
  if (!r.ok()) return r.error();
  return ok_status();
}

}  // namespace

Status record_statement(Connection& db, const Statement& s) {
  FWSEAL_TRY(check_statement(s));
  FWSEAL_TRY(db.begin_write());
  if (auto r = insert(db, s); !r.ok()) {
    db.rollback();
    return r;
  }
  return db.commit();
}

Result<std::vector<Statement>> list_statements(Connection& db) {
  FWSEAL_ASSIGN(auto rows, db.query("SELECT vulnerability, scope_kind, scope_type, scope_namespace, scope_name, "
                                    "scope_version, vers, product, status, justification, detail, author, created, "
                                    "source FROM vex_statements ORDER BY id"));
  std::vector<Statement> out;
  for (const auto& r : rows) {
    Statement s;
    s.vulnerability = r[0].value_or("");
    s.scope.kind = r[1].value_or("");
    s.scope.type = r[2].value_or("");
    s.scope.ns = r[3].value_or("");
    s.scope.name = r[4].value_or("");
    s.scope.version = r[5].value_or("");
    s.scope.vers = r[6].value_or("");
    s.scope.product = r[7].value_or("");
    s.scope.text = scope_text(s.scope);
    s.status = r[8].value_or("");
    s.justification = r[9].value_or("");
    s.detail = r[10].value_or("");
    s.author = r[11].value_or("");
    s.created = r[12].value_or("");
    s.source = r[13].value_or("");
    out.push_back(std::move(s));
  }
  return out;
}

std::string statements_text(const std::vector<Statement>& statements, bool as_json) {
  if (as_json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& s : statements)
      out.push_back({{"vulnerability", s.vulnerability}, {"status", s.status},   {"scope", s.scope.text},
                     {"justification", s.justification}, {"detail", s.detail}, {"author", s.author},
                     {"time", s.created},                  {"source", s.source}});
    return out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  }
  std::vector<std::vector<std::string>> rows = {{"VULNERABILITY", "STATUS", "SCOPE", "JUSTIFICATION", "AUTHOR", "TIME", "SOURCE"}};
  for (const auto& s : statements)
    rows.push_back({s.vulnerability, s.status, s.scope.text, s.justification.empty() ? "-" : s.justification, s.author,
                    s.created, s.source});
  return text_table(rows);
}

namespace {

// CycloneDX analysis states onto the four VEX statuses.
std::string cdx_status(const std::string& state) {
  if (state == "not_affected" || state == "false_positive") return "not_affected";
  if (state == "resolved" || state == "resolved_with_pedigree") return "fixed";
  if (state == "exploitable") return "affected";
  if (state == "in_triage") return "under_investigation";
  return "";
}

using Parsed = std::pair<std::vector<Statement>, VexImport>;

void collect_components(const json& list, std::map<std::string, std::optional<Scope>>& refs) {
  if (!list.is_array()) return;
  for (const auto& c : list) {
    const std::string ref = string_or(c, "bom-ref");
    if (!ref.empty()) refs[ref] = scope_of_identifier(string_or(c, "purl"), string_or(c, "cpe"));
    if (const json* nested = member(c, "components")) collect_components(*nested, refs);
  }
}

Result<Parsed> parse_cyclonedx(const json& j, const std::string& where) {
  Parsed out;
  out.second.format = "cyclonedx";
  std::map<std::string, std::optional<Scope>> refs;
  if (const json* meta = member(j, "metadata"))
    if (const json* c = member(*meta, "component")) collect_components(json::array({*c}), refs);
  if (const json* list = member(j, "components")) collect_components(*list, refs);
  const json* vulns = member(j, "vulnerabilities");
  if (!vulns || !vulns->is_array()) return bad(where + ".vulnerabilities", "a CycloneDX VEX needs a vulnerabilities array");
  for (std::size_t i = 0; i < vulns->size(); ++i) {
    const json& v = (*vulns)[i];
    const std::string at = where + ".vulnerabilities[" + std::to_string(i) + "]";
    const json* analysis = member(v, "analysis");
    if (!analysis) continue;  // a vulnerability without analysis states nothing
    Statement base;
    base.vulnerability = string_or(v, "id");
    base.status = cdx_status(string_or(*analysis, "state"));
    if (base.status.empty())
      return bad(at + ".analysis.state", "not a CycloneDX analysis state: " + quote(string_or(*analysis, "state"), 40));
    base.justification = string_or(*analysis, "justification");
    base.detail = string_or(*analysis, "detail");
    if (base.status == "not_affected" && base.justification.empty() && base.detail.empty())
      base.detail = "not affected (" + string_or(*analysis, "state") + ")";
    base.created = string_or(*analysis, "lastUpdated");
    const json* affects = member(v, "affects");
    if (!affects || !affects->is_array()) return bad(at + ".affects", "needs the components it is about");
    for (std::size_t k = 0; k < affects->size(); ++k) {
      std::string ref = string_or((*affects)[k], "ref");
      std::string key = ref;
      if (ref.starts_with("urn:cdx:"))  // a BOM-Link: the component's bom-ref follows '#'
        if (auto hash = ref.find('#'); hash != std::string::npos) key = ref.substr(hash + 1);
      auto it = refs.find(key);
      if (it == refs.end() || !it->second) {
        out.second.skipped.push_back(at + ".affects[" + std::to_string(k) + "]: " + plain_or_quoted(ref) +
                                     " names no component with a purl or CPE in this document");
        continue;
      }
      // A component of a known version is stated about that version; the
      // versions list describes the vulnerable package in general.
      const json* versions = member((*affects)[k], "versions");
      if (!versions || !versions->is_array() || versions->empty() || !it->second->version.empty()) {
        Statement s = base;
        s.scope = *it->second;
        out.first.push_back(std::move(s));
        continue;
      }
      for (std::size_t n = 0; n < versions->size(); ++n) {
        const json& item = (*versions)[n];
        const std::string vat = at + ".affects[" + std::to_string(k) + "].versions[" + std::to_string(n) + "]";
        Statement s = base;
        s.scope = *it->second;
        const std::string version = string_or(item, "version"), range = string_or(item, "range");
        const std::string item_status = string_or(item, "status");
        if (!version.empty()) {
          s.scope.version = version;
        } else if (!range.empty()) {
          auto r = VersionRange::parse(range);
          if (!r.ok()) return bad(vat + ".range", r.error().message);
          s.scope.version.clear();
          s.scope.vers = r->to_string();
        } else {
          return bad(vat, "needs a version or a range");
        }
        if (item_status == "unaffected" && s.status != "fixed") {
          s.status = "not_affected";
          if (s.justification.empty() && s.detail.empty()) s.detail = "unaffected version";
        } else if (item_status == "unknown") {
          s.status = "under_investigation";
        }
        s.scope.text = scope_text(s.scope);
        out.first.push_back(std::move(s));
      }
    }
  }
  return out;
}

Result<Parsed> parse_openvex(const json& j, const std::string& where) {
  Parsed out;
  out.second.format = "openvex";
  const std::string author = string_or(j, "author"), timestamp = string_or(j, "timestamp");
  const json* list = member(j, "statements");
  if (!list || !list->is_array()) return bad(where + ".statements", "an OpenVEX document needs a statements array");
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json& st = (*list)[i];
    const std::string at = where + ".statements[" + std::to_string(i) + "]";
    Statement base;
    const json* vuln = member(st, "vulnerability");
    base.vulnerability = vuln ? string_or(*vuln, "name") : "";
    if (base.vulnerability.empty()) return bad(at + ".vulnerability.name", "is missing");
    base.status = string_or(st, "status");
    if (!one_of(kStatuses, base.status)) return bad(at + ".status", "not an OpenVEX status: " + quote(base.status, 40));
    base.justification = string_or(st, "justification");
    base.detail = string_or(st, base.status == "affected" ? "action_statement" : "impact_statement");
    base.created = string_or(st, "timestamp").empty() ? timestamp : string_or(st, "timestamp");
    base.author = author;
    const json* products = member(st, "products");
    if (!products || !products->is_array()) return bad(at + ".products", "is missing");
    for (std::size_t k = 0; k < products->size(); ++k) {
      const json& p = (*products)[k];
      std::vector<const json*> named;
      if (const json* subs = member(p, "subcomponents"); subs && subs->is_array() && !subs->empty())
        for (const auto& sub : *subs) named.push_back(&sub);
      else
        named.push_back(&p);
      for (const json* n : named) {
        const json* ids = member(*n, "identifiers");
        std::string id = string_or(*n, "@id");
        std::string purl = id.starts_with("pkg:") ? id : (ids ? string_or(*ids, "purl") : "");
        std::string cpe = id.starts_with("cpe:2.3:") ? id : (ids ? string_or(*ids, "cpe23") : "");
        auto scope = scope_of_identifier(purl, cpe);
        if (!scope) {
          out.second.skipped.push_back(at + ".products[" + std::to_string(k) + "]: " + plain_or_quoted(id) +
                                       " is not a purl or CPE");
          continue;
        }
        Statement s = base;
        s.scope = *scope;
        out.first.push_back(std::move(s));
      }
    }
  }
  return out;
}

// CSAF product id -> the scope its identification helper gives, nullopt when
// it gives no purl or CPE.
using CsafProducts = std::map<std::string, std::optional<Scope>>;

std::optional<Scope> csaf_scope(const json& product) {
  const json* helper = member(product, "product_identification_helper");
  return helper ? scope_of_identifier(string_or(*helper, "purl"), string_or(*helper, "cpe")) : std::nullopt;
}

void csaf_branches(const json& branches, CsafProducts& ids) {
  if (!branches.is_array()) return;
  for (const auto& b : branches) {
    if (const json* p = member(b, "product")) ids[string_or(*p, "product_id")] = csaf_scope(*p);
    if (const json* nested = member(b, "branches")) csaf_branches(*nested, ids);
  }
}

// Every product of the product tree: in branches, full product names, and
// relationships (a component of a product: the statement is about the
// component).
CsafProducts csaf_products(const json& j) {
  CsafProducts ids;
  const json* tree = member(j, "product_tree");
  if (!tree) return ids;
  if (const json* branches = member(*tree, "branches")) csaf_branches(*branches, ids);
  if (const json* names = member(*tree, "full_product_names"); names && names->is_array())
    for (const auto& p : *names) ids[string_or(p, "product_id")] = csaf_scope(p);
  if (const json* rels = member(*tree, "relationships"); rels && rels->is_array())
    for (const auto& r : *rels) {
      const json* full = member(r, "full_product_name");
      if (!full) continue;
      auto it = ids.find(string_or(r, "product_reference"));
      ids[string_or(*full, "product_id")] = it != ids.end() ? it->second : std::nullopt;
    }
  return ids;
}

// Who published the document, and its current release's date.
struct CsafPublisher {
  std::string author, timestamp;
};

CsafPublisher csaf_publisher(const json& j) {
  CsafPublisher out;
  if (const json* doc = member(j, "document")) {
    if (const json* publisher = member(*doc, "publisher")) out.author = string_or(*publisher, "name");
    if (const json* tracking = member(*doc, "tracking")) out.timestamp = string_or(*tracking, "current_release_date");
  }
  return out;
}

// A vulnerability's CVE, else the first of its ids; "" when it names none.
std::string csaf_vulnerability_id(const json& v) {
  std::string id = string_or(v, "cve");
  if (id.empty())
    if (const json* list = member(v, "ids"); list && list->is_array() && !list->empty()) id = string_or((*list)[0], "text");
  return id;
}

// Product id -> the `text_key` of the last item of the vulnerability's `key`
// list (of category `only_category`, when given) that names it.
std::map<std::string, std::string> csaf_per_product(const json& v, const char* key, const char* text_key,
                                                    const char* only_category) {
  std::map<std::string, std::string> out;
  if (const json* list = member(v, key); list && list->is_array())
    for (const auto& item : *list) {
      if (only_category && string_or(item, "category") != only_category) continue;
      if (const json* pids = member(item, "product_ids"); pids && pids->is_array())
        for (const auto& pid : *pids)
          if (pid.is_string()) out[pid.get<std::string>()] = string_or(item, text_key);
    }
  return out;
}

// The statements of one vulnerability: one for each product of each of its
// product_status lists that has a purl or CPE; the others are skipped.
Status add_csaf_statements(const json& v, const std::string& at, const CsafProducts& ids, const CsafPublisher& publisher,
                           Parsed& out) {
  const std::string vuln = csaf_vulnerability_id(v);
  if (vuln.empty()) return bad(at, "names no cve or ids");
  // Per product: why (flags) and what (threats of category impact; remediations).
  auto flag_of = csaf_per_product(v, "flags", "label", nullptr);
  auto impact_of = csaf_per_product(v, "threats", "details", "impact");
  auto remedy_of = csaf_per_product(v, "remediations", "details", nullptr);
  const json* status = member(v, "product_status");
  if (!status) return ok_status();
  const std::pair<const char*, const char*> kinds[] = {
      {"known_not_affected", "not_affected"}, {"known_affected", "affected"},  {"first_affected", "affected"},
      {"last_affected", "affected"},          {"fixed", "fixed"},             {"first_fixed", "fixed"},
      {"under_investigation", "under_investigation"}};
  for (const auto& [key, mapped] : kinds) {
    const json* list = member(*status, key);
    if (!list) continue;
    if (!list->is_array()) return bad(at + ".product_status." + key, "must be an array");
    for (const auto& pid_json : *list) {
      const std::string pid = pid_json.is_string() ? pid_json.get<std::string>() : "";
      auto it = ids.find(pid);
      if (it == ids.end() || !it->second) {
        out.second.skipped.push_back(at + ".product_status." + key + ": " + plain_or_quoted(pid) +
                                     " names no product with a purl or CPE");
        continue;
      }
      Statement s;
      s.vulnerability = vuln;
      s.status = mapped;
      s.scope = *it->second;
      s.justification = flag_of[pid];
      s.detail = std::string(mapped) == "affected" ? remedy_of[pid] : impact_of[pid];
      s.author = publisher.author;
      s.created = publisher.timestamp;
      out.first.push_back(std::move(s));
    }
  }
  return ok_status();
}

Result<Parsed> parse_csaf(const json& j, const std::string& where) {
  Parsed out;
  out.second.format = "csaf";
  const CsafPublisher publisher = csaf_publisher(j);
  const CsafProducts ids = csaf_products(j);
  const json* vulns = member(j, "vulnerabilities");
  if (!vulns || !vulns->is_array()) return bad(where + ".vulnerabilities", "a CSAF VEX document needs vulnerabilities");
  for (std::size_t i = 0; i < vulns->size(); ++i)
    FWSEAL_TRY(add_csaf_statements((*vulns)[i], where + ".vulnerabilities[" + std::to_string(i) + "]", ids, publisher, out));
  return out;
}

}  // namespace

Result<std::pair<std::vector<Statement>, VexImport>> parse_vex(std::string_view text, std::string_view where_view) {
  const std::string where(where_view);
  FWSEAL_ASSIGN(json j, parse_json_strict(text, where, JsonLimits{64u << 20, 64}));
  Result<Parsed> parsed = bad(where, "not a VEX document: neither CycloneDX (bomFormat), OpenVEX (@context) nor CSAF (document.category csaf_vex)");
  if (string_or(j, "bomFormat") == "CycloneDX") {
    parsed = parse_cyclonedx(j, where);
  } else if (string_or(j, "@context").starts_with("https://openvex.dev/ns")) {
    parsed = parse_openvex(j, where);
  } else if (const json* doc = member(j, "document"); doc && member(*doc, "csaf_version")) {
    if (string_or(*doc, "category") != "csaf_vex")
      return bad(where + ".document.category", "a CSAF document of category " + quote(string_or(*doc, "category"), 40) +
                                                    ", not csaf_vex");
    parsed = parse_csaf(j, where);
  }
  if (!parsed.ok()) return parsed.error();
  for (std::size_t i = 0; i < parsed->first.size(); ++i) {
    Statement& s = parsed->first[i];
    s.source = where + " (" + parsed->second.format + ")";
    if (s.author.empty()) s.author = "unknown (" + parsed->second.format + " document)";
    if (s.created.empty()) s.created = now_rfc3339_utc();
    if (auto c = check_statement(s); !c.ok())
      return bad(where, "statement " + std::to_string(i + 1) + " (" + plain_or_quoted(s.vulnerability) + ", " +
                            s.scope.text + "): " + c.error().message);
  }
  parsed->second.statements = parsed->first.size();
  return parsed;
}

Result<VexImport> import_vex(Connection& db, const std::string& path) {
  FWSEAL_ASSIGN(std::string bytes, read_regular_file(path, 64u << 20));
  FWSEAL_ASSIGN(auto parsed, parse_vex(bytes, path));
  FWSEAL_TRY(db.begin_write());
  for (const auto& s : parsed.first)
    if (auto r = insert(db, s); !r.ok()) {
      db.rollback();
      return r.error();
    }
  FWSEAL_TRY(db.commit());
  return parsed.second;
}

namespace {

struct PackageView {
  std::string type, ns, name, source_name, version, source_version;
  std::string cpe_vendor, cpe_product, cpe_version;
};

PackageView view_of(const Package& p) {
  PackageView v;
  if (!p.purl.empty())
    if (auto parts = sbom::parse_purl(p.purl, "component"); parts.ok()) {
      v.type = ascii_lower(parts->type);
      v.ns = ascii_lower(parts->ns);
      v.name = parts->name;
      v.version = parts->version.empty() ? p.version : parts->version;
      if (auto up = parts->qualifiers.find("upstream"); up != parts->qualifiers.end()) {
        auto at = up->second.find('@');
        v.source_name = up->second.substr(0, at);
        v.source_version = at == std::string::npos ? v.version : up->second.substr(at + 1);
      }
    }
  auto f = split_cpe(p.cpe);
  if (f.size() == 13) {
    v.cpe_vendor = ascii_lower(f[3]);
    v.cpe_product = ascii_lower(f[4]);
    v.cpe_version = upstream_version(p.version.empty() ? f[5] : p.version);
  }
  return v;
}

// 0 when `s` does not cover the package; else its specificity, higher wins.
int covers(const Scope& s, const PackageView& p, const std::string& product) {
  if (!s.product.empty() && s.product != product) return 0;
  std::string version;
  if (s.kind == "cpe") {
    if (s.ns != p.cpe_vendor || s.name != p.cpe_product) return 0;
    version = p.cpe_version;
  } else {
    if (s.type != p.type || s.ns != p.ns) return 0;
    if (s.name == p.name) version = p.version;
    else if (!p.source_name.empty() && s.name == p.source_name) version = p.source_version;
    else return 0;
  }
  int rank = 1;
  if (!s.version.empty()) {
    if (s.version != version) return 0;
    rank = 3;
  } else if (!s.vers.empty()) {
    auto r = VersionRange::parse(s.vers);
    if (!r.ok() || !r->contains(version)) return 0;
    rank = 2;
  }
  return rank + (s.product.empty() ? 0 : 10);
}

}  // namespace

const Statement* deciding_statement(const std::vector<Statement>& statements,
                                            const std::vector<std::string>& ids, const Package& package) {
  const PackageView view = view_of(package);
  const Statement* best = nullptr;
  int best_rank = 0;
  for (const auto& s : statements) {  // oldest first: a later equal one wins
    if (std::find(ids.begin(), ids.end(), s.vulnerability) == ids.end()) continue;
    int rank = covers(s.scope, view, package.product);
    if (rank > 0 && rank >= best_rank) {
      best = &s;
      best_rank = rank;
    }
  }
  return best;
}

}  // namespace fwseal::inventory

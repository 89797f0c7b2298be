#include <cstdio>
#include <ctime>
#include <set>

#include "args.h"
#include "commands.h"
#include "fwseal/base/json_output.h"
#include "inventory_commands.h"
#include "fwseal/base/file.h"
#include "fwseal/base/text.h"
#include "fwseal/format/layout.h"
#include "fwseal/format/trust.h"
#include "fwseal/inventory/add.h"
#include "fwseal/base/time.h"
#include "fwseal/inventory/query.h"
#include "fwseal/inventory/releases.h"
#include "fwseal/inventory/scan.h"
#include "fwseal/sbom/diff.h"

namespace fwseal::cli {

const char* const kInventoryUsage =
    "fwseal inventory add PKG... --trust TRUST.json [--replace] [--db DB]\n"
    "       fwseal inventory add-sbom SBOM --product P --version V [--replace] [--db DB]\n"
    "       fwseal inventory query (--purl PURL | --name NAME | --cpe CPE) [--range vers:SCHEME/...]\n"
    "                              [--on DATE] [--json | --csv] [--fail-if-found] [--db DB]\n"
    "       fwseal inventory product NAME --launched DATE [--discontinued DATE] [--db DB]\n"
    "       fwseal inventory lifecycle FILE [--db DB]   (support policy and product dates)\n"
    "       fwseal inventory advisories import PATH... [--db DB]   (OSV, NVD 2.0, CVE 5: files, directories, zips)\n"
    "       fwseal inventory scan [--product P | --release P@V] [--on DATE] [--json | --csv]\n"
    "                             [--open | --untriaged] [--in-support] [--min-severity SEV] [--new]\n"
    "                             [--fail-on critical|high|medium|low] [--max-age DAYS] [--db DB]\n"
    "       fwseal inventory triage VULN (--purl PURL [--range vers:...] | --cpe CPE) [--product P]\n"
    "                               --status S [--justification J] [--detail TEXT] [--author NAME] [--db DB]\n"
    "       fwseal inventory statements [--json] [--db DB]   (triage and imported VEX, oldest first)\n"
    "       fwseal inventory vex import FILE... [--db DB]   (CycloneDX 1.6, OpenVEX 0.2, CSAF 2.0 VEX)\n"
    "       fwseal inventory vex export P@V --format cyclonedx|openvex [-o FILE] [--author NAME] [--db DB]\n"
    "       fwseal inventory list [--product P] [--on DATE] [--json | --csv] [--db DB]\n"
    "       fwseal inventory diff PRODUCT FROM TO [--json] [--db DB]   (exit 0 the same, 1 different)\n"
    "       fwseal inventory report --html -o FILE [--on DATE] [(--purl PURL | --name NAME | --cpe CPE)\n"
    "                               [--range vers:SCHEME/...]] [--db DB]\n"
    "  DB: sqlite:PATH or PATH (default $FWSEAL_HOME/inventory.db); every command takes [--quiet | --json]";

namespace {

// One input of add / add-sbom in --json: what happened to it.
nlohmann::json add_result_json(const std::string& input, const inventory::AddResult& r) {
  return {{"input", input}, {"outcome", add_outcome_name(r.outcome)}, {"product", r.product},
          {"version", r.version}, {"components", r.components}};
}


// Exit code of `query --fail-if-found` when a release carries the component.
constexpr int kFound = 4;

int add(const Args& args) {
  auto trust_path = args.required("--trust");
  if (!trust_path.ok()) return usage_error(trust_path.error().message, kInventoryUsage);
  if (args.positionals().empty()) return usage_error("expected one or more packages", kInventoryUsage);
  auto trust = load_trust(*trust_path);
  if (!trust.ok()) return fail(trust.error());
  auto db = inventory::open_inventory(args.value("--db").value_or(""));
  if (!db.ok()) return fail(db.error());
  nlohmann::json added = nlohmann::json::array();
  auto s = inventory::add_packages(**db, args.positionals(), *trust, args.flag("--replace"),
                                   [&](const std::string& pkg, const inventory::AddResult& r) {
                                     added.push_back(add_result_json(pkg, r));
                                     if (!args.flag("--json") && !args.flag("--quiet"))
                                       std::printf("%s: %s %s %s (%zu components)\n", pkg.c_str(),
                                                   std::string(add_outcome_name(r.outcome)).c_str(), r.product.c_str(),
                                                   r.version.c_str(), r.components);
                                   });
  if (!s.ok()) return fail(s.error());
  if (args.flag("--json")) print_json({{"added", added}});
  return 0;
}

int add_sbom(const Args& args) {
  auto product = args.required("--product");
  auto version = args.required("--version");
  if (!product.ok() || !version.ok())
    return usage_error(!product.ok() ? product.error().message : version.error().message, kInventoryUsage);
  if (args.positionals().size() != 1) return usage_error("expected one SBOM file", kInventoryUsage);
  const std::string& path = args.positionals()[0];
  auto bytes = read_file(path, kMaxSbomBytes);
  if (!bytes.ok()) return fail(bytes.error());
  auto db = inventory::open_inventory(args.value("--db").value_or(""));
  if (!db.ok()) return fail(db.error());
  auto r = inventory::add_sbom(**db, *bytes, path, *product, *version, args.flag("--replace"));
  if (!r.ok()) return fail(r.error());
  if (args.flag("--json")) {
    nlohmann::json j = add_result_json(path, *r);
    j["verified"] = false;
    print_json({{"added", nlohmann::json::array({j})}});
  } else if (!args.flag("--quiet")) {
    std::printf("%s: %s %s %s (%zu components, unverified)\n", path.c_str(),
                std::string(add_outcome_name(r->outcome)).c_str(), r->product.c_str(), r->version.c_str(),
                r->components);
  }
  return 0;
}


// The component a query or a report names (--purl, --name, --cpe, --range);
// nullopt when none is named. Code::usage for one that does not parse.
Result<std::optional<inventory::Query>> component_query(const Args& args) {
  if (!args.value("--purl") && !args.value("--name") && !args.value("--cpe")) {
    if (args.value("--range")) return make_error(Code::usage, "--range needs --purl, --name or --cpe");
    return std::optional<inventory::Query>();
  }
  inventory::Query q;
  if (auto purl = args.value("--purl")) {
    FWSEAL_ASSIGN(auto parsed, inventory::PurlQuery::parse(*purl));
    q.purl = std::move(parsed);
  }
  q.name = args.value("--name");
  q.cpe = args.value("--cpe");
  if (q.cpe) FWSEAL_TRY(inventory::check_cpe(*q.cpe));
  if (auto range = args.value("--range")) {
    FWSEAL_ASSIGN(auto parsed, inventory::VersionRange::parse(*range));
    q.range = std::move(parsed);
  }
  FWSEAL_ASSIGN(q.on, on_date(args));
  return std::optional<inventory::Query>(std::move(q));
}

int query(const Args& args) {
  if (!args.positionals().empty()) return usage_error("query takes no positional arguments", kInventoryUsage);
  auto q = component_query(args);
  if (!q.ok()) return usage_error(q.error().message, kInventoryUsage);
  if (!*q) return usage_error("name the component by exactly one of --purl, --name, --cpe", kInventoryUsage);
  if (args.flag("--json") && args.flag("--csv")) return usage_error("--json and --csv exclude each other", kInventoryUsage);
  auto db = inventory::open_inventory(args.value("--db").value_or(""));
  if (!db.ok()) return fail(db.error());
  auto hits = inventory::run_query(**db, **q);
  if (!hits.ok())
    return hits.error().code == Code::usage ? usage_error(hits.error().message, kInventoryUsage) : fail(hits.error());
  const bool found = args.flag("--fail-if-found") && !hits->empty();
  if (args.flag("--json")) {
    nlohmann::json doc{{"hits", nlohmann::json::parse(inventory::hits_to_json(*hits))}};
    if (found) doc.update({{"code", "found"}, {"exit_code", kFound}});
    print_json(doc);
  } else {
    std::fputs((args.flag("--csv") ? inventory::hits_to_csv(*hits) : inventory::hits_to_table(*hits)).c_str(), stdout);
  }
  return found ? kFound : 0;
}

int advisories(const Args& args) {
  const auto& p = args.positionals();
  if (p.empty() || p[0] != "import") return usage_error("expected advisories import PATH...", kInventoryUsage);
  if (p.size() < 2) return usage_error("expected one or more advisory files, directories or zips", kInventoryUsage);
  auto db = inventory::open_inventory(args.value("--db").value_or(""));
  if (!db.ok()) return fail(db.error());
  nlohmann::json imported = nlohmann::json::array();
  for (std::size_t i = 1; i < p.size(); ++i) {
    auto r = inventory::import_advisories(**db, p[i]);
    if (!r.ok()) return fail(r.error());
    imported.push_back({{"path", p[i]}, {"records", r->records}, {"added", r->added}, {"updated", r->updated},
                        {"withdrawn", r->withdrawn}, {"unchanged", r->unchanged}, {"sha256", r->sha256}});
    if (!args.flag("--json") && !args.flag("--quiet"))
      std::printf("%s: %zu records (%zu added, %zu updated, %zu withdrawn, %zu unchanged), sha256 %s\n", p[i].c_str(),
                  r->records, r->added, r->updated, r->withdrawn, r->unchanged, r->sha256.c_str());
  }
  if (args.flag("--json")) print_json({{"imported", imported}});
  return 0;
}

int lifecycle(const Args& args) {
  if (args.positionals().size() != 1) return usage_error("expected one lifecycle file", kInventoryUsage);
  const std::string& path = args.positionals()[0];
  auto text = read_file(path, 4u << 20);
  if (!text.ok()) return fail(text.error());
  auto parsed = inventory::parse_lifecycle(*text, path);
  if (!parsed.ok()) return fail(parsed.error());
  auto db = inventory::open_inventory(args.value("--db").value_or(""));
  if (!db.ok()) return fail(db.error());
  if (auto s = inventory::apply_lifecycle(**db, *parsed); !s.ok()) return fail(s.error());
  auto policy = inventory::load_policy(**db);
  if (!policy.ok()) return fail(policy.error());
  if (args.flag("--json"))
    print_json({{"lifecycle", path}, {"products", parsed->products.size()},
                {"policy", {{"active_years", policy->active_years}, {"severe_cvss", policy->severe_cvss},
                            {"security_years_after_discontinuation", policy->security_years_after_discontinuation}}}});
  else if (!args.flag("--quiet"))
    std::printf("%s: %zu products; policy: active %d years, fixes until discontinued, then CVSS >= %.1f for %d years\n",
                path.c_str(), parsed->products.size(), policy->active_years, policy->severe_cvss,
                policy->security_years_after_discontinuation);
  return 0;
}

int list(const Args& args) {
  if (!args.positionals().empty()) return usage_error("list takes no positional arguments", kInventoryUsage);
  auto on = on_date(args);
  if (!on.ok()) return usage_error(on.error().message, kInventoryUsage);
  if (args.flag("--json") && args.flag("--csv")) return usage_error("--json and --csv exclude each other", kInventoryUsage);
  auto db = inventory::open_inventory(args.value("--db").value_or(""));
  if (!db.ok()) return fail(db.error());
  auto rows = inventory::list_releases(**db, args.value("--product"), *on);
  if (!rows.ok()) return fail(rows.error());
  if (args.flag("--json"))
    print_json({{"releases", nlohmann::json::parse(inventory::releases_to_json(*rows))}});
  else
    std::fputs((args.flag("--csv") ? inventory::releases_to_csv(*rows) : inventory::releases_to_table(*rows)).c_str(), stdout);
  return 0;
}

int diff(const Args& args) {
  if (args.positionals().size() != 3) return usage_error("expected PRODUCT FROM TO", kInventoryUsage);
  const auto& p = args.positionals();
  auto db = inventory::open_inventory(args.value("--db").value_or(""));
  if (!db.ok()) return fail(db.error());
  auto d = inventory::diff_releases(**db, p[0], p[1], p[2]);
  if (!d.ok()) return fail(d.error());
  if (args.flag("--json")) {  // as sbom diff: 0 the same, 1 different
    auto doc = nlohmann::json::parse(sbom::diff_to_json(*d));
    if (!d->empty()) doc.update({{"code", "different"}, {"exit_code", 1}});
    print_json(doc);
  } else {
    std::fputs(sbom::diff_to_text(*d).c_str(), stdout);
  }
  return d->empty() ? 0 : 1;
}

int report(const Args& args) {
  if (!args.positionals().empty()) return usage_error("report takes no positional arguments", kInventoryUsage);
  if (!args.flag("--html")) return usage_error("report writes --html (the page); give --html -o FILE", kInventoryUsage);
  auto out = args.required("-o");
  if (!out.ok()) return usage_error(out.error().message, kInventoryUsage);
  auto on = on_date(args);
  if (!on.ok()) return usage_error(on.error().message, kInventoryUsage);
  auto q = component_query(args);
  if (!q.ok()) return usage_error(q.error().message, kInventoryUsage);
  auto db = inventory::open_inventory(args.value("--db").value_or(""));
  if (!db.ok()) return fail(db.error());
  inventory::InventoryReport r;
  r.on = *on;
  auto policy = inventory::load_policy(**db);
  if (!policy.ok()) return fail(policy.error());
  r.policy = *policy;
  r.generated = now_rfc3339_utc();
  auto rows = inventory::list_releases(**db, std::nullopt, *on);
  if (!rows.ok()) return fail(rows.error());
  r.releases = std::move(rows).value();
  if (*q) {
    auto hits = inventory::run_query(**db, **q);
    if (!hits.ok())
      return hits.error().code == Code::usage ? usage_error(hits.error().message, kInventoryUsage) : fail(hits.error());
    r.impact = std::move(hits).value();
    for (const char* option : {"--purl", "--name", "--cpe", "--range"})
      if (auto v = args.value(option)) r.impact_title += (r.impact_title.empty() ? "" : " ") + std::string(option) + " " + *v;
  }
  auto imported = inventory::newest_import(**db);
  if (!imported.ok()) return fail(imported.error());
  if (*imported) {
    r.advisories_imported = *imported;
    inventory::ScanOptions so;
    so.on = *on;
    auto findings = inventory::scan(**db, so);
    if (!findings.ok()) return fail(findings.error());
    r.vulnerabilities = std::move(findings).value();
  }
  if (auto w = write_file_atomic(*out, inventory::render_inventory_html(r)); !w.ok()) return fail(w.error());
  std::string found;
  if (r.impact) {
    std::set<std::pair<std::string, std::string>> impacted;
    for (const auto& hit : *r.impact) impacted.insert({hit.product, hit.version});
    found = "; the query found " + std::to_string(impacted.size()) + (impacted.size() == 1 ? " release" : " releases");
  }
  if (r.vulnerabilities) {
    std::size_t open = 0;
    for (const auto& f : *r.vulnerabilities) if (f.open()) ++open;
    found += "; " + std::to_string(open) + (open == 1 ? " open vulnerability finding" : " open vulnerability findings");
  }
  if (args.flag("--json"))
    print_json({{"report", *out}, {"releases", r.releases.size()}});
  else if (!args.flag("--quiet"))
    std::printf("%s: %zu releases%s\n", out->c_str(), r.releases.size(), found.c_str());
  return 0;
}

int product(const Args& args) {
  if (args.positionals().size() != 1) return usage_error("expected one product name", kInventoryUsage);
  auto launched_text = args.required("--launched");
  if (!launched_text.ok()) return usage_error(launched_text.error().message, kInventoryUsage);
  auto launched = inventory::parse_date(*launched_text, "--launched");
  if (!launched.ok()) return usage_error(launched.error().message, kInventoryUsage);
  std::optional<inventory::Date> discontinued;
  if (auto d = args.value("--discontinued")) {
    auto parsed = inventory::parse_date(*d, "--discontinued");
    if (!parsed.ok()) return usage_error(parsed.error().message, kInventoryUsage);
    discontinued = *parsed;
  }
  auto db = inventory::open_inventory(args.value("--db").value_or(""));
  if (!db.ok()) return fail(db.error());
  auto s = inventory::set_lifecycle(**db, args.positionals()[0], *launched, discontinued);
  if (!s.ok()) return s.error().code == Code::usage ? usage_error(s.error().message, kInventoryUsage) : fail(s.error());
  if (args.flag("--json"))
    print_json({{"product", args.positionals()[0]}, {"launched", *launched_text},
                {"discontinued", args.value("--discontinued") ? nlohmann::json(*args.value("--discontinued")) : nullptr}});
  return 0;
}

}  // namespace

int cmd_inventory(const Argv& args) {
  if (args.empty()) return usage_error("expected add, add-sbom, query, product, lifecycle, advisories, scan, triage, statements, vex, list, diff or report", kInventoryUsage);
  const std::string& sub = args[0];
  Argv rest(args.begin() + 1, args.end());
  OptionSpec spec;
  spec.with_value = {"--db"};
  spec.flags = {};
  int (*run)(const Args&) = nullptr;
  if (sub == "add") {
    spec.with_value.insert("--trust");
    spec.flags = {"--replace"};
    run = add;
  } else if (sub == "add-sbom") {
    spec.with_value.insert({"--product", "--version"});
    spec.flags = {"--replace"};
    run = add_sbom;
  } else if (sub == "query") {
    spec.with_value.insert({"--purl", "--name", "--cpe", "--range", "--on"});
    spec.flags = {"--json", "--csv", "--fail-if-found"};
    run = query;
  } else if (sub == "product") {
    spec.with_value.insert({"--launched", "--discontinued"});
    run = product;
  } else if (sub == "advisories") {
    run = advisories;
  } else if (sub == "scan") {
    spec.with_value.insert({"--product", "--release", "--on", "--fail-on", "--max-age", "--min-severity"});
    spec.flags = {"--json", "--csv", "--open", "--untriaged", "--in-support", "--new"};
    run = scan;
  } else if (sub == "triage") {
    spec.with_value.insert({"--purl", "--cpe", "--range", "--product", "--status", "--justification", "--detail", "--author"});
    run = triage;
  } else if (sub == "statements") {
    spec.flags = {"--json"};
    run = statements;
  } else if (sub == "vex") {
    spec.with_value.insert({"--format", "-o", "--author"});
    run = vex;
  } else if (sub == "lifecycle") {
    run = lifecycle;
  } else if (sub == "list") {
    spec.with_value.insert({"--product", "--on"});
    spec.flags = {"--json", "--csv"};
    run = list;
  } else if (sub == "diff") {
    spec.flags = {"--json"};
    run = diff;
  } else if (sub == "report") {
    spec.with_value.insert({"-o", "--on", "--purl", "--name", "--cpe", "--range"});
    spec.flags = {"--html"};
    run = report;
  } else {
    return usage_error("unknown inventory command \"" + sub + "\"", kInventoryUsage);
  }
  spec.flags.insert({"--json", "--quiet"});  // every inventory command (docs/JSON.md)
  auto parsed = Args::parse(rest, spec);
  if (!parsed.ok()) return usage_error(parsed.error().message, kInventoryUsage);
  return run(*parsed);
}

}  // namespace fwseal::cli

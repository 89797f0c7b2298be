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
  if (!trust_path.ok()) return usage_error(trust_path.error().message);
  if (args.positionals().empty()) return usage_error("expected one or more packages");
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
    return usage_error(!product.ok() ? product.error().message : version.error().message);
  if (args.positionals().size() != 1) return usage_error("expected one SBOM file");
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
  if (!args.positionals().empty()) return usage_error("query takes no positional arguments");
  auto q = component_query(args);
  if (!q.ok()) return usage_error(q.error().message);
  if (!*q) return usage_error("name the component by exactly one of --purl, --name, --cpe");
  if (args.flag("--json") && args.flag("--csv")) return usage_error("--json and --csv exclude each other");
  auto db = inventory::open_inventory(args.value("--db").value_or(""));
  if (!db.ok()) return fail(db.error());
  auto hits = inventory::run_query(**db, **q);
  if (!hits.ok())
    return hits.error().code == Code::usage ? usage_error(hits.error().message) : fail(hits.error());
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
  auto db = inventory::open_inventory(args.value("--db").value_or(""));
  if (!db.ok()) return fail(db.error());
  nlohmann::json imported = nlohmann::json::array();
  for (std::size_t i = 0; i < p.size(); ++i) {
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
  if (args.positionals().size() != 1) return usage_error("expected one lifecycle file");
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
  if (!args.positionals().empty()) return usage_error("list takes no positional arguments");
  auto on = on_date(args);
  if (!on.ok()) return usage_error(on.error().message);
  if (args.flag("--json") && args.flag("--csv")) return usage_error("--json and --csv exclude each other");
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
  if (args.positionals().size() != 3) return usage_error("expected PRODUCT FROM TO");
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
  if (!args.positionals().empty()) return usage_error("report takes no positional arguments");
  if (!args.flag("--html")) return usage_error("report writes --html (the page); give --html -o FILE");
  auto out = args.required("-o");
  if (!out.ok()) return usage_error(out.error().message);
  auto on = on_date(args);
  if (!on.ok()) return usage_error(on.error().message);
  auto q = component_query(args);
  if (!q.ok()) return usage_error(q.error().message);
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
      return hits.error().code == Code::usage ? usage_error(hits.error().message) : fail(hits.error());
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
  if (args.positionals().size() != 1) return usage_error("expected one product name");
  auto launched_text = args.required("--launched");
  if (!launched_text.ok()) return usage_error(launched_text.error().message);
  auto launched = inventory::parse_date(*launched_text, "--launched");
  if (!launched.ok()) return usage_error(launched.error().message);
  std::optional<inventory::Date> discontinued;
  if (auto d = args.value("--discontinued")) {
    auto parsed = inventory::parse_date(*d, "--discontinued");
    if (!parsed.ok()) return usage_error(parsed.error().message);
    discontinued = *parsed;
  }
  auto db = inventory::open_inventory(args.value("--db").value_or(""));
  if (!db.ok()) return fail(db.error());
  auto s = inventory::set_lifecycle(**db, args.positionals()[0], *launched, discontinued);
  if (!s.ok()) return s.error().code == Code::usage ? usage_error(s.error().message) : fail(s.error());
  if (args.flag("--json"))
    print_json({{"product", args.positionals()[0]}, {"launched", *launched_text},
                {"discontinued", args.value("--discontinued") ? nlohmann::json(*args.value("--discontinued")) : nullptr}});
  return 0;
}

// --db, --quiet and --json: every inventory command takes them (docs/JSON.md),
// listed after its own.
void add_common_options(Command& c) {
  if (c.run()) {
    c.add_value("--db", "DB", "the inventory: sqlite:PATH, PATH or postgresql://... (default $FWSEAL_HOME/inventory.db)");
    add_output_switches(c);
  }
  for (CLI::App* sub : c.get_subcommands([](CLI::App*) { return true; })) add_common_options(static_cast<Command&>(*sub));
}

void add_component_options(Command& c, bool required) {
  const std::string one = required ? " (one of --purl, --name, --cpe)" : "";
  c.add_value("--purl", "PURL", "the component by package URL, e.g. pkg:generic/busybox" + one);
  c.add_value("--name", "NAME", "the component by name" + one);
  c.add_value("--cpe", "CPE", "the component by CPE 2.3 name" + one);
  c.add_value("--range", "vers:SCHEME/...", "only these versions of it (a vers range)");
}

}  // namespace

void add_inventory_command(Command& fwseal) {
  Command& inv = fwseal.add_command("inventory", "every release's SBOM in one place, and its vulnerabilities (docs/INVENTORY.md)");

  Command& a = add_command(inv, "add", "add verified packages' SBOMs", add);
  a.add_positional("PKG", "a package", "expected one or more packages", -1);
  a.add_value("--trust", "TRUST.json", "the trust policy the packages must satisfy")->required();
  a.add_switch("--replace", "replace a release already there");

  Command& as = add_command(inv, "add-sbom", "add an SBOM file as a release (recorded as unverified)", add_sbom);
  as.add_positional("SBOM", "the SBOM file", "expected one SBOM file");
  as.add_value("--product", "P", "the product")->required();
  as.add_value("--version", "V", "the release's version")->required();
  as.add_switch("--replace", "replace a release already there");

  Command& q = add_command(inv, "query", "which releases carry a component", query);
  add_component_options(q, true);
  q.add_value("--on", "DATE", "the support status as of DATE (YYYY-MM-DD, default today)");
  q.add_switch("--csv", "print CSV instead of a table");
  q.add_switch("--fail-if-found", "exit 4 when a release carries it");

  Command& pr = add_command(inv, "product", "set a product's launch and discontinuation dates", product);
  pr.add_positional("NAME", "the product", "expected one product name");
  pr.add_value("--launched", "DATE", "launch date, YYYY-MM-DD")->required();
  pr.add_value("--discontinued", "DATE", "discontinuation date, YYYY-MM-DD");

  Command& lc = add_command(inv, "lifecycle", "load the support policy and product dates from a file", lifecycle);
  lc.add_positional("FILE", "the lifecycle file", "expected one lifecycle file");

  Command& adv = inv.add_command("advisories", "vulnerability advisories kept offline in the inventory");
  Command& ai = add_command(adv, "import", "import advisories: OSV, NVD 2.0, CVE 5 (files, directories, zips)", advisories);
  ai.add_positional("PATH", "an advisory file, directory or zip", "expected one or more advisory files, directories or zips", -1);

  Command& sc = add_command(inv, "scan", "match the releases against the advisories", scan);
  sc.add_value("--product", "P", "only this product's releases");
  sc.add_value("--release", "P@V", "only this release");
  sc.add_value("--on", "DATE", "the support status as of DATE (default today)");
  sc.add_switch("--csv", "print CSV instead of a table");
  sc.add_switch("--open", "only findings not triaged as resolved or not affected");
  sc.add_switch("--untriaged", "only findings without a triage decision");
  sc.add_switch("--in-support", "only releases still in support");
  sc.add_value("--min-severity", "SEV", "only findings at or above critical|high|medium|low");
  sc.add_switch("--new", "only advisories of the newest import");
  sc.add_value("--fail-on", "SEV", "exit 16 on an open finding at or above critical|high|medium|low");
  sc.add_value("--max-age", "DAYS", "fail when the newest advisory import is older than DAYS");

  Command& tr = add_command(inv, "triage", "record a triage decision that carries forward to later releases", triage);
  tr.add_positional("VULN", "the vulnerability: CVE-..., an advisory id or alias",
                    "expected one vulnerability id (CVE-..., an advisory id or alias)");
  tr.add_value("--purl", "PURL", "the component by package URL (or --cpe)");
  tr.add_value("--cpe", "CPE", "the component by CPE 2.3 name (or --purl)");
  tr.add_value("--range", "vers:...", "only these versions of it");
  tr.add_value("--product", "P", "only in this product");
  tr.add_value("--status", "S", "not_affected, affected, fixed or under_investigation")->required();
  tr.add_value("--justification", "J", "why not affected (a VEX justification)");
  tr.add_value("--detail", "TEXT", "free text");
  tr.add_value("--author", "NAME", "who decided (default $FWSEAL_AUTHOR, then the login name)");

  add_command(inv, "statements", "list triage and imported VEX statements, oldest first", statements);

  Command& vex = inv.add_command("vex", "VEX documents in and out");
  Command& vi = add_command(vex, "import", "import VEX statements: CycloneDX 1.6, OpenVEX 0.2, CSAF 2.0 VEX", vex_import);
  vi.add_positional("FILE", "a VEX document", "expected one or more VEX documents", -1);
  Command& ve = add_command(vex, "export", "write a release's VEX document", vex_export);
  ve.add_positional("P@V", "the release, PRODUCT@VERSION", "expected vex export PRODUCT@VERSION");
  ve.add_value("--format", "FORMAT", "cyclonedx or openvex")->required();
  ve.add_value("-o,--output", "FILE", "write it there instead of stdout (--json needs it)");
  ve.add_value("--author", "NAME", "the document's author (default \"fwseal inventory\")");

  Command& ls = add_command(inv, "list", "list the releases with their support status", list);
  ls.add_value("--product", "P", "only this product's releases");
  ls.add_value("--on", "DATE", "the support status as of DATE (default today)");
  ls.add_switch("--csv", "print CSV instead of a table");

  Command& df = add_command(inv, "diff", "compare two releases' components (exit 0 the same, 1 different)", diff);
  df.add_positional("PRODUCT", "the product", "expected PRODUCT FROM TO");
  df.add_positional("FROM", "the older version", "expected PRODUCT FROM TO");
  df.add_positional("TO", "the newer version", "expected PRODUCT FROM TO");

  Command& rp = add_command(inv, "report", "write the inventory as one HTML page", report);
  rp.add_switch("--html", "write HTML (the page); required")->required();
  rp.add_value("-o,--output", "FILE", "the page to write")->required();
  rp.add_value("--on", "DATE", "the support status as of DATE (default today)");
  add_component_options(rp, false);
  add_common_options(inv);
}

}  // namespace fwseal::cli

#include <cstdio>

#include "args.h"
#include "commands.h"
#include "fwseal/base/file.h"
#include "fwseal/format/layout.h"
#include "fwseal/format/trust.h"
#include "fwseal/inventory/add.h"
#include "fwseal/inventory/query.h"

namespace fwseal::cli {

namespace {

constexpr const char* kInventoryUsage =
    "fwseal inventory add PKG... --trust TRUST.json [--replace] [--db DB]\n"
    "       fwseal inventory add-sbom SBOM --product P --version V [--replace] [--db DB]\n"
    "       fwseal inventory query (--purl PURL | --name NAME | --cpe CPE) [--range vers:SCHEME/...]\n"
    "                              [--on DATE] [--json | --csv] [--fail-if-found] [--db DB]\n"
    "       fwseal inventory product NAME --launched DATE [--discontinued DATE] [--db DB]\n"
    "  DB: sqlite:PATH or PATH (default $FWSEAL_HOME/inventory.db)";

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
  for (const auto& pkg : args.positionals()) {
    auto r = inventory::add_package(**db, pkg, *trust, args.flag("--replace"));
    if (!r.ok()) return fail(r.error());
    std::printf("%s: %s %s %s (%zu components)\n", pkg.c_str(), std::string(add_outcome_name(r->outcome)).c_str(),
                r->product.c_str(), r->version.c_str(), r->components);
  }
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
  std::printf("%s: %s %s %s (%zu components, unverified)\n", path.c_str(),
              std::string(add_outcome_name(r->outcome)).c_str(), r->product.c_str(), r->version.c_str(),
              r->components);
  return 0;
}

int query(const Args& args) {
  if (!args.positionals().empty()) return usage_error("query takes no positional arguments", kInventoryUsage);
  inventory::Query q;
  if (auto purl = args.value("--purl")) {
    auto parsed = inventory::PurlQuery::parse(*purl);
    if (!parsed.ok()) return usage_error(parsed.error().message, kInventoryUsage);
    q.purl = std::move(parsed).value();
  }
  q.name = args.value("--name");
  q.cpe = args.value("--cpe");
  if (q.cpe)
    if (auto c = inventory::check_cpe(*q.cpe); !c.ok()) return usage_error(c.error().message, kInventoryUsage);
  if (auto range = args.value("--range")) {
    auto parsed = inventory::VersionRange::parse(*range);
    if (!parsed.ok()) return usage_error(parsed.error().message, kInventoryUsage);
    q.range = std::move(parsed).value();
  }
  if (auto on = args.value("--on")) {
    auto parsed = inventory::parse_date(*on, "--on");
    if (!parsed.ok()) return usage_error(parsed.error().message, kInventoryUsage);
    q.on = *parsed;
  }
  if (args.flag("--json") && args.flag("--csv")) return usage_error("--json and --csv exclude each other", kInventoryUsage);
  auto db = inventory::open_inventory(args.value("--db").value_or(""));
  if (!db.ok()) return fail(db.error());
  auto hits = inventory::run_query(**db, q);
  if (!hits.ok())
    return hits.error().code == Code::usage ? usage_error(hits.error().message, kInventoryUsage) : fail(hits.error());
  std::string out = args.flag("--json")  ? inventory::hits_to_json(*hits)
                    : args.flag("--csv") ? inventory::hits_to_csv(*hits)
                                         : inventory::hits_to_table(*hits);
  std::fputs(out.c_str(), stdout);
  return args.flag("--fail-if-found") && !hits->empty() ? kFound : 0;
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
  return 0;
}

}  // namespace

int cmd_inventory(const Argv& args) {
  if (args.empty()) return usage_error("expected add, add-sbom, query or product", kInventoryUsage);
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
  } else {
    return usage_error("unknown inventory command \"" + sub + "\"", kInventoryUsage);
  }
  auto parsed = Args::parse(rest, spec);
  if (!parsed.ok()) return usage_error(parsed.error().message, kInventoryUsage);
  return run(*parsed);
}

}  // namespace fwseal::cli

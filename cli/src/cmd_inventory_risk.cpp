// `fwseal inventory scan | triage | statements | vex`: findings, the triage
// decisions that carry forward, and VEX documents in and out.
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "commands.h"
#include "fwseal/base/json_output.h"
#include "fwseal/base/file.h"
#include "fwseal/base/text.h"
#include "fwseal/base/time.h"
#include "fwseal/format/manifest.h"
#include "fwseal/inventory/scan.h"
#include "fwseal/inventory/vex.h"
#include "fwseal/inventory/vex_export.h"
#include "inventory_commands.h"

namespace fwseal::cli {

Result<inventory::Date> on_date(const Args& args) {
  if (auto on = args.value("--on")) return inventory::parse_date(*on, "--on");
  return inventory::today_utc();
}

namespace {


// --author, else $FWSEAL_AUTHOR, else the login name.
std::string author_of(const Args& args) {
  if (auto a = args.value("--author")) return *a;
  if (const char* e = std::getenv("FWSEAL_AUTHOR"); e && *e) return e;
  if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_name) return pw->pw_name;
  return "uid " + std::to_string(getuid());
}

Result<std::pair<std::string, std::string>> product_at_version(const std::string& text, const char* what) {
  auto at = text.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == text.size())
    return make_error(Code::usage, std::string(what) + " wants PRODUCT@VERSION, got " + quote(text));
  return std::make_pair(text.substr(0, at), text.substr(at + 1));
}

}  // namespace

int scan(const Args& args) {
  if (!args.positionals().empty()) return usage_error("scan takes no positional arguments");
  inventory::ScanOptions o;
  auto on = on_date(args);
  if (!on.ok()) return usage_error(on.error().message);
  o.on = *on;
  o.product = args.value("--product");
  if (auto release = args.value("--release")) {
    auto parsed = product_at_version(*release, "--release");
    if (!parsed.ok()) return usage_error(parsed.error().message);
    o.release = *parsed;
  }
  if (o.product && o.release) return usage_error("--product and --release exclude each other");
  if (args.flag("--json") && args.flag("--csv")) return usage_error("--json and --csv exclude each other");
  o.open_only = args.flag("--open");
  o.untriaged_only = args.flag("--untriaged");
  o.in_support = args.flag("--in-support");
  o.newest_import_only = args.flag("--new");
  if (auto m = args.value("--min-severity")) {
    auto parsed = inventory::parse_severity(*m, "--min-severity");
    if (!parsed.ok()) return usage_error(parsed.error().message);
    o.min_severity = *parsed;
  }
  std::optional<inventory::Severity> fail_on;
  if (auto f = args.value("--fail-on")) {
    auto parsed = inventory::parse_severity(*f, "--fail-on");
    if (!parsed.ok()) return usage_error(parsed.error().message);
    fail_on = *parsed;
  }
  std::optional<std::uint64_t> max_age;
  if (auto m = args.value("--max-age")) {
    auto days = parse_security_version(*m, "--max-age");
    if (!days.ok() || *days > 36500) return usage_error("--max-age wants a number of days");
    max_age = *days;
  }
  auto db = inventory::open_inventory(args.value("--db").value_or(""));
  if (!db.ok()) return fail(db.error());
  if (max_age)
    if (auto age = inventory::check_advisory_age(**db, *max_age, static_cast<std::int64_t>(std::time(nullptr)));
        !age.ok())
      return fail(age.error());
  // CSV streams, finding by finding; the table and the JSON document need every row first.
  std::vector<inventory::Finding> gated;  // what the gate counts: open findings at or above it
  const bool json = args.flag("--json"), csv = args.flag("--csv");
  std::vector<inventory::Finding> all;
  nlohmann::json findings = nlohmann::json::array();
  if (csv) std::fputs(inventory::findings_csv_header().c_str(), stdout);
  auto each = inventory::scan_each(**db, o, [&](const inventory::Finding& f) -> Status {
    if (fail_on && inventory::at_or_above(f, *fail_on)) gated.push_back(f);
    if (csv)
      std::fputs(inventory::finding_to_csv(f).c_str(), stdout);
    else if (json)
      findings.push_back(nlohmann::json::parse(inventory::finding_to_json(f)));
    else
      all.push_back(f);
    return ok_status();
  });
  if (!each.ok()) return fail(each.error());
  Status gate = fail_on ? inventory::check_gate(gated, *fail_on) : ok_status();
  if (json) {
    nlohmann::json doc{{"findings", std::move(findings)}};
    if (!gate.ok()) doc.update(json_failure("inventory-scan", gate.error()));
    print_json(doc);
  } else if (!csv) {
    std::fputs(inventory::findings_to_table(all).c_str(), stdout);
  }
  if (std::fflush(stdout) != 0) return fail(make_error(Code::io, "cannot write the findings to stdout"));
  if (!gate.ok()) return fail(gate.error());
  return 0;
}


int triage(const Args& args) {
  if (args.positionals().size() != 1) return usage_error("expected one vulnerability id (CVE-..., an advisory id or alias)");
  auto scope = inventory::make_scope(args.value("--purl"), args.value("--cpe"), args.value("--range"), args.value("--product"));
  if (!scope.ok()) return usage_error(scope.error().message);
  auto status = args.required("--status");
  if (!status.ok()) return usage_error(status.error().message);
  inventory::Statement s;
  s.vulnerability = args.positionals()[0];
  s.scope = *scope;
  s.status = *status;
  s.justification = args.value("--justification").value_or("");
  s.detail = args.value("--detail").value_or("");
  s.author = author_of(args);
  s.created = now_rfc3339_utc();
  s.source = "triage";
  if (auto c = inventory::check_statement(s); !c.ok()) return usage_error(c.error().message);
  auto db = inventory::open_inventory(args.value("--db").value_or(""));
  if (!db.ok()) return fail(db.error());
  if (auto r = inventory::record_statement(**db, s); !r.ok()) return fail(r.error());
  if (args.flag("--json")) {
    print_json({{"vulnerability", s.vulnerability}, {"status", s.status}, {"scope", s.scope.text},
                {"author", s.author}, {"created", s.created}});
    return 0;
  }
  if (args.flag("--quiet")) return 0;
  std::printf("recorded: %s %s for %s, by %s at %s\n", s.vulnerability.c_str(), s.status.c_str(), s.scope.text.c_str(),
              s.author.c_str(), s.created.c_str());
  return 0;
}

int statements(const Args& args) {
  if (!args.positionals().empty()) return usage_error("statements takes no positional arguments");
  auto db = inventory::open_inventory(args.value("--db").value_or(""));
  if (!db.ok()) return fail(db.error());
  auto list = inventory::list_statements(**db);
  if (!list.ok()) return fail(list.error());
  if (args.flag("--json"))
    print_json({{"statements", nlohmann::json::parse(inventory::statements_text(*list, true))}});
  else
    std::fputs(inventory::statements_text(*list, false).c_str(), stdout);
  return 0;
}

int vex_import(const Args& args) {
  const auto& p = args.positionals();
  {
    auto db = inventory::open_inventory(args.value("--db").value_or(""));
    if (!db.ok()) return fail(db.error());
    nlohmann::json imported = nlohmann::json::array();
    for (std::size_t i = 0; i < p.size(); ++i) {
      auto r = inventory::import_vex(**db, p[i]);
      if (!r.ok()) return fail(r.error());
      imported.push_back({{"path", p[i]}, {"statements", r->statements}, {"vex_format", r->format}, {"skipped", r->skipped}});
      if (!args.flag("--json") && !args.flag("--quiet"))
        std::printf("%s: %zu statements (%s)\n", p[i].c_str(), r->statements, r->format.c_str());
      for (const auto& skipped : r->skipped) std::fprintf(stderr, "fwseal: warning: skipped %s\n", skipped.c_str());
    }
    if (args.flag("--json")) print_json({{"imported", imported}});
    return 0;
  }
}

int vex_export(const Args& args) {
  auto release = product_at_version(args.positionals()[0], "vex export");
  if (!release.ok()) return usage_error(release.error().message);
  auto format_name = args.required("--format");
  if (!format_name.ok()) return usage_error(format_name.error().message);
  inventory::VexFormat format;
  if (*format_name == "cyclonedx") format = inventory::VexFormat::cyclonedx;
  else if (*format_name == "openvex") format = inventory::VexFormat::openvex;
  else return usage_error("--format must be cyclonedx or openvex, not " + quote(*format_name));
  auto db = inventory::open_inventory(args.value("--db").value_or(""));
  if (!db.ok()) return fail(db.error());
  inventory::ScanOptions o;
  o.release = *release;
  auto findings = inventory::scan(**db, o);
  if (!findings.ok()) return findings.error().code == Code::usage ? usage_error(findings.error().message) : fail(findings.error());
  inventory::VexDocument doc;
  doc.product = release->first;
  doc.version = release->second;
  doc.author = args.value("--author").value_or("fwseal inventory");
  doc.timestamp = now_rfc3339_utc();
  doc.tool_version = FWSEAL_VERSION;
  const std::string text = inventory::release_vex(*findings, format, doc);
  if (auto out = args.value("-o")) {
    if (auto w = write_file_atomic(*out, text); !w.ok()) return fail(w.error());
    if (args.flag("--json"))
      print_json({{"vex", *out}, {"vulnerabilities", findings->size()}, {"product", doc.product},
                  {"version", doc.version}, {"vex_format", *format_name}});
    else if (!args.flag("--quiet"))
      std::printf("%s: %zu vulnerabilities of %s %s (%s)\n", out->c_str(), findings->size(), doc.product.c_str(),
                  doc.version.c_str(), format_name->c_str());
    return 0;
  }
  if (args.flag("--json")) return usage_error("--json goes with -o FILE (without it, stdout is the VEX document)");
  std::fputs(text.c_str(), stdout);
  return 0;
}

}  // namespace fwseal::cli

// `fwseal pipeline run RELEASE.json`: a whole release in one command; and two
// of its build steps: `fwseal pipeline provenance` and `fwseal pipeline repro`.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "args.h"
#include "commands.h"
#include "fwseal/base/json_output.h"
#include "fwseal/inventory/cvss.h"
#include "fwseal/base/file.h"
#include "fwseal/base/process.h"
#include "fwseal/base/progress.h"
#include "fwseal/hsm/signing_key.h"
#include "fwseal/pipeline/repro.h"
#include "fwseal/pipeline/run.h"
#include "fwseal/signer/audit.h"
#include "fwseal/signer/provenance.h"
#include "hsm_options.h"

namespace fwseal::cli {

namespace {

using ojson = nlohmann::ordered_json;

ojson summary_json(const pipeline::RunSummary& s) {
  ojson variants = ojson::array();
  for (const auto& v : s.variants)
    variants.push_back({{"name", v.name.empty() ? ojson(nullptr) : ojson(v.name)},
                        {"verdict", v.verdict},
                        {"package", v.package.empty() ? ojson(nullptr) : ojson(v.package)},
                        {"manifest_sha256", v.manifest_sha256.empty() ? ojson(nullptr) : ojson(v.manifest_sha256)},
                        {"reproducibility", v.reproducibility},
                        {"licences", v.licences.empty() ? ojson(nullptr) : ojson(v.licences)}});
  const Code code = s.error ? s.error->code : Code::ok;
  return {{"verdict", s.verdict},
          {"exit_code", exit_code(code)},
          {"code", code_name(code)},
          {"message", s.error ? s.error->message : "released"},
          {"release", s.release},
          {"output", s.out_dir},
          {"published", s.published},
          {"report", {{"json", s.report_json}, {"html", s.report_html}}},
          {"inventory", s.inventory_db.empty()
                            ? ojson(nullptr)
                            : ojson{{"db", s.inventory_db},
                                    {"added", s.inventory},
                                    {"vulnerabilities", s.vulnerabilities},
                                    {"vulnerabilities_json", s.vulnerabilities_json.empty()
                                                                 ? ojson(nullptr)
                                                                 : ojson(s.vulnerabilities_json)}}},
          {"steps_run", s.steps_run},
          {"up_to_date", s.up_to_date},
          {"variants", variants}};
}

int run(const Args& args) {
  if (args.positionals().size() != 1) return usage_error("expected one release file");
  pipeline::RunOptions options;
  options.release_file = args.positionals()[0];
  options.output = args.value("-o");
  options.no_repro = args.flag("--no-repro");
  if (auto f = args.value("--fail-on")) {
    auto parsed = inventory::parse_severity(*f, "--fail-on");
    if (!parsed.ok()) return usage_error(parsed.error().message);
    options.fail_on = *f;
  }
  options.tool_version = std::string("fwseal ") + FWSEAL_VERSION;
  if (auto j = args.value("-j")) {
    auto n = parse_security_version(*j, "-j");
    if (!n.ok() || *n == 0 || *n > 1024) return usage_error("-j wants a number of jobs from 1 to 1024");
    options.jobs = static_cast<unsigned>(*n);
  }
  const bool json = args.flag("--json");
  const bool quiet = args.flag("--quiet");
  if (json && quiet) return usage_error("--quiet and --json exclude each other");
  // Progress only for a person watching a terminal: nothing extra in logs.
  auto progress = progress_for_stderr(!json && !quiet);
  options.progress = progress.get();
  auto result = pipeline::run_release(options);
  progress.reset();  // the line is cleared before any message
  if (!result.ok()) return fail(result.error());
  const pipeline::RunSummary& s = *result;
  if (json) print_json(nlohmann::json::parse(summary_json(s).dump()));
  if (s.error) return fail(make_error(s.error->code, s.error->message + " (report: " + s.report_html + ")"));
  if (json || quiet) return 0;
  std::printf("released %s -> %s%s\n", s.release.c_str(), s.out_dir.c_str(),
              s.up_to_date ? " (up to date: ninja had no work to do)" : "");
  for (const auto& v : s.variants)
    std::printf("  %s  manifest sha256 %s  %sverified%s\n", v.package.c_str(), v.manifest_sha256.c_str(),
                v.licences == "pass" ? "licence policy passed, " : "",
                v.reproducibility == "pass" ? ", reproducible" : v.reproducibility == "skipped" ? ", reproducibility not checked" : "");
  for (const auto& line : s.inventory) std::printf("inventory: %s in %s\n", line.c_str(), s.inventory_db.c_str());
  for (const auto& line : s.vulnerabilities) std::printf("vulnerabilities: %s\n", line.c_str());
  if (!s.vulnerabilities_json.empty()) std::printf("vulnerabilities: %s\n", s.vulnerabilities_json.c_str());
  std::printf("report %s\n", s.report_html.c_str());
  return 0;
}

int repro(const Args& args) {
  if (args.positionals().size() != 1) return usage_error("expected one package");
  auto variant_path = args.required("--variant");
  auto out = args.required("-o");
  if (!variant_path.ok() || !out.ok())
    return usage_error(!variant_path.ok() ? variant_path.error().message : out.error().message);
  // A failed check must not leave an earlier "pass" behind.
  ::unlink(out->c_str());
  auto text = read_file(*variant_path, 16u << 20);
  if (!text.ok()) return fail(text.error());
  auto variant = pipeline::parse_variant_json(*text, *variant_path);
  if (!variant.ok()) return fail(variant.error());
  auto self = ::realpath("/proc/self/exe", nullptr);
  if (!self) return fail(make_error(Code::io, "/proc/self/exe: " + errno_text(errno)));
  pipeline::ReproOptions options;
  options.package = args.positionals()[0];
  options.fwseal = self;
  std::free(self);
  options.keep_scratch = args.flag("--keep-scratch");
  // Beside the report it writes (the run's work tree): a large rebuild does
  // not land in a RAM-backed /tmp, and a killed check leaves nothing outside
  // the output directory.
  auto slash = out->rfind('/');
  options.scratch_root = slash == std::string::npos ? "." : slash == 0 ? "/" : out->substr(0, slash);
  auto report = pipeline::check_reproducible(*variant, options);
  if (!report.ok()) return fail(report.error());
  ojson j = pipeline::repro_report_json(*report);
  auto w = write_file_atomic(*out, j.dump(2) + "\n");
  if (!w.ok()) return fail(w.error());
  if (args.flag("--json")) {
    auto doc = nlohmann::json::parse(j.dump());
    if (!report->reproducible) doc.update(json_failure("pipeline-repro", make_error(Code::malformed, report->message)));
    print_json(doc);
  }
  if (!report->reproducible) return fail(make_error(Code::malformed, report->message));
  if (!args.flag("--quiet") && !args.flag("--json")) std::printf("%s: %s\n", options.package.c_str(), report->message.c_str());
  return 0;
}

// The provenance of a package the run built and verified: the release file,
// the images (their digests as the package step computed them, in the
// manifest) and the declared-components files, signed in the HSM as a DSSE
// envelope and audited like a signature.
int provenance(const Args& args) {
  if (args.positionals().size() != 1) return usage_error("expected one package");
  for (const char* required : {"--variant", "--release", "--key", "-o"})
    if (!args.value(required)) return usage_error(std::string("missing ") + required);
  const std::string variant_path = *args.value("--variant");
  auto text = read_file(variant_path, 16u << 20);
  if (!text.ok()) return fail(text.error());
  auto variant = pipeline::parse_variant_json(*text, variant_path);
  if (!variant.ok()) return fail(variant.error());

  signer::ProvenanceRequest req;
  req.package_path = args.positionals()[0];
  req.parameters_path = *args.value("--release");
  req.parameters_kind = "release";
  req.base_dir = variant->release_dir;
  req.digests_from_manifest = true;
  req.builder_version = FWSEAL_VERSION;
  for (const auto& img : variant->images) req.inputs.push_back({"image", img.name, img.path});
  // Inline components come from the release file, already a material; the
  // file the run wrote them to (beside variant.json) is not an input.
  const std::string inline_file = variant_path.substr(0, variant_path.rfind('/') + 1) + "components.json";
  for (const auto& c : variant->components_files)
    if (c != inline_file) req.inputs.push_back({"components", "", c});

  const std::string uri = *args.value("--key");
  const hsm::Options opts = hsm_options(args);
  const signer::AuditContext audit{signer::audit_log_path("", hsm::home_dir(opts)), uri, ""};
  if (auto log = signer::AuditLog::open(audit.log_path); !log.ok()) return fail(log.error());
  auto key = hsm::open_signing_key(opts, uri);
  if (!key.ok()) return fail(key.error());
  auto p = signer::create_provenance(req, **key, audit, *args.value("-o"));
  if (!p.ok()) return fail(p.error());
  if (!args.flag("--quiet"))
    std::printf("wrote provenance %s for %s, %zu inputs\n", args.value("-o")->c_str(), p->subject_name.c_str(),
                p->materials.size());
  return 0;
}

}  // namespace

void add_pipeline_command(Command& fwseal) {
  Command& pipeline = fwseal.add_command("pipeline", "whole releases from a declarative file (docs/PIPELINE.md)");

  Command& r = add_command(pipeline, "run",
                           "a whole release: SBOM, package, sign, verify, provenance, reproducibility check, report", run);
  r.add_positional("RELEASE.json", "the release file", "expected one release file");
  r.add_value("-o,--output", "DIR", "the output directory (default: the release file's)");
  r.add_value("-j,--jobs", "N", "how many steps run at once (1-1024)");
  r.add_switch("--no-repro", "skip the reproducibility check (a second build)");
  r.add_value("--fail-on", "SEVERITY", "fail the release on a known vulnerability at or above critical|high|medium|low");
  add_output_switches(r);

  Command& rp = add_command(pipeline, "repro", "rebuild a variant's package in a scratch directory and compare (a run's step)",
                            repro);
  rp.add_positional("PKG", "the package built by the run", "expected one package");
  rp.add_value("--variant", "VARIANT.json", "the variant file the run wrote")->required();
  rp.add_value("-o,--output", "REPRO.json", "the report to write")->required();
  rp.add_switch("--keep-scratch", "keep the scratch build for a look");
  add_output_switches(rp);

  Command& pv = add_command(pipeline, "provenance", "sign the provenance of a package the run built and verified (a run's step)",
                            provenance);
  pv.add_positional("PKG", "the package", "expected one package");
  pv.add_value("--variant", "VARIANT.json", "the variant file the run wrote")->required();
  pv.add_value("--release", "RELEASE.json", "the release file")->required();
  pv.add_value("-k,--key", "URI", "the signing key, a PKCS#11 URI")->required();
  pv.add_value("-o,--output", "FILE", "the provenance to write")->required();
  add_module_option(pv);
  pv.add_switch("-q,--quiet", "print nothing on stdout");
}

}  // namespace fwseal::cli}  // namespace fwseal::cli

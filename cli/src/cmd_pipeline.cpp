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

constexpr const char* kPipelineUsage =
    "fwseal pipeline run RELEASE.json [-o DIR] [-j N] [--no-repro] [--fail-on SEVERITY] [--quiet | --json]\n"
    "       fwseal pipeline repro PKG --variant VARIANT.json -o REPRO.json [--keep-scratch] [--quiet | --json]\n"
    "       fwseal pipeline provenance PKG --variant VARIANT.json --release RELEASE.json --key URI -o FILE\n"
    "              [--module PATH] [--quiet]";

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
  if (args.positionals().size() != 1) return usage_error("expected one release file", kPipelineUsage);
  pipeline::RunOptions options;
  options.release_file = args.positionals()[0];
  options.output = args.value("-o");
  options.no_repro = args.flag("--no-repro");
  if (auto f = args.value("--fail-on")) {
    auto parsed = inventory::parse_severity(*f, "--fail-on");
    if (!parsed.ok()) return usage_error(parsed.error().message, kPipelineUsage);
    options.fail_on = *f;
  }
  options.tool_version = std::string("fwseal ") + FWSEAL_VERSION;
  if (auto j = args.value("-j")) {
    auto n = parse_security_version(*j, "-j");
    if (!n.ok() || *n == 0 || *n > 1024) return usage_error("-j wants a number of jobs from 1 to 1024", kPipelineUsage);
    options.jobs = static_cast<unsigned>(*n);
  }
  const bool json = args.flag("--json");
  const bool quiet = args.flag("--quiet");
  if (json && quiet) return usage_error("--quiet and --json exclude each other", kPipelineUsage);
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
  if (args.positionals().size() != 1) return usage_error("expected one package", kPipelineUsage);
  auto variant_path = args.required("--variant");
  auto out = args.required("-o");
  if (!variant_path.ok() || !out.ok())
    return usage_error(!variant_path.ok() ? variant_path.error().message : out.error().message, kPipelineUsage);
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
  if (args.positionals().size() != 1) return usage_error("expected one package", kPipelineUsage);
  for (const char* required : {"--variant", "--release", "--key", "-o"})
    if (!args.value(required)) return usage_error(std::string("missing ") + required, kPipelineUsage);
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

int cmd_pipeline(const Argv& argv) {
  if (argv.empty()) return usage_error("missing pipeline subcommand", kPipelineUsage);
  const std::string sub = argv[0];
  Argv rest(argv.begin() + 1, argv.end());
  auto args = Args::parse(rest, {{"-o", "-j", "--variant", "--release", "--key", "--module", "--fail-on"},
                                 {},
                                 {"--quiet", "--json", "--no-repro", "--keep-scratch"}});
  if (!args.ok()) return usage_error(args.error().message, kPipelineUsage);
  if (sub == "run") {
    for (const char* other : {"--variant", "--release", "--key", "--module"})
      if (args->value(other)) return usage_error(std::string(other) + " does not belong to pipeline run", kPipelineUsage);
    if (args->flag("--keep-scratch")) return usage_error("--keep-scratch belongs to pipeline repro", kPipelineUsage);
    return run(*args);
  }
  if (sub != "run" && args->value("--fail-on")) return usage_error("--fail-on belongs to pipeline run", kPipelineUsage);
  if (sub == "repro") {
    if (args->value("-j") || args->flag("--no-repro")) return usage_error("-j and --no-repro belong to pipeline run", kPipelineUsage);
    for (const char* other : {"--release", "--key", "--module"})
      if (args->value(other)) return usage_error(std::string(other) + " belongs to pipeline provenance", kPipelineUsage);
    return repro(*args);
  }
  if (sub == "provenance") {
    if (args->value("-j") || args->flag("--no-repro") || args->flag("--keep-scratch") || args->flag("--json"))
      return usage_error("pipeline provenance takes --variant, --release, --key, -o, --module and --quiet", kPipelineUsage);
    return provenance(*args);
  }
  return usage_error("unknown pipeline subcommand \"" + sub + "\"", kPipelineUsage);
}

}  // namespace fwseal::cli

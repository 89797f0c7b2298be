#include "fwseal/format/file_kind.h"
#include "fwseal/verifier/cli.h"

#include "fwseal/base/json_output.h"
#include "fwseal/verifier/provenance.h"

#include <fcntl.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "fwseal/base/digest.h"
#include "fwseal/base/file.h"
#include "fwseal/base/progress.h"
#include "fwseal/format/provenance.h"
#include "fwseal/format/trust.h"
#include "fwseal/verifier/verify.h"

namespace fwseal::verifier {
namespace {

struct Args {
  std::string package;
  std::string trust;
  std::string provenance;  // --provenance FILE: checked after the package (docs/AUDIT.md)
  VerifyOptions options;
  bool json = false;
  bool quiet = false;  // nothing on stdout: the exit code says it all
  bool help = false;
};

Result<Args> parse_args(int argc, char** argv) {
  Args a;
  bool have_package = false;
  bool have_trust = false;
  bool options_done = false;
  auto usage = [](std::string m) { return make_error(Code::usage, std::move(m)); };
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (options_done || arg == "-" || !arg.starts_with("-")) {
      if (have_package) return usage("more than one package given: " + std::string(arg));
      a.package = arg;
      have_package = true;
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg == "--json" || arg == "--quiet") {
      (arg == "--json" ? a.json : a.quiet) = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      a.help = true;
      continue;
    }
    // Options with a value: "--opt VALUE" or "--opt=VALUE".
    std::string name(arg);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (name != "--trust" && name != "--hw" && name != "--installed-security-version" && name != "--provenance")
      return usage("unknown option " + name);
    if (!value) {
      if (i + 1 >= argc) return usage(name + " needs a value");
      value = argv[++i];
    }
    if (name == "--provenance") {
      if (!a.provenance.empty() || value->empty()) return usage("--provenance needs one file");
      a.provenance = *value;
    } else if (name == "--trust") {
      if (have_trust) return usage("--trust given twice");
      a.trust = *value;
      have_trust = true;
    } else if (name == "--hw") {
      if (value->empty()) return usage("--hw needs a hardware id");
      a.options.hardware.push_back(*value);
    } else {
      if (a.options.installed_security_version) return usage("--installed-security-version given twice");
      auto n = parse_security_version(*value, "--installed-security-version");
      if (!n.ok()) return usage(n.error().message);
      a.options.installed_security_version = *n;
    }
  }
  if (a.help) return a;
  if (a.json && a.quiet) return usage("--quiet and --json exclude each other");
  if (!have_package) return usage("no package given (a file, or - for standard input)");
  if (!have_trust) return usage("--trust TRUST.json is required");
  return a;
}

std::string summary(const VerifyReport& r) {
  const Manifest& m = r.verified->manifest();
  std::string out = "VALID: " + m.product + " " + m.version + " (security version " +
                    std::to_string(m.security_version) + "), " + std::to_string(r.signatures_valid) + " of " +
                    std::to_string(r.signatures.size()) + " signatures, manifest sha256 " +
                    to_hex(r.verified->manifest_digest()) + "\n";
  for (const auto& c : r.checks)
    if (c.result == CheckResult::skip) out += "note: step " + c.step + " (" + c.name + ") " + c.detail + "\n";
  return out;
}

}  // namespace

std::string verify_usage(std::string_view program) {
  return "usage: " + std::string(program) +
         " PKG|- --trust TRUST.json [--hw ID]... [--installed-security-version N] [--provenance FILE]\n"
         "       [--quiet | --json]\n";
}

int verify_main(int argc, char** argv) { return verify_main(argc, argv, std::cout, std::cerr, "fwseal-verify"); }

int verify_main(int argc, char** argv, std::ostream& out, std::ostream& err, std::string_view program) {
  auto args = parse_args(argc, argv);
  if (!args.ok()) {
    err << program << ": " << args.error().message << "\n" << verify_usage(program);
    return exit_code(Code::usage);
  }
  if (args->help) {
    out << verify_usage(program);
    return 0;
  }

  VerifyReport report;
  auto fail = [&](const Error& e) {
    report.status = e;
    if (args->json) out << report_json(report);
    err << program << ": " << e.message << "\n";
    return exit_code(e.code);
  };
  // A directory, a spec or a trust policy given as the package is named so
  // (an empty file keeps its "truncated" message).
  auto fail_package = [&](Error e) {
    if (args->package != "-" && sniff_file_kind(args->package) != FileKind::empty)
      e = explain_wrong_kind(args->package, FileKind::package, std::move(e));
    return fail(e);
  };

  auto trust = load_trust(args->trust);
  if (!trust.ok()) return fail(trust.error());
  Fd owned;
  int fd = 0;  // "-": standard input
  if (args->package != "-") {
    auto opened = open_read(args->package);
    if (!opened.ok()) return fail_package(opened.error());
    owned = std::move(opened).value();
    fd = owned.get();
    // Read front to back once: a larger read-ahead window (no effect on a pipe).
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  }
  auto progress = progress_for_stderr(!args->quiet && !args->json);
  args->options.progress = progress.get();
  report = verify_package(fd, *trust, args->options);
  args->options.progress = nullptr;
  progress.reset();  // the line is cleared before any message
  if (!report.ok()) {
    if (report.status.ok()) report.status = make_error(Code::internal, "verification ended without a verdict");
    return fail_package(report.status.error());
  }
  if (args->provenance.empty()) {
    if (!args->quiet) out << (args->json ? report_json(report) : summary(report));
    return 0;
  }
  // Provenance is checked only against a package that verified.
  auto bytes = read_file(args->provenance, kMaxProvenanceBytes);
  if (!bytes.ok()) return fail(bytes.error());
  auto prov = verify_provenance(*bytes, *trust, report.verified->manifest_digest(), args->provenance);
  if (!prov.ok()) return fail(prov.error());
  const Provenance& p = prov->statement;
  if (args->json) {
    auto j = nlohmann::json::parse(report_json(report));
    j["provenance"] = {{"file", args->provenance}, {"subject", p.subject_name},
                       {"key_id", to_hex(prov->key_id)}, {"builder", std::string(kFwsealBuilderIdPrefix) + p.builder_version},
                       {p.parameters_kind, p.parameters_name}, {"materials", p.materials.size()}};
    out << dump_json_document(j);
  } else if (!args->quiet) {
    out << summary(report) << "provenance: " << args->provenance << ": " << p.subject_name << " built by "
        << kFwsealBuilderIdPrefix << p.builder_version << " from " << p.parameters_kind << " " << p.parameters_name
        << " and " << p.materials.size() - 1 << (p.materials.size() == 2 ? " input file" : " input files")
        << ", signed by trusted key " << to_hex(prov->key_id)
        << (prov->key_name.empty() ? "" : " (" + prov->key_name + ")") << "\n";
  }
  return 0;
}

}  // namespace fwseal::verifier

#include "fwseal/format/file_kind.h"
#include "fwseal/verifier/cli.h"

#include "fwseal/base/json_output.h"
#include "fwseal/verifier/provenance.h"

#include <fcntl.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include "fwseal/base/digest.h"
#include "fwseal/base/file.h"
#include "fwseal/base/progress.h"
#include "fwseal/format/provenance.h"
#include "fwseal/format/trust.h"
#include "fwseal/verifier/command_line.h"
#include "fwseal/verifier/decrypt.h"
#include "fwseal/verifier/verify.h"

namespace fwseal::verifier {
namespace {

struct Args {
  std::string package;
  std::string trust;
  std::string provenance;  // --provenance FILE: checked after the package (docs/AUDIT.md)
  std::string decrypt_key;  // --decrypt-key FILE|URI: a device class's private key; plaintext checked too
  VerifyOptions options;
  bool json = false;
  bool quiet = false;  // nothing on stdout: the exit code says it all
};

// The arguments of fwseal-verify and `fwseal verify`, defined once.
// `token_keys`: --decrypt-key also takes a key URI (`fwseal verify`).
std::unique_ptr<cmdline::Command> define(std::string_view name, std::string_view version, bool token_keys) {
  auto app = std::make_unique<cmdline::Command>(
      std::string(name),
      "Checks a fwseal package exactly as a device bootloader does: layout, digests, signatures against\n"
      "the trust policy, anti-rollback and hardware compatibility (docs/FORMAT.md). Reads the package\n"
      "once, front to back, and works from a pipe.");
  app->add_positional("PKG|-", "the package file, or - to read it from standard input",
                      "no package given (a file, or - for standard input)");
  app->add_value("--trust", "TRUST.json", "the trust policy: trusted keys or CAs, threshold, revocations")->required();
  app->add_values("--hw", "ID", "the device's hardware id; the package must list it");
  app->add_value("--installed-security-version", "N", "refuse a package whose security version is below N");
  app->add_value("--provenance", "FILE", "also check this signed provenance of the package (docs/AUDIT.md)");
  if (token_keys)
    app->add_value("--decrypt-key", "URI|KEY.pem",
                   "a device class's private key (a key URI: ECDH inside the token; or a PEM file, P-256 or X25519): "
                   "also decrypt the encrypted images and check their plaintext");
  else
    app->add_value("--decrypt-key", "KEY.pem",
                   "a device class's private key (PEM, P-256 or X25519): also decrypt the encrypted images and check "
                   "their plaintext");
  app->add_switch("-q,--quiet", "print nothing on stdout: the exit code says it all");
  app->add_switch("--json", "print the report of every check as JSON on stdout (docs/JSON.md)");
  if (!version.empty()) app->add_switch("--version", "print the version and exit");
  app->footer(
      "Exit codes: 0 valid, 2 usage, 3 I/O, 10 malformed, 11 digest, 12 signature, 13 untrusted,\n"
      "14 rollback, 15 hardware, 17 decryption.");
  return app;
}

std::vector<std::string> results(const cmdline::Command& app, const std::string& name) {
  return app.get_option(name)->results();
}

Result<Args> read_args(const cmdline::Command& app, std::string_view program, bool token_keys) {
  auto usage = [](std::string m) { return make_error(Code::usage, std::move(m)); };
  Args a;
  a.package = results(app, "PKG|-").at(0);
  a.trust = results(app, "--trust").at(0);
  a.json = app.get_option("--json")->count() > 0;
  a.quiet = app.get_option("--quiet")->count() > 0;
  for (const auto& hw : results(app, "--hw")) {
    if (hw.empty()) return usage("--hw needs a hardware id");
    a.options.hardware.push_back(hw);
  }
  if (auto v = results(app, "--installed-security-version"); !v.empty()) {
    auto n = parse_security_version(v[0], "--installed-security-version");
    if (!n.ok()) return usage(n.error().message);
    a.options.installed_security_version = *n;
  }
  if (auto p = results(app, "--provenance"); !p.empty()) {
    if (p[0].empty()) return usage("--provenance needs one file");
    a.provenance = p[0];
  }
  if (auto k = results(app, "--decrypt-key"); !k.empty()) {
    if (k[0].empty()) return usage(token_keys ? "--decrypt-key needs a key URI or a PEM private key file"
                                              : "--decrypt-key needs a PEM private key file");
    // The URI itself is not repeated: it is the user's, and may hold what a
    // URI must not (a PIN), which only hsm/ checks.
    if (!token_keys && k[0].starts_with("pkcs11:"))
      return usage("--decrypt-key names a key in a token, and " + std::string(program) +
                   " loads no PKCS#11 module: give a PEM key file, or check with `fwseal verify --decrypt-key URI` "
                   "or `fwseal extract --decrypt-key URI`");
    a.decrypt_key = k[0];
  }
  if (a.json && a.quiet) return usage("--quiet and --json exclude each other");
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
  return "usage: " + define(program, "", false)->synopsis() + "\n";
}

int verify_main(int argc, char** argv) {
  return verify_main(argc, argv, std::cout, std::cerr, "fwseal-verify");
}

int verify_main(int argc, char** argv, std::ostream& out, std::ostream& err, std::string_view program,
                std::string_view version, const TokenKeyOpener& open_token_key) {
  const std::string_view prefix = program.substr(0, program.find(' '));  // "fwseal" for "fwseal verify"
  const bool token_keys = static_cast<bool>(open_token_key);
  auto app = define(program, version, token_keys);
  std::string error;
  bool help = false;
  const std::vector<std::string> words(argv + std::min(argc, 1), argv + argc);
  app->parse(words, &error, &help);
  if (help) {
    out << app->help_text();
    return 0;
  }
  if (!version.empty() && app->get_option("--version")->count() > 0) {
    out << program << " " << version << "\n";
    return 0;
  }
  Result<Args> args = error.empty() ? read_args(*app, program, token_keys) : Result<Args>(make_error(Code::usage, error));
  if (!args.ok()) {
    err << prefix << ": " << args.error().message << "\n" << "usage: " << app->synopsis() << "\n";
    return exit_code(Code::usage);
  }

  VerifyReport report;
  auto fail = [&](const Error& e) {
    report.status = e;
    if (args->json) out << report_json(report);
    err << prefix << ": " << e.message << "\n";
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
  // With a device class's key, encrypted images are decrypted and their
  // plaintext checked as well (R27, R28); without one, their ciphertext is.
  std::unique_ptr<enc::RecipientKey> key;
  if (!args->decrypt_key.empty()) {
    auto k = token_keys && args->decrypt_key.starts_with("pkcs11:") ? open_token_key(args->decrypt_key)
                                                                     : enc::load_recipient_private_pem(args->decrypt_key);
    if (!k.ok()) return fail(k.error());
    key = std::move(k).value();
  }
  DecryptingSink decrypting(key.get(), nullptr);
  auto progress = progress_for_stderr(!args->quiet && !args->json);
  args->options.progress = progress.get();
  report = verify_package(fd, *trust, args->options, key ? &decrypting : nullptr);
  args->options.progress = nullptr;
  progress.reset();  // the line is cleared before any message
  if (!report.ok()) {
    if (report.status.ok()) report.status = make_error(Code::internal, "verification ended without a verdict");
    return fail_package(report.status.error());
  }
  if (key) {
    if (Status d = decrypting.result(); !d.ok()) {
      report.verified.reset();
      return fail(d.error());
    }
  }
  std::string decrypted;
  for (const auto& name : decrypting.decrypted())
    decrypted += "decrypted: image/" + name + " with " + args->decrypt_key + ", plaintext sha256 as the manifest states\n";
  auto json_report = [&] {
    auto j = nlohmann::json::parse(report_json(report));
    if (key) j["decrypted"] = decrypting.decrypted();
    return j;
  };
  if (args->provenance.empty()) {
    if (!args->quiet) out << (args->json ? dump_json_document(json_report()) : summary(report) + decrypted);
    return 0;
  }
  // Provenance is checked only against a package that verified.
  auto bytes = read_file(args->provenance, kMaxProvenanceBytes);
  if (!bytes.ok()) return fail(bytes.error());
  auto prov = verify_provenance(*bytes, *trust, report.verified->manifest_digest(), args->provenance);
  if (!prov.ok()) return fail(prov.error());
  const Provenance& p = prov->statement;
  if (args->json) {
    auto j = json_report();
    j["provenance"] = {{"file", args->provenance}, {"subject", p.subject_name},
                       {"key_id", to_hex(prov->key_id)}, {"builder", std::string(kFwsealBuilderIdPrefix) + p.builder_version},
                       {p.parameters_kind, p.parameters_name}, {"materials", p.materials.size()}};
    out << dump_json_document(j);
  } else if (!args->quiet) {
    out << summary(report) << decrypted << "provenance: " << args->provenance << ": " << p.subject_name << " built by "
        << kFwsealBuilderIdPrefix << p.builder_version << " from " << p.parameters_kind << " " << p.parameters_name
        << " and " << p.materials.size() - 1 << (p.materials.size() == 2 ? " input file" : " input files")
        << ", signed by trusted key " << to_hex(prov->key_id)
        << (prov->key_name.empty() ? "" : " (" + prov->key_name + ")") << "\n";
  }
  return 0;
}

}  // namespace fwseal::verifier

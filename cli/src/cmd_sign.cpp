#include <cstdio>
#include <functional>

#include "args.h"
#include "commands.h"
#include "fwseal/format/package_reader.h"
#include "fwseal/base/file.h"
#include "fwseal/hsm/signing_key.h"
#include "fwseal/signer/audit.h"
#include "fwseal/signer/signer.h"
#include "hsm_options.h"

namespace fwseal::cli {

namespace {

// Every signature gets its line in the audit log (docs/AUDIT.md).
signer::AuditContext audit_context(const Args& args, std::string key_uri) {
  return {signer::audit_log_path(args.value("--audit-log").value_or(""), hsm::home_dir(hsm_options(args))),
          std::move(key_uri), ""};
}

void print_result(const Args& args, const std::string& path, const signer::SignResult& r) {
  if (args.flag("--json")) {
    print_json({{"package", path},
                {"algorithm", algorithm_name(r.algorithm)},
                {"key_id", to_hex(r.key_id)},
                {"signatures", r.signature_count},
                {"manifest_sha256", to_hex(r.manifest_digest)}});
    return;
  }
  if (args.flag("--quiet")) return;
  std::printf("signed %s with %s key %s (%zu signature%s)\nmanifest sha256 %s\n", path.c_str(),
              std::string(algorithm_name(r.algorithm)).c_str(), to_hex(r.key_id).c_str(), r.signature_count,
              r.signature_count == 1 ? "" : "s", to_hex(r.manifest_digest).c_str());
}

// The exact bytes a signature covers, for a signer outside fwseal (an offline
// HSM, a signing service): written atomically, nothing else changes.
int export_tbs(const Args& args, const std::string& path, const std::string& out) {
  auto tbs = signer::to_be_signed(path);
  if (!tbs.ok()) return fail(tbs.error());
  auto w = write_file_atomic(out, *tbs);
  if (!w.ok()) return fail(w.error());
  if (args.flag("--json"))
    print_json({{"package", path}, {"to_be_signed", out}, {"size", tbs->size()}});
  else if (!args.flag("--quiet"))
    std::fprintf(stderr, "wrote the %zu bytes to sign to %s (see docs/FORMAT.md \"Signed bytes\")\n", tbs->size(), out.c_str());
  return 0;
}

// A signature made elsewhere: embedded only if it verifies with the given key.
// Signs `path` in place, or with -o OUT a signed copy (signer::sign_to_output).
Result<signer::SignResult> sign_in_place_or_copy(const Args& args, const std::string& path,
                                                 const std::function<Result<signer::SignResult>(const std::string&)>& sign) {
  auto out = args.value("-o") ? args.value("-o") : args.value("--output");
  if (!out) return sign(path);
  return signer::sign_to_output(path, *out, args.flag("--force"), sign);
}

std::string signed_path(const Args& args, const std::string& path) {
  return args.value("-o").value_or(args.value("--output").value_or(path));
}

int import(const Args& args, const std::string& path, const std::string& sig_path,
           const std::vector<std::string>& chain) {
  auto sig = read_file(sig_path, 64 * 1024);
  if (!sig.ok()) return fail(sig.error());
  auto key = signer::import_public_key(args.value("--pubkey"), chain);
  if (!key.ok()) return key.error().code == Code::usage ? usage_error(key.error().message) : fail(key.error());
  auto r = sign_in_place_or_copy(args, path, [&](const std::string& p) {
    return signer::import_signature_audited(p, key->get(), *sig, audit_context(args, ""), chain);
  });
  if (!r.ok()) return r.error().code == Code::usage ? usage_error(r.error().message) : fail(r.error());
  print_result(args, signed_path(args, path), *r);
  return 0;
}

int sign(const Args& args) {
  const std::string& path = args.positionals()[0];
  int modes = (args.value("--key") ? 1 : 0) + (args.value("--export-tbs") ? 1 : 0) +
              (args.value("--import-signature") ? 1 : 0);
  if (modes != 1) return usage_error("give exactly one of --key, --export-tbs, --import-signature");
  if (auto out = args.value("--export-tbs")) {
    if (args.value("-o")) return usage_error("--export-tbs writes no package: no -o");
    return export_tbs(args, path, *out);
  }
  if (args.flag("--force") && !args.value("-o")) return usage_error("--force goes with -o OUT");
  if (args.value("--pubkey") && !args.value("--import-signature"))
    return usage_error("--pubkey goes with --import-signature");

  std::vector<std::string> chain;
  if (auto cert = args.value("--cert")) {
    auto c = signer::load_certificate_chain(*cert);
    if (!c.ok()) return fail(c.error());
    chain = std::move(*c);
  }
  if (auto sig = args.value("--import-signature")) return import(args, path, *sig, chain);
  std::string uri_text = *args.value("--key");
  // Check the package before asking for a PIN: a typo in the path should not cost a login.
  auto head = read_unverified_package(path);
  if (!head.ok()) return fail(head.error());

  auto uri = hsm::parse_key_uri(uri_text);
  if (!uri.ok()) return fail(uri.error());
  const auto audit = audit_context(args, uri_text);
  // A log that cannot take the line fails here, before the PIN is asked for.
  if (auto log = signer::AuditLog::open(audit.log_path); !log.ok()) return fail(log.error());
  auto key = hsm::open_signing_key(hsm_options(args), *uri);
  if (!key.ok()) return fail(key.error());
  auto r = sign_in_place_or_copy(args, path, [&](const std::string& p) {
    return signer::sign_package_audited(p, **key, audit, chain);
  });
  if (!r.ok()) return r.error().code == Code::usage ? usage_error(r.error().message) : fail(r.error());
  print_result(args, signed_path(args, path), *r);
  return 0;
}

}  // namespace

void add_sign_command(Command& fwseal) {
  Command& c = add_command(fwseal, "sign", "add a signature made inside an HSM (run again with another key for m-of-n)", sign);
  c.add_positional("PKG", "the package to sign, in place unless -o is given", "expected one package");
  c.add_value("-k,--key", "URI", "the signing key in its token, a PKCS#11 URI (RFC 7512)");
  add_module_option(c);
  c.add_value("--cert", "CHAIN.pem", "the key's certificate chain, embedded with the signature");
  c.add_value("--export-tbs", "FILE", "write the exact bytes to sign, for a signer outside fwseal; nothing else changes");
  c.add_value("--import-signature", "SIG", "embed a signature made elsewhere, once it verifies with --cert or --pubkey");
  c.add_value("--pubkey", "PEM", "with --import-signature: the public key the signature must verify with");
  c.add_value("--audit-log", "FILE", "the signing audit log (default: the one in $FWSEAL_HOME; docs/AUDIT.md)");
  c.add_value("-o,--output", "OUT", "write the signed package to OUT (atomically) and leave PKG as it was");
  c.add_switch("-f,--force", "with -o: replace OUT if it exists");
  add_output_switches(c);
  c.footer("Give exactly one of --key, --export-tbs and --import-signature.");
}

}  // namespace fwseal::cli

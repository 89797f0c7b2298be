// `fwseal ca`: a certificate authority whose private key stays in a PKCS#11
// token. OpenSSL builds each certificate or CRL, the token signs its DER
// (format/x509_issue.h), and the result is checked against the CA's public
// key before it is written. docs/TRUST.md walks through a rotation with it.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>

#include "args.h"
#include "commands.h"
#include "fwseal/base/text.h"
#include "fwseal/base/time.h"
#include "fwseal/base/file.h"
#include "fwseal/format/x509.h"
#include "fwseal/ca/ca.h"
#include "fwseal/ca/issue.h"
#include "fwseal/hsm/signing_key.h"
#include "hsm_options.h"

namespace fwseal::cli {
namespace {

constexpr std::int64_t kDay = 24 * 3600;

Error usage(const std::string& m) { return make_error(Code::usage, m); }

Result<std::int64_t> parse_time(const std::string& text, const std::string& option) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos && text.size() <= 12)
    return static_cast<std::int64_t>(std::stoll(text));
  auto t = text.size() == 10 ? parse_date_utc(text, option) : parse_rfc3339_utc(text, option);
  if (!t.ok()) return usage(option + ": " + quote(text) + " is not a time (seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)");
  return t;
}

Result<std::uint64_t> parse_count(const Args& args, const std::string& option, std::uint64_t fallback,
                                  std::uint64_t max) {
  auto v = args.value(option);
  if (!v) return fallback;
  if (v->empty() || v->size() > 19 || v->find_first_not_of("0123456789") != std::string::npos || std::stoull(*v) > max)
    return usage(option + ": expected a whole number up to " + std::to_string(max));
  return static_cast<std::uint64_t>(std::stoull(*v));
}

Result<std::int64_t> start_time(const Args& args, const std::string& option) {
  if (auto t = args.value(option)) return parse_time(*t, option);
  return static_cast<std::int64_t>(std::time(nullptr));
}

// The CA's key in its token. Opened last, after every argument and file was
// checked: a typo should not cost a PIN entry.
struct CaKey {
  std::unique_ptr<SigningKey> key;
  CertIssuer issuer(const X509* cert) const { return CertIssuer{cert, key.get()}; }
};

Result<CaKey> open_ca_key(const Args& args) {
  FWSEAL_ASSIGN(std::string text, args.required("--ca-key"));
  FWSEAL_ASSIGN(std::unique_ptr<SigningKey> key, hsm::open_signing_key(hsm_options(args), text));
  return CaKey{std::move(key)};
}

Status write_pem(const Args& args, const std::string& pem) {
  FWSEAL_ASSIGN(std::string out, args.required("-o"));
  return write_file_atomic(out, pem);
}

Status report_certificate(const Args& args, const std::string& der, const char* verb) {
  FWSEAL_ASSIGN(ca::CertificateSummary c, ca::describe_certificate(der));
  if (args.flag("--json")) {
    print_json({{"certificate", *args.value("-o")}, {"subject", c.subject}, {"issuer", c.issuer},
                {"serial", c.serial_hex}, {"not_before", rfc3339_utc(c.not_before)},
                {"not_after", rfc3339_utc(c.not_after)}, {"key_id", to_hex(c.key_id)}});
    return ok_status();
  }
  if (args.flag("--quiet")) return ok_status();
  std::printf("%s '%s' (serial %s)\n  issuer '%s'\n  valid %s to %s\n  key id %s\n", verb, c.subject.c_str(),
              c.serial_hex.c_str(), c.issuer.c_str(), rfc3339_utc(c.not_before).c_str(),
              rfc3339_utc(c.not_after).c_str(), to_hex(c.key_id).c_str());
  return ok_status();
}

Result<CertificateSpec> validity(const Args& args, std::uint64_t default_days) {
  CertificateSpec spec;
  FWSEAL_ASSIGN(spec.subject, args.required("--subject"));
  FWSEAL_ASSIGN(spec.not_before, start_time(args, "--not-before"));
  FWSEAL_ASSIGN(std::uint64_t days, parse_count(args, "--days", default_days, 36500));
  spec.not_after = spec.not_before + static_cast<std::int64_t>(days) * kDay;
  if (args.value("--path-length")) {
    FWSEAL_ASSIGN(std::uint64_t n, parse_count(args, "--path-length", 0, 8));
    spec.path_length = static_cast<std::uint32_t>(n);
  }
  FWSEAL_TRY(parse_name(spec.subject, "--subject"));
  return spec;
}

Status self_sign(const Args& args) {
  FWSEAL_ASSIGN(CertificateSpec spec, validity(args, 20 * 365));
  spec.ca = true;
  FWSEAL_TRY(args.required("-o"));
  FWSEAL_ASSIGN(CaKey ca, open_ca_key(args));
  spec.public_key = ca.key->public_key();
  FWSEAL_ASSIGN(std::string der, issue_certificate(spec, ca.issuer(nullptr)));
  FWSEAL_ASSIGN(ossl::X509Ptr cert, certificate_from_der(der, "certificate"));
  FWSEAL_ASSIGN(std::string pem, certificate_to_pem(cert.get()));
  FWSEAL_TRY(write_pem(args, pem));
  return report_certificate(args, der, "self-signed root");
}

Status issue(const Args& args) {
  FWSEAL_ASSIGN(CertificateSpec spec, validity(args, 3 * 365));
  spec.ca = args.flag("--ca");
  if (auto ekus = args.values("--eku"); !ekus.empty()) spec.extended_key_usages = ekus;
  FWSEAL_ASSIGN(std::string ca_path, args.required("--ca-cert"));
  FWSEAL_ASSIGN(ossl::X509Ptr ca_cert, ca::load_certificate(ca_path));
  const auto subject_uri = args.value("--subject-key");
  const auto pubkey_path = args.value("--pubkey");
  if (subject_uri.has_value() == pubkey_path.has_value()) return usage("give one of --subject-key URI or --pubkey PEM");
  ossl::PKey subject_key;
  if (pubkey_path) {
    FWSEAL_ASSIGN(std::string pem, read_file(*pubkey_path, 64 * 1024));
    FWSEAL_ASSIGN(subject_key, public_key_from_pem(pem, *pubkey_path));
  } else {
    FWSEAL_ASSIGN(hsm::KeyUri uri, hsm::parse_key_uri(*subject_uri));
    FWSEAL_ASSIGN(subject_key, hsm::read_public_key(hsm_options(args), uri));
  }
  spec.public_key = subject_key.get();
  FWSEAL_TRY(args.required("-o"));
  FWSEAL_ASSIGN(CaKey ca, open_ca_key(args));
  FWSEAL_ASSIGN(std::string der, issue_certificate(spec, ca.issuer(ca_cert.get())));
  FWSEAL_ASSIGN(ossl::X509Ptr cert, certificate_from_der(der, "certificate"));
  FWSEAL_ASSIGN(std::string pem, certificate_to_pem(cert.get()));
  FWSEAL_TRY(write_pem(args, pem));
  return report_certificate(args, der, spec.ca ? "issued CA certificate" : "issued signing certificate");
}

Status crl_run(const Args& args) {
  FWSEAL_ASSIGN(std::string ca_path, args.required("--ca-cert"));
  FWSEAL_ASSIGN(ossl::X509Ptr ca_cert, ca::load_certificate(ca_path));
  CrlSpec spec;
  FWSEAL_ASSIGN(spec.this_update, start_time(args, "--this-update"));
  FWSEAL_ASSIGN(std::uint64_t days, parse_count(args, "--days", 365, 36500));
  spec.next_update = spec.this_update + static_cast<std::int64_t>(days) * kDay;
  FWSEAL_ASSIGN(spec.crl_number,
                parse_count(args, "--crl-number",
                            static_cast<std::uint64_t>(std::max<std::int64_t>(spec.this_update, 1)), UINT64_MAX / 2));
  for (const auto& path : args.values("--revoke")) {
    FWSEAL_ASSIGN(ossl::X509Ptr cert, ca::load_certificate(path));
    FWSEAL_ASSIGN(std::string serial, ca::serial_to_revoke(cert.get(), ca_cert.get(), "--revoke " + path));
    spec.revoked.push_back(CrlSpec::Revoked{serial, spec.this_update});
  }
  for (const auto& hex : args.values("--revoke-serial")) {
    FWSEAL_ASSIGN(std::string serial, ca::serial_from_hex(hex, "--revoke-serial"));
    spec.revoked.push_back(CrlSpec::Revoked{serial, spec.this_update});
  }
  FWSEAL_TRY(args.required("-o"));
  FWSEAL_ASSIGN(CaKey ca, open_ca_key(args));
  FWSEAL_ASSIGN(std::string der, issue_crl(spec, ca.issuer(ca_cert.get())));
  FWSEAL_ASSIGN(ossl::X509Crl out, crl_from_der(der, "CRL"));
  FWSEAL_ASSIGN(std::string pem, crl_to_pem(out.get()));
  FWSEAL_TRY(write_pem(args, pem));
  if (args.flag("--json")) {
    print_json({{"crl", *args.value("-o")}, {"issuer", ca::subject_of(ca_cert.get())},
                {"crl_number", spec.crl_number}, {"revoked", spec.revoked.size()},
                {"this_update", rfc3339_utc(spec.this_update)}, {"next_update", rfc3339_utc(spec.next_update)}});
    return ok_status();
  }
  if (args.flag("--quiet")) return ok_status();
  std::printf("CRL of '%s' (number %llu): %zu revoked certificate%s, this update %s, next update %s\n",
              ca::subject_of(ca_cert.get()).c_str(), static_cast<unsigned long long>(spec.crl_number),
              spec.revoked.size(), spec.revoked.size() == 1 ? "" : "s", rfc3339_utc(spec.this_update).c_str(),
              rfc3339_utc(spec.next_update).c_str());
  return ok_status();
}

// A ca subcommand's Status as the exit code: a usage error with the usage line.
template <Status (*run)(const Args&)>
int exit_status(const Args& args) {
  Status s = run(args);
  if (s.ok()) return 0;
  if (s.error().code == Code::usage) return usage_error(s.error().message);
  return fail(s.error());
}

int issue_command(const Args& args) {
  if (args.value("--path-length") && !args.flag("--ca")) return usage_error("--path-length applies to CA certificates (--ca)");
  return exit_status<issue>(args);
}

constexpr const char* kTime = "T";  // seconds since 1970, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ

void add_common(Command& c, const char* out_metavar, const char* out_description) {
  c.add_value("--ca-key", "URI", "the CA's private key in its token, a PKCS#11 URI")->required();
  c.add_value("-o,--output", out_metavar, out_description)->required();
  add_module_option(c);
  add_output_switches(c);
}

}  // namespace

void add_ca_command(Command& fwseal) {
  Command& ca = fwseal.add_command("ca", "a small CA whose keys stay in the HSM (docs/TRUST.md)");
  ca.footer("DN: \"CN=release A,O=Acme\"; T: seconds since 1970, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (default now).");

  Command& self_sign_cmd = add_command(ca, "self-sign", "make a self-signed root certificate for the CA's key", exit_status<self_sign>);
  self_sign_cmd.add_value("--subject", "DN", "the root's name, e.g. \"CN=release root,O=Acme\"")->required();
  self_sign_cmd.add_value("--days", "N", "validity in days (default 7300)");
  self_sign_cmd.add_value("--not-before", kTime, "start of validity (default now)");
  self_sign_cmd.add_value("--path-length", "N", "how many CA certificates may follow it (0-8)");
  add_common(self_sign_cmd, "ROOT.pem", "the certificate to write");

  Command& issue_cmd = add_command(ca, "issue", "issue a signing (or, with --ca, an intermediate CA) certificate", issue_command);
  issue_cmd.add_value("--ca-cert", "CA.pem", "the CA's certificate")->required();
  issue_cmd.add_value("--subject-key", "URI", "the subject's key in a token (or --pubkey)");
  issue_cmd.add_value("--pubkey", "PEM", "the subject's public key as PEM (or --subject-key)");
  issue_cmd.add_value("--subject", "DN", "the subject's name")->required();
  issue_cmd.add_value("--days", "N", "validity in days (default 1095)");
  issue_cmd.add_value("--not-before", kTime, "start of validity (default now)");
  issue_cmd.add_values("--eku", "OID", "an extended key usage");
  issue_cmd.add_switch("--ca", "an intermediate CA certificate rather than a signing one");
  issue_cmd.add_value("--path-length", "N", "with --ca: how many CA certificates may follow it (0-8)");
  add_common(issue_cmd, "CERT.pem", "the certificate to write");

  Command& crl_cmd = add_command(ca, "crl", "write a certificate revocation list signed by the CA", exit_status<crl_run>);
  crl_cmd.add_value("--ca-cert", "CA.pem", "the CA's certificate")->required();
  crl_cmd.add_values("--revoke", "CERT.pem", "a certificate to revoke");
  crl_cmd.add_values("--revoke-serial", "HEX", "a serial number to revoke");
  crl_cmd.add_value("--this-update", kTime, "the CRL's date (default now)");
  crl_cmd.add_value("--days", "N", "days until the next update (default 365)");
  crl_cmd.add_value("--crl-number", "N", "the CRL's number (default: this update's time)");
  add_common(crl_cmd, "CRL.pem", "the CRL to write");
}

}  // namespace fwseal::cli}  // namespace fwseal::cli

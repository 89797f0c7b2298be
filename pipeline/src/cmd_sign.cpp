#include <openssl/pem.h>

#include <cstdio>

#include "args.h"
#include "commands.h"
#include "fwseal/format/file.h"
#include "fwseal/hsm/signing_key.h"
#include "fwseal/signer/audit.h"
#include "fwseal/signer/signer.h"
#include "hsm_options.h"

namespace fwseal::cli {

namespace {

constexpr const char* kSignUsage =
    "fwseal sign PKG --key URI [--module PATH] [--cert CHAIN.pem] [--audit-log FILE] [--quiet]\n"
    "       fwseal sign PKG --export-tbs FILE\n"
    "       fwseal sign PKG --import-signature SIG (--cert CHAIN.pem | --pubkey PEM) [--audit-log FILE]";

// Every signature gets its line in the audit log (docs/AUDIT.md).
signer::AuditContext audit_context(const Args& args, std::string key_uri) {
  return {signer::audit_log_path(args.value("--audit-log").value_or(""), hsm::home_dir(hsm_options(args))),
          std::move(key_uri), ""};
}

// The HSM key behind signer's interface.
class HsmKey final : public signer::SigningKey {
 public:
  explicit HsmKey(std::unique_ptr<hsm::SigningKey> key) : key_(std::move(key)) {}
  Algorithm algorithm() const override { return key_->algorithm(); }
  const EVP_PKEY* public_key() const override { return key_->public_key(); }
  Result<std::string> sign(std::string_view message) const override { return key_->sign(message); }

 private:
  std::unique_ptr<hsm::SigningKey> key_;
};

// Certificates of a PEM chain file, signer first, as DER.
Result<std::vector<std::string>> load_chain(const std::string& path) {
  FWSEAL_ASSIGN(std::string pem, read_file(path, 1 << 20));
  ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::vector<std::string> out;
  for (;;) {
    ossl::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    unsigned char* der = nullptr;
    int len = i2d_X509(cert.get(), &der);
    if (len <= 0) return make_error(Code::malformed, path + ": cannot encode certificate");
    out.emplace_back(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
  }
  ossl::last_error();  // the end of the PEM stream leaves a "no start line" error behind
  if (out.empty()) return make_error(Code::malformed, path + ": no PEM certificate found");
  return out;
}

void print_result(const Args& args, const std::string& path, const signer::SignResult& r) {
  if (args.flag("--quiet")) return;
  std::printf("signed %s with %s key %s (%zu signature%s)\nmanifest sha256 %s\n", path.c_str(),
              std::string(algorithm_name(r.algorithm)).c_str(), to_hex(r.key_id).c_str(), r.signature_count,
              r.signature_count == 1 ? "" : "s", to_hex(r.manifest_digest).c_str());
}

// The exact bytes a signature covers, for a signer outside fwseal (an offline
// HSM, a signing service): written atomically, nothing else changes.
int export_tbs(const std::string& path, const std::string& out) {
  auto tbs = signer::to_be_signed(path);
  if (!tbs.ok()) return fail(tbs.error());
  auto w = write_file_atomic(out, *tbs);
  if (!w.ok()) return fail(w.error());
  std::fprintf(stderr, "wrote the %zu bytes to sign to %s (see docs/FORMAT.md \"Signed bytes\")\n", tbs->size(), out.c_str());
  return 0;
}

// A signature made elsewhere: embedded only if it verifies with the given key.
int import(const Args& args, const std::string& path, const std::string& sig_path,
           const std::vector<std::string>& chain) {
  auto sig = read_file(sig_path, 64 * 1024);
  if (!sig.ok()) return fail(sig.error());
  ossl::PKey key;
  if (auto pub = args.value("--pubkey")) {
    auto pem = read_file(*pub, 1 << 20);
    if (!pem.ok()) return fail(pem.error());
    auto k = public_key_from_pem(*pem, *pub);
    if (!k.ok()) return fail(k.error());
    key = std::move(*k);
  } else if (!chain.empty()) {
    const auto* p = reinterpret_cast<const unsigned char*>(chain[0].data());
    ossl::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(chain[0].size())));
    if (!cert) return fail(make_error(Code::malformed, "--cert: the first certificate cannot be read"));
    key.reset(X509_get_pubkey(cert.get()));
    if (!key) return fail(make_error(Code::malformed, "--cert: the first certificate has no usable public key"));
  } else {
    return usage_error("--import-signature needs --pubkey PEM or --cert CHAIN.pem (the signer's key)", kSignUsage);
  }
  auto r = signer::import_signature_audited(path, key.get(), *sig, audit_context(args, ""), chain);
  if (!r.ok()) return fail(r.error());
  print_result(args, path, *r);
  return 0;
}

}  // namespace

int cmd_sign(const Argv& argv) {
  auto args = Args::parse(argv, {{"--key", "--module", "--cert", "--export-tbs", "--import-signature", "--pubkey", "--audit-log"},
                                 {},
                                 {"--quiet"}});
  if (!args.ok()) return usage_error(args.error().message, kSignUsage);
  if (args->positionals().size() != 1) return usage_error("expected one package", kSignUsage);
  const std::string& path = args->positionals()[0];
  int modes = (args->value("--key") ? 1 : 0) + (args->value("--export-tbs") ? 1 : 0) +
              (args->value("--import-signature") ? 1 : 0);
  if (modes != 1) return usage_error("give exactly one of --key, --export-tbs, --import-signature", kSignUsage);
  if (auto out = args->value("--export-tbs")) return export_tbs(path, *out);
  if (args->value("--pubkey") && !args->value("--import-signature"))
    return usage_error("--pubkey goes with --import-signature", kSignUsage);

  std::vector<std::string> chain;
  if (auto cert = args->value("--cert")) {
    auto c = load_chain(*cert);
    if (!c.ok()) return fail(c.error());
    chain = std::move(*c);
  }
  if (auto sig = args->value("--import-signature")) return import(*args, path, *sig, chain);
  std::string uri_text = *args->value("--key");
  // Check the package before asking for a PIN: a typo in the path should not cost a login.
  auto head = signer::read_package_head(path);
  if (!head.ok()) return fail(head.error());

  auto uri = hsm::parse_key_uri(uri_text);
  if (!uri.ok()) return fail(uri.error());
  const auto audit = audit_context(*args, uri_text);
  // A log that cannot take the line fails here, before the PIN is asked for.
  if (auto log = signer::AuditLog::open(audit.log_path); !log.ok()) return fail(log.error());
  auto key = hsm::open_signing_key(hsm_options(*args), *uri);
  if (!key.ok()) return fail(key.error());
  HsmKey signing_key(std::move(*key));
  auto r = signer::sign_package_audited(path, signing_key, audit, chain);
  if (!r.ok()) return fail(r.error());
  print_result(*args, path, *r);
  return 0;
}

}  // namespace fwseal::cli

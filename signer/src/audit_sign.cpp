// Signing with an audit line: the log is opened and locked before the key is
// used, and the "signed" line is written as soon as a signature exists, before
// it can reach a package (write-ahead). A signature whose line cannot be
// written is dropped.
#include "fwseal/format/manifest.h"
#include "fwseal/signer/audit.h"

namespace fwseal::signer {
namespace {

std::string refused(std::string_view why) { return "refused: " + std::string(why); }

// The error to return when the audit line for a failure could not be written
// either: the original error, with the log's problem appended.
Error with_log_failure(Error e, const Error& log) {
  e.message += " (and its audit line could not be written: " + log.message + ")";
  return e;
}

AuditEvent base_event(const AuditContext& audit, const std::string& package, std::string source) {
  AuditEvent e;
  e.source = std::move(source);
  e.package = package;
  e.key_uri = audit.key_uri;
  e.operator_name = audit.operator_name;
  return e;
}

// The key, seen by sign_package: every signature it returns has its "signed"
// line already; a failure of the key gets its "refused" line.
class AuditingKey final : public SigningKey {
 public:
  AuditingKey(const SigningKey& inner, AuditLog& log, AuditEvent base)
      : inner_(inner), log_(log), base_(std::move(base)) {}
  Algorithm algorithm() const override { return inner_.algorithm(); }
  const KeyId& key_id() const override { return inner_.key_id(); }
  const EVP_PKEY* public_key() const override { return inner_.public_key(); }

  Result<std::string> sign(std::string_view message) const override {
    called_ = true;
    AuditEvent e = base_;
    // Record exactly what the key signs: signed_bytes(manifest).
    if (!message.starts_with(kSignedBytesPrefix))
      return make_error(Code::internal, "audited signing: the message is not a manifest signature input");
    std::string_view manifest = message.substr(kSignedBytesPrefix.size());
    e.manifest_digest = manifest_digest(manifest);
    if (auto m = parse_manifest(manifest); m.ok()) {
      e.product = m->content.product;
      e.version = m->content.version;
    }
    auto sig = inner_.sign(message);
    e.result = sig.ok() ? "signed" : refused(sig.error().message);
    auto logged = log_.append(std::move(e));
    if (!logged.ok()) {
      if (!sig.ok()) return with_log_failure(std::move(sig).error(), logged.error());
      return make_error(logged.error().code,
                        logged.error().message + "; the signature was discarded and the package left unsigned");
    }
    if (sig.ok()) signed_ = true;
    return sig;
  }

  bool called() const { return called_; }
  bool signed_and_logged() const { return signed_; }

 private:
  const SigningKey& inner_;
  AuditLog& log_;
  AuditEvent base_;
  mutable bool called_ = false;
  mutable bool signed_ = false;
};

}  // namespace

Result<SignResult> sign_package_audited(const std::string& path, const SigningKey& key, const AuditContext& audit,
                                        const std::vector<std::string>& certificate_chain_der) {
  FWSEAL_ASSIGN(AuditLog log, AuditLog::open(audit.log_path));
  FWSEAL_ASSIGN(UnverifiedPackage head, read_unverified_package(path));
  AuditEvent base = base_event(audit, path, "hsm");
  FWSEAL_ASSIGN(base.algorithm, algorithm_of(key.public_key()));
  FWSEAL_ASSIGN(base.key_id, key_id_of(key.public_key()));
  base.manifest_digest = manifest_digest(head.manifest.bytes);
  base.product = head.manifest.content.product;
  base.version = head.manifest.content.version;

  AuditingKey audited(key, log, base);
  auto r = sign_package(path, audited, certificate_chain_der);
  if (r.ok()) return r;
  // The key's own failures are logged already; these are the others.
  if (!audited.called() || audited.signed_and_logged()) {
    base.result = refused(audited.called() ? "the signature was not stored: " + r.error().message : r.error().message);
    auto logged = log.append(std::move(base));
    if (!logged.ok()) return with_log_failure(std::move(r).error(), logged.error());
  }
  return std::move(r).error();
}

Result<SignResult> import_signature_audited(const std::string& path, const EVP_PKEY* public_key,
                                            std::string_view signature, const AuditContext& audit,
                                            const std::vector<std::string>& certificate_chain_der) {
  FWSEAL_ASSIGN(AuditLog log, AuditLog::open(audit.log_path));
  FWSEAL_ASSIGN(std::string tbs, to_be_signed(path));
  AuditEvent e = base_event(audit, path, "import");
  e.key_uri.clear();
  FWSEAL_ASSIGN(e.algorithm, algorithm_of(public_key));
  FWSEAL_ASSIGN(e.key_id, key_id_of(public_key));
  std::string_view manifest = std::string_view(tbs).substr(kSignedBytesPrefix.size());
  e.manifest_digest = manifest_digest(manifest);
  if (auto m = parse_manifest(manifest); m.ok()) {
    e.product = m->content.product;
    e.version = m->content.version;
  }
  // Checked here too, so that the "signed" line precedes the stored signature.
  // A high-S ECDSA signature is stored in its low-S form (import_signature).
  auto low = ecdsa_low_s(e.algorithm, signature);
  const bool valid = low.ok() && verify_signature(e.algorithm, public_key, tbs, *low).ok();
  if (valid) {
    e.result = "signed";
    FWSEAL_TRY(log.append(e));
  }
  auto r = import_signature(path, public_key, signature, certificate_chain_der);
  if (r.ok() == valid) {
    if (r.ok()) return r;
    e.result = refused(r.error().message);
  } else {
    e.result = r.ok() ? "signed" : refused("the signature was not stored: " + r.error().message);
  }
  auto logged = log.append(std::move(e));
  if (!r.ok()) return logged.ok() ? std::move(r).error() : with_log_failure(std::move(r).error(), logged.error());
  if (!logged.ok())
    return make_error(logged.error().code, logged.error().message + "; the imported signature was stored in " + path +
                                               " but is not in the audit log");
  return r;
}

Result<std::string> sign_audited(const SigningKey& key, std::string_view message, AuditEvent event,
                                 const AuditContext& audit) {
  FWSEAL_ASSIGN(AuditLog log, AuditLog::open(audit.log_path));
  event.source = "hsm";
  event.key_uri = audit.key_uri;
  if (event.operator_name.empty()) event.operator_name = audit.operator_name;
  FWSEAL_ASSIGN(event.algorithm, algorithm_of(key.public_key()));
  FWSEAL_ASSIGN(event.key_id, key_id_of(key.public_key()));
  auto sig = key.sign(message);
  event.result = sig.ok() ? "signed" : refused(sig.error().message);
  auto logged = log.append(std::move(event));
  if (!logged.ok()) {
    if (!sig.ok()) return with_log_failure(std::move(sig).error(), logged.error());
    return make_error(logged.error().code, logged.error().message + "; the signature was discarded");
  }
  return sig;
}

}  // namespace fwseal::signer

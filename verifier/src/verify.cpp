// verify_package: the steps of steps.h in the order of docs/FORMAT.md.
#include "fwseal/verifier/verify.h"

#include <exception>
#include <new>

#include "fwseal/base/digest.h"
#include "package_stream.h"
#include "steps.h"

namespace fwseal::verifier {

std::string_view check_result_name(CheckResult r) {
  switch (r) {
    case CheckResult::pass: return "pass";
    case CheckResult::fail: return "fail";
    case CheckResult::skip: return "skip";
  }
  return "skip";
}

std::string_view signature_status_name(SignatureStatus s) {
  switch (s) {
    case SignatureStatus::valid: return "valid";
    case SignatureStatus::invalid: return "invalid";
    case SignatureStatus::unknown: return "unknown";
    case SignatureStatus::revoked: return "revoked";
    case SignatureStatus::algorithm_not_allowed: return "algorithm-not-allowed";
    case SignatureStatus::chain_not_trusted: return "chain-not-trusted";
    case SignatureStatus::role_conflict: return "role-conflict";
  }
  return "unknown";
}

// The one place that turns an UnverifiedManifest into a VerifiedPackage.
class PackageVerifier {
 public:
  PackageVerifier(int fd, const TrustPolicy& trust, const VerifyOptions& options, PackageSink* sink)
      : in_(fd), trust_(trust), options_(options), sink_(sink) {}

  VerifyReport run() {
    for (const char* name : {"manifest", "layout", "signatures", "digests", "rollback", "hardware"})
      report_.checks.push_back(CheckReport{name, CheckResult::skip, "not reached: an earlier check failed"});
    Status s = decide();
    if (!s.ok()) {
      report_.verified.reset();
      report_.status = std::move(s);
      if (current_ < report_.checks.size()) {
        report_.checks[current_].result = CheckResult::fail;
        report_.checks[current_].detail = report_.status.error().message;
      }
    }
    return std::move(report_);
  }

 private:
  enum CheckIndex : std::size_t { kManifest, kLayout, kSignatures, kDigests, kRollback, kHardware };

  void pass(CheckIndex i, std::string detail) {
    report_.checks[i].result = CheckResult::pass;
    report_.checks[i].detail = std::move(detail);
    current_ = i + 1;
  }

  Status decide() {
    if (Status t = check_trust(trust_); !t.ok())
      return make_error(Code::malformed, "trust policy: " + t.error().message);

    // Steps 1-3: the manifest, still unverified.
    current_ = kManifest;
    FWSEAL_ASSIGN(steps::ManifestHeader header, steps::read_manifest_header(in_));
    FWSEAL_ASSIGN(std::string bytes, steps::read_manifest_bytes(in_, header));
    report_.manifest_digest = manifest_digest(bytes);
    FWSEAL_ASSIGN(UnverifiedManifest manifest, steps::parse_unverified_manifest(bytes));
    report_.unverified_manifest = manifest.content;
    pass(kManifest, "manifest.json: " + std::to_string(bytes.size()) + " bytes of canonical JSON");

    // Steps 4-6: every other byte of the archive.
    FWSEAL_TRY(steps::check_manifest_header(header, manifest));
    FWSEAL_ASSIGN(steps::Contents contents, steps::read_contents(in_, manifest, sink_));
    FWSEAL_ASSIGN(std::vector<SignatureEnvelope> envelopes, steps::read_signatures(in_, manifest));
    pass(kLayout, std::to_string(contents.digests.size()) + " content entries, " +
                      std::to_string(envelopes.size()) + " signature entries, end of archive at offset " +
                      std::to_string(in_.offset()));

    // Step 7: the decision.
    steps::SignatureDecision sigs;
    Status s = steps::check_signatures(manifest, envelopes, trust_, &sigs);
    report_.signatures = std::move(sigs.reports);
    report_.signatures_valid = sigs.valid;
    report_.signatures_required = sigs.required;
    FWSEAL_TRY(s);
    pass(kSignatures, std::to_string(sigs.valid) + " valid signatures by trusted keys, " +
                          std::to_string(sigs.required) + " required");

    FWSEAL_TRY(steps::check_digests(contents));
    pass(kDigests, std::to_string(contents.digests.size()) + " entries match the manifest's SHA-256");

    const Manifest& m = manifest.content;
    FWSEAL_TRY(steps::check_rollback(m, trust_, options_));
    pass(kRollback, "security version " + std::to_string(m.security_version) + " >= minimum " +
                        std::to_string(steps::minimum_security_version(trust_, options_)));

    const auto& device = steps::device_hardware(trust_, options_);
    if (device.empty()) {
      report_.checks[kHardware].result = CheckResult::skip;
      report_.checks[kHardware].detail = "skipped: no --hw given and no hardware in trust.json";
      current_ = kHardware + 1;
    } else {
      FWSEAL_TRY(steps::check_hardware(m, device));
      pass(kHardware, "the package lists this device's hardware");
    }

    report_.verified = VerifiedPackage(std::move(manifest.content), std::move(manifest.bytes),
                                       *report_.manifest_digest, std::move(contents.sbom));
    report_.status = ok_status();
    return ok_status();
  }

  PackageStream in_;
  const TrustPolicy& trust_;
  const VerifyOptions& options_;
  PackageSink* sink_;
  VerifyReport report_;
  std::size_t current_ = kManifest;
};

VerifyReport verify_package(int fd, const TrustPolicy& trust, const VerifyOptions& options, PackageSink* sink) {
  try {
    return PackageVerifier(fd, trust, options, sink).run();
  } catch (const std::bad_alloc&) {
    VerifyReport r;
    r.status = make_error(Code::internal, "out of memory");
    return r;
  } catch (const std::exception& e) {
    VerifyReport r;
    r.status = make_error(Code::internal, std::string("internal error: ") + e.what());
    return r;
  }
}

}  // namespace fwseal::verifier

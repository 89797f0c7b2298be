// verify_package: the steps of steps.h in the order of docs/FORMAT.md.
#include "fwseal/verifier/verify.h"

#include <exception>
#include <new>

#include "fwseal/base/digest.h"
#include "fwseal/format/rule.h"
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
    for (const char* name : kCheckNames)
      report_.checks.push_back(CheckReport{name, CheckResult::skip, "not reached: an earlier check failed"});
    Status s = decide();
    if (!s.ok()) {
      report_.verified.reset();
      report_.status = std::move(s);
      CheckReport& c = check(current_);
      c.result = CheckResult::fail;
      c.detail = report_.status.error().message;
    }
    return std::move(report_);
  }

 private:
  enum CheckIndex : std::size_t { kManifest, kLayout, kSignatures, kDigests, kRollback, kHardware };
  static constexpr const char* kCheckNames[] = {"manifest", "layout", "signatures", "digests", "rollback", "hardware"};

  // The report lists the checks in the order they ran: version 2 decides on
  // signatures, rollback and hardware before it reads the layout past them.
  CheckReport& check(CheckIndex i) {
    for (auto& c : report_.checks)
      if (c.name == kCheckNames[i]) return c;
    return report_.checks.front();  // unreachable: every name is listed in run()
  }
  void order_for_version_2() {
    std::vector<CheckReport> ordered;
    for (CheckIndex i : {kManifest, kSignatures, kRollback, kHardware, kLayout, kDigests}) ordered.push_back(check(i));
    report_.checks = std::move(ordered);
  }

  void pass(CheckIndex i, std::string detail) {
    check(i).result = CheckResult::pass;
    check(i).detail = std::move(detail);
  }

  Status decide() {
    // T1-T10: a policy made in code is checked as a trust file is.
    if (Status t = check_trust(trust_); !t.ok()) {
      Error e = with_context("trust policy", std::move(t).error());
      e.code = Code::malformed;
      return e;
    }

    // Steps 1-4: the manifest, still unverified, and its header.
    current_ = kManifest;
    FWSEAL_ASSIGN(steps::ManifestHeader header, steps::read_manifest_header(in_));
    FWSEAL_ASSIGN(std::string bytes, steps::read_manifest_bytes(in_, header));
    report_.manifest_digest = manifest_digest(bytes);
    FWSEAL_ASSIGN(UnverifiedManifest manifest, steps::parse_unverified_manifest(bytes));
    report_.unverified_manifest = manifest.content;
    if (manifest.content.format_version >= kManifestFormatVersion) {
      order_for_version_2();
      FWSEAL_TRY(steps::check_manifest_header(header, manifest));
      pass(kManifest, "manifest.json: " + std::to_string(bytes.size()) + " bytes of canonical JSON, format version 2");
      return decide_version_2(std::move(manifest));
    }
    pass(kManifest, "manifest.json: " + std::to_string(bytes.size()) + " bytes of canonical JSON, format version 1");
    return decide_version_1(header, std::move(manifest));
  }

  // Version 2: signatures first. Nothing past signatures.json is read, and the
  // sink sees nothing, until the signed manifest is accepted for this device.
  Status decide_version_2(UnverifiedManifest manifest) {
    current_ = kSignatures;  // a malformed signature area fails this check (exit 10)
    FWSEAL_ASSIGN(std::vector<SignatureEnvelope> envelopes, steps::read_signature_area(in_, manifest));
    FWSEAL_TRY(check_signatures(manifest, envelopes));
    FWSEAL_TRY(check_device(manifest.content));

    current_ = kLayout;
    FWSEAL_TRY(in_.start_read_ahead());
    FWSEAL_ASSIGN(steps::Contents contents, steps::read_contents(in_, manifest, sink_));
    FWSEAL_TRY(steps::read_end_of_archive(in_));
    pass(kLayout, "signatures.json with " + std::to_string(envelopes.size()) + " signatures, " +
                      std::to_string(contents.digests.size()) + " content entries, end of archive at offset " +
                      std::to_string(in_.offset()));
    FWSEAL_TRY(check_digests(contents));
    return finish(std::move(manifest), std::move(contents));
  }

  // Version 1: signatures last. Every byte is read before the decision.
  Status decide_version_1(const steps::ManifestHeader& header, UnverifiedManifest manifest) {
    current_ = kLayout;
    FWSEAL_TRY(in_.start_read_ahead());
    FWSEAL_TRY(steps::check_manifest_header(header, manifest));
    FWSEAL_ASSIGN(steps::Contents contents, steps::read_contents(in_, manifest, sink_));
    FWSEAL_ASSIGN(std::vector<SignatureEnvelope> envelopes, steps::read_signatures(in_, manifest));
    pass(kLayout, std::to_string(contents.digests.size()) + " content entries, " +
                      std::to_string(envelopes.size()) + " signature entries, end of archive at offset " +
                      std::to_string(in_.offset()));
    FWSEAL_TRY(check_signatures(manifest, envelopes));
    FWSEAL_TRY(check_digests(contents));
    FWSEAL_TRY(check_device(manifest.content));
    return finish(std::move(manifest), std::move(contents));
  }

  // Step 7a: enough valid signatures by trusted keys.
  Status check_signatures(const UnverifiedManifest& manifest, const std::vector<SignatureEnvelope>& envelopes) {
    current_ = kSignatures;
    steps::SignatureDecision sigs;
    Status s = steps::check_signatures(manifest, envelopes, trust_, &sigs);
    report_.signatures = std::move(sigs.reports);
    report_.signatures_valid = sigs.valid;
    report_.signatures_required = sigs.required;
    FWSEAL_TRY(s);
    pass(kSignatures, std::to_string(sigs.valid) + " valid signatures by trusted keys, " +
                          std::to_string(sigs.required) + " required");
    return ok_status();
  }

  // Step 7b: the content matches the signed digests.
  Status check_digests(const steps::Contents& contents) {
    current_ = kDigests;
    FWSEAL_TRY(steps::check_digests(contents));
    pass(kDigests, std::to_string(contents.digests.size()) + " entries match the manifest's SHA-256");
    return ok_status();
  }

  // Steps 7c and 7d: the signed manifest is for this device.
  Status check_device(const Manifest& m) {
    current_ = kRollback;
    FWSEAL_TRY(steps::check_rollback(m, trust_, options_));
    pass(kRollback, "security version " + std::to_string(m.security_version) + " >= minimum " +
                        std::to_string(steps::minimum_security_version(trust_, options_)));

    current_ = kHardware;
    const auto& device = steps::device_hardware(trust_, options_);
    if (device.empty()) {
      check(kHardware).result = CheckResult::skip;
      check(kHardware).detail = "skipped: no --hw given and no hardware in trust.json";
    } else {
      FWSEAL_TRY(steps::check_hardware(m, device));
      pass(kHardware, "the package lists this device's hardware");
    }
    return ok_status();
  }

  Status finish(UnverifiedManifest manifest, steps::Contents contents) {
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
  CheckIndex current_ = kManifest;
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

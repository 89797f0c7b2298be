// verify_package: the steps of steps.h in the order of docs/FORMAT.md.
#include "fwseal/verifier/verify.h"

#include <sys/stat.h>

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

// The rows of the report: one per step of docs/FORMAT.md's tables, in the
// order that version's steps run. Step 0 is the trust-policy check before any
// byte of the package is read; steps 1-4 are the same in both versions.
struct StepRow {
  const char* step;
  const char* name;
};
constexpr StepRow kVersion2Steps[] = {
    {"0", "check_trust"},           {"1", "read_manifest_header"},      {"2", "read_manifest_bytes"},
    {"3", "parse_unverified_manifest"}, {"4", "check_manifest_header"}, {"5", "read_signature_area"},
    {"6", "check_signatures"},      {"7", "check_rollback"},            {"8", "check_hardware"},
    {"9", "read_contents"},         {"10", "check_digests"},
};
constexpr StepRow kVersion1Steps[] = {
    {"0", "check_trust"},          {"1", "read_manifest_header"},      {"2", "read_manifest_bytes"},
    {"3", "parse_unverified_manifest"}, {"4", "check_manifest_header"}, {"5", "read_contents"},
    {"6", "read_signatures"},      {"7a", "check_signatures"},         {"7b", "check_digests"},
    {"7c", "check_rollback"},      {"7d", "check_hardware"},
};
constexpr const char* kNotReached = "not reached: an earlier step failed";

template <std::size_t N>
std::vector<CheckReport> rows(const StepRow (&table)[N]) {
  std::vector<CheckReport> out;
  for (const StepRow& r : table) out.push_back(CheckReport{r.step, r.name, CheckResult::skip, kNotReached});
  return out;
}

// The one place that turns an UnverifiedManifest into a VerifiedPackage.
class PackageVerifier {
 public:
  PackageVerifier(int fd, const TrustPolicy& trust, const VerifyOptions& options, PackageSink* sink)
      : in_(fd), trust_(trust), options_(options), sink_(sink) {
    if (options.progress) {
      // The size of a file; a pipe's is not known.
      struct stat st {};
      const bool sized = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
      options.progress->begin_step("verifying the package", sized ? static_cast<std::uint64_t>(st.st_size) : 0);
      in_.set_progress(options.progress);
    }
  }

  VerifyReport run() {
    report_.checks = rows(kVersion2Steps);  // until the manifest says version 1
    Status s = decide();
    if (!s.ok()) {
      report_.verified.reset();
      report_.status = std::move(s);
      CheckReport& c = row(current_);
      c.result = CheckResult::fail;
      c.detail = report_.status.error().message;
    }
    return std::move(report_);
  }

 private:
  CheckReport& row(std::string_view name) {
    for (auto& c : report_.checks)
      if (c.name == name) return c;
    return report_.checks.front();  // unreachable: both tables name every step used below
  }
  // The step about to run: a failure is reported on its row.
  void start(const char* name) { current_ = name; }
  void pass(std::string detail) {
    row(current_).result = CheckResult::pass;
    row(current_).detail = std::move(detail);
  }
  // Steps 0-4 ran as in both tables; the rest follow version 1's order.
  void switch_to_version_1() {
    std::vector<CheckReport> v1 = rows(kVersion1Steps);
    for (std::size_t i = 0; i < 5; ++i) v1[i] = report_.checks[i];
    report_.checks = std::move(v1);
  }

  Status decide() {
    start("check_trust");
    // T1-T10: a policy made in code is checked as a trust file is.
    if (Status t = check_trust(trust_); !t.ok()) {
      Error e = with_context("trust policy", std::move(t).error());
      e.code = Code::malformed;
      return e;
    }
    pass("the trust policy obeys T1-T10");

    // Steps 1-4: the manifest, still unverified, and its header.
    start("read_manifest_header");
    FWSEAL_ASSIGN(steps::ManifestHeader header, steps::read_manifest_header(in_));
    pass("manifest.json: a plain header at offset 0 declaring " + std::to_string(header.size) + " bytes");
    start("read_manifest_bytes");
    FWSEAL_ASSIGN(std::string bytes, steps::read_manifest_bytes(in_, header));
    report_.manifest_digest = manifest_digest(bytes);
    pass(std::to_string(bytes.size()) + " bytes, zero padding");
    start("parse_unverified_manifest");
    FWSEAL_ASSIGN(UnverifiedManifest manifest, steps::parse_unverified_manifest(bytes));
    report_.unverified_manifest = manifest.content;
    pass("canonical JSON, format version " + std::to_string(manifest.content.format_version) + ", " +
         std::to_string(manifest.content.images.size()) + " images");
    if (manifest.content.format_version >= kManifestFormatVersion) {
      FWSEAL_TRY(check_manifest_header(header, manifest));
      return decide_version_2(std::move(manifest));
    }
    switch_to_version_1();
    FWSEAL_TRY(in_.start_read_ahead());
    FWSEAL_TRY(check_manifest_header(header, manifest));
    return decide_version_1(std::move(manifest));
  }

  Status check_manifest_header(const steps::ManifestHeader& header, const UnverifiedManifest& manifest) {
    start("check_manifest_header");
    FWSEAL_TRY(steps::check_manifest_header(header, manifest));
    pass("the canonical header for manifest.json");
    return ok_status();
  }

  // Version 2: signatures first. Nothing past signatures.json is read, and the
  // sink sees nothing, until the signed manifest is accepted for this device.
  Status decide_version_2(UnverifiedManifest manifest) {
    start("read_signature_area");
    FWSEAL_ASSIGN(std::vector<SignatureEnvelope> envelopes, steps::read_signature_area(in_, manifest));
    pass("signatures.json: " + std::to_string(envelopes.size()) + " envelopes in " +
         std::to_string(manifest.content.signature_space) + " bytes");
    FWSEAL_TRY(check_signatures(manifest, envelopes));
    FWSEAL_TRY(check_device(manifest.content));

    start("read_contents");
    FWSEAL_TRY(in_.start_read_ahead());
    FWSEAL_ASSIGN(steps::Contents contents, steps::read_contents(in_, manifest, sink_));
    FWSEAL_TRY(steps::read_end_of_archive(in_));
    pass(std::to_string(contents.digests.size()) + " content entries, end of archive at offset " +
         std::to_string(in_.offset()));
    FWSEAL_TRY(check_digests(contents));
    return finish(std::move(manifest), std::move(contents));
  }

  // Version 1: signatures last. Every byte is read before the decision.
  Status decide_version_1(UnverifiedManifest manifest) {
    start("read_contents");
    FWSEAL_ASSIGN(steps::Contents contents, steps::read_contents(in_, manifest, sink_));
    pass(std::to_string(contents.digests.size()) + " content entries read and hashed");
    start("read_signatures");
    FWSEAL_ASSIGN(std::vector<SignatureEnvelope> envelopes, steps::read_signatures(in_, manifest));
    pass(std::to_string(envelopes.size()) + " signature entries, end of archive at offset " +
         std::to_string(in_.offset()));
    FWSEAL_TRY(check_signatures(manifest, envelopes));
    FWSEAL_TRY(check_digests(contents));
    FWSEAL_TRY(check_device(manifest.content));
    return finish(std::move(manifest), std::move(contents));
  }

  // Enough valid signatures by trusted keys.
  Status check_signatures(const UnverifiedManifest& manifest, const std::vector<SignatureEnvelope>& envelopes) {
    start("check_signatures");
    steps::SignatureDecision sigs;
    Status s = steps::check_signatures(manifest, envelopes, trust_, &sigs);
    report_.signatures = std::move(sigs.reports);
    report_.signatures_valid = sigs.valid;
    report_.signatures_required = sigs.required;
    FWSEAL_TRY(s);
    pass(std::to_string(sigs.valid) + " valid signatures by trusted keys, " + std::to_string(sigs.required) +
         " required");
    return ok_status();
  }

  // The content matches the signed digests.
  Status check_digests(const steps::Contents& contents) {
    start("check_digests");
    FWSEAL_TRY(steps::check_digests(contents));
    pass(std::to_string(contents.digests.size()) + " entries match the manifest's SHA-256");
    return ok_status();
  }

  // Rollback and hardware: the signed manifest is for this device.
  Status check_device(const Manifest& m) {
    start("check_rollback");
    FWSEAL_TRY(steps::check_rollback(m, trust_, options_));
    pass("security version " + std::to_string(m.security_version) + " >= minimum " +
         std::to_string(steps::minimum_security_version(trust_, options_)));

    start("check_hardware");
    const auto& device = steps::device_hardware(trust_, options_);
    if (device.empty()) {
      row(current_).detail = "skipped: no --hw given and no hardware in trust.json";
      return ok_status();
    }
    FWSEAL_TRY(steps::check_hardware(m, device));
    pass("the package lists this device's hardware");
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
  std::string_view current_ = "check_trust";
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

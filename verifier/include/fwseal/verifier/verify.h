// The package check: exactly the decision a device bootloader makes.
//
// verify_package reads a package once, front to back, from a file descriptor
// (a file, a pipe, stdin), in bounded memory, and decides in the order of
// docs/FORMAT.md "Verification" (src/verify.cpp calls one function per step):
//
//   1-6  structure: every header, every padding byte and the end of the archive
//        hold their one canonical value; the manifest parses; images are hashed
//        as they stream past; signature envelopes are collected.   -> 10
//   7a   signatures: enough valid signatures by trusted keys      -> 12, 13
//   7b   digests: every image and the SBOM match the manifest     -> 11
//   7c   rollback: security version >= the minimum               -> 14
//   7d   hardware: the package is for this device                -> 15
//
// Until all of that has passed, the manifest is an UnverifiedManifest and
// nothing in it is acted on beyond locating the entries.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/base/progress.h"
#include "fwseal/format/manifest.h"
#include "fwseal/format/signature.h"
#include "fwseal/format/trust.h"

namespace fwseal::verifier {

struct VerifyOptions {
  // The device's hardware ids (--hw). Empty: the policy's `hardware` is used;
  // if that is empty too, the hardware check is skipped (and reported so).
  std::vector<std::string> hardware;
  // The security version installed on the device (--installed-security-version);
  // the package must not be older than it either.
  std::optional<std::uint64_t> installed_security_version;
  // Told of the step ("verifying PKG") and of the package's bytes as they
  // are read; null: nothing is reported. Not part of any decision.
  ProgressSink* progress = nullptr;
};

// Receives the images as they stream past, BEFORE anything has been verified.
// A sink may stage the bytes but must not act on them until verify_package has
// returned an ok status. Any error a sink returns ends the verification with it.
class PackageSink {
 public:
  virtual ~PackageSink() = default;
  // Once, after the manifest has been read and before the first image.
  virtual Status begin(const UnverifiedManifest& manifest) = 0;
  // Each image in package order: begin_image, image_data zero or more times, end_image.
  virtual Status begin_image(const ImageInfo& unverified_image) = 0;
  virtual Status image_data(std::string_view chunk) = 0;
  virtual Status end_image() = 0;
};

// A package that passed every check. Only the verifier makes one.
class VerifiedPackage {
 public:
  const Manifest& manifest() const { return manifest_; }
  const std::string& manifest_bytes() const { return manifest_bytes_; }
  const Sha256& manifest_digest() const { return digest_; }
  // The embedded CycloneDX SBOM, checked against the manifest's digest.
  const std::optional<std::string>& sbom() const { return sbom_; }

 private:
  friend class PackageVerifier;
  VerifiedPackage(Manifest manifest, std::string manifest_bytes, Sha256 digest, std::optional<std::string> sbom)
      : manifest_(std::move(manifest)),
        manifest_bytes_(std::move(manifest_bytes)),
        digest_(digest),
        sbom_(std::move(sbom)) {}
  Manifest manifest_;
  std::string manifest_bytes_;
  Sha256 digest_{};
  std::optional<std::string> sbom_;
};

enum class CheckResult { pass, fail, skip };
std::string_view check_result_name(CheckResult r);  // "pass", "fail", "skip"

// One row of the report per step of docs/FORMAT.md's table for the package's
// version, in the order the steps run: `step` as the table numbers it ("0"
// for the trust policy, "1" … "10" for version 2, "1" … "7d" for version 1),
// `name` its function (check_trust, read_manifest_header, …). A step that
// did not run is `skip` with "not reached"; the hardware step is `skip` when
// the device has no hardware ids.
struct CheckReport {
  std::string step;
  std::string name;
  CheckResult result = CheckResult::skip;
  std::string detail;
};

enum class SignatureStatus {
  valid,                  // verifies, by a trusted key; counted unless `role` is empty
  invalid,                // by a trusted key, but does not verify (12)
  unknown,                // key neither pinned nor certified under a root
  revoked,                // key id in revoked_key_ids, or certificate revoked by a CRL
  algorithm_not_allowed,  // trust.json does not allow the algorithm
  chain_not_trusted,      // the certificate chain does not satisfy trust.json (detail says why)
  role_conflict,          // the key qualifies for two roles; a key acts in one role only
};
// "valid", "invalid", "unknown", "revoked", "algorithm-not-allowed",
// "chain-not-trusted", "role-conflict"
std::string_view signature_status_name(SignatureStatus s);

// One certificate of a signature's chain, as read (not trusted unless the
// chain's result is pass).
struct CertificateReport {
  std::string subject;     // "CN=release A,O=Acme"
  std::string issuer;
  std::string serial;      // lower-case hex
  std::string not_before;  // "2026-01-01T00:00:00Z"
  std::string not_after;
};

// The X.509 check of one signature's certificate chain.
struct ChainReport {
  CheckResult result = CheckResult::skip;  // skip: trust.json lists no roots
  std::string detail;                      // what passed, or what failed and what to do
  std::string root;                        // the trust.json root the chain leads to, if it does
  std::vector<CertificateReport> certificates;  // leaf first; as built if building got that far
  std::vector<std::string> notes;          // e.g. CRLs that were not available
};

struct SignatureReport {
  KeyId key_id{};
  Algorithm algorithm{};  // as the envelope states it
  std::string key_name;   // from trust.json; empty for unknown and certified keys
  SignatureStatus status = SignatureStatus::unknown;
  std::string detail;  // e.g. "is revoked by trust.json", "the manifest or signature was changed"
  std::optional<ChainReport> chain;  // if the envelope carries certificates
  std::string role;    // the key set it counted for ("trust" or "role <name>"); empty if not counted
};

struct VerifyReport {
  // Starts as a failure: a report nobody filled in never reads as "valid".
  Status status = make_error(Code::internal, "verification did not run");
  std::vector<CheckReport> checks;
  std::vector<SignatureReport> signatures;  // in package order
  std::uint64_t signatures_valid = 0;       // distinct trusted keys with a valid signature
  std::uint64_t signatures_required = 0;    // the sum of the key sets' thresholds
  std::optional<Sha256> manifest_digest;    // once the manifest bytes were read
  // The manifest as read. Unverified: use `verified` to act on a package.
  std::optional<Manifest> unverified_manifest;
  // Set if and only if status is ok.
  std::optional<VerifiedPackage> verified;

  bool ok() const { return status.ok() && verified.has_value(); }
};

// Reads the package from `fd` to its end and decides. The report's status is ok,
// or Code::malformed (10), digest (11), signature (12), untrusted (13),
// rollback (14), hardware (15), io (3) for read errors on `fd`, an error of
// `sink`, or internal (1). Never throws.
VerifyReport verify_package(int fd, const TrustPolicy& trust, const VerifyOptions& options,
                            PackageSink* sink = nullptr);

// The report for --json: verdict, exit_code, code, message, manifest_digest,
// manifest_verified, product, version, security_version, hardware, images
// (name, type, size, sha256), sbom, signatures (key_id, algorithm, key_name,
// status, detail, counted_for, chain: {result, detail, root, certificates,
// notes} or null), checks. Pretty-printed, ends with a newline.
std::string report_json(const VerifyReport& report);

}  // namespace fwseal::verifier

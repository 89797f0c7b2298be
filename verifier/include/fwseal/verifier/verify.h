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

#include "fwseal/format/error.h"
#include "fwseal/format/manifest.h"
#include "fwseal/format/signature.h"
#include "fwseal/format/trust.h"

namespace fwseal {

struct VerifyOptions {
  // The device's hardware ids (--hw). Empty: the policy's `hardware` is used;
  // if that is empty too, the hardware check is skipped (and reported so).
  std::vector<std::string> hardware;
  // The security version installed on the device (--installed-security-version);
  // the package must not be older than it either.
  std::optional<std::uint64_t> installed_security_version;
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

// One line of the report. Names, in order: "manifest", "layout", "signatures",
// "digests", "rollback", "hardware".
struct CheckReport {
  std::string name;
  CheckResult result = CheckResult::skip;
  std::string detail;
};

enum class SignatureStatus { valid, invalid, unknown, revoked, algorithm_not_allowed };
// "valid", "invalid", "unknown", "revoked", "algorithm-not-allowed"
std::string_view signature_status_name(SignatureStatus s);

struct SignatureReport {
  KeyId key_id{};
  Algorithm algorithm{};  // as the envelope states it
  std::string key_name;   // from trust.json; empty for unknown keys
  SignatureStatus status = SignatureStatus::unknown;
  std::string detail;  // e.g. "is revoked by trust.json", "the manifest or signature was changed"
};

struct VerifyReport {
  // Starts as a failure: a report nobody filled in never reads as "valid".
  Status status = make_error(Code::internal, "verification did not run");
  std::vector<CheckReport> checks;
  std::vector<SignatureReport> signatures;  // in package order
  std::uint64_t signatures_valid = 0;       // distinct trusted keys with a valid signature
  std::uint64_t signatures_required = 0;    // the policy's threshold
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
// (name, type, size, sha256), sbom, signatures, checks. Pretty-printed, ends
// with a newline.
std::string report_json(const VerifyReport& report);

}  // namespace fwseal

// The verification, one function per step of docs/FORMAT.md "Verification".
// verify.cpp calls them in this order; a bootloader does the same.
//
// Steps 1-6 read the package once, front to back; nothing they return is
// trusted. Step 7 decides, once the whole stream has been read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/format/layout.h"
#include "fwseal/format/manifest.h"
#include "fwseal/format/package_reader.h"
#include "fwseal/format/signature.h"
#include "fwseal/format/trust.h"
#include "fwseal/verifier/verify.h"
#include "fwseal/base/text.h"
#include "package_stream.h"

namespace fwseal::verifier::steps {

// Steps 1, 2, 4 and 6 are the format's reader (fwseal/format/package_reader.h):
// the same functions `inspect` and `sign` read with.
using fwseal::check_manifest_header;  // step 4
using fwseal::ManifestHeader;
using fwseal::read_manifest_bytes;   // step 2
using fwseal::read_manifest_header;  // step 1
using fwseal::read_signatures;       // step 6 (version 1)
using fwseal::read_signature_area;   // step 5 (version 2)
using fwseal::read_end_of_archive;   // after the images (version 2)

// Step 3: the manifest parses (canonical JSON, every rule of check_manifest).
// The result is used only to locate entries until step 7 has passed.
Result<UnverifiedManifest> parse_unverified_manifest(std::string_view bytes);

// Step 5: the SBOM (if any) and each image in compute_layout order: canonical
// header, data hashed with SHA-256 (images also go to `sink`), zero padding.
struct EntryDigest {
  std::string label;  // "image rootfs", "sbom"
  Sha256 expected{};  // from the manifest
  Sha256 actual{};    // of the bytes read
};
struct Contents {
  std::vector<EntryDigest> digests;
  std::optional<std::string> sbom;  // at most kMaxSbomBytes, kept for the caller
};
Result<Contents> read_contents(PackageSource& in, const UnverifiedManifest& manifest, PackageSink* sink);

// Step 7a (decide_signatures.cpp): enough valid signatures by trusted keys --
// pinned in a key set, or certified under one of its roots (chain.h) -- for
// every key set. Code::signature if a trusted key's signature does not verify;
// Code::untrusted if a threshold is not met. `out` receives one report per
// envelope, in order.
struct SignatureDecision {
  std::vector<SignatureReport> reports;
  std::uint64_t valid = 0;     // distinct trusted keys with a valid, counted signature
  std::uint64_t required = 0;  // sum of the key sets' thresholds
};
Status check_signatures(const UnverifiedManifest& manifest, const std::vector<SignatureEnvelope>& envelopes,
                        const TrustPolicy& trust, SignatureDecision* out);

// Step 7b: every image and the SBOM hash to the manifest's digest. Code::digest.
Status check_digests(const Contents& contents);

// Step 7c: security_version >= max(trust.min_security_version, installed
// security version). Code::rollback.
std::uint64_t minimum_security_version(const TrustPolicy& trust, const VerifyOptions& options);
Status check_rollback(const Manifest& unverified, const TrustPolicy& trust, const VerifyOptions& options);

// Step 7d: the package lists one of the device's hardware ids (exact bytes).
// The device's ids are --hw, else trust.hardware; if both are empty the check
// is skipped. Code::hardware.
const std::vector<std::string>& device_hardware(const TrustPolicy& trust, const VerifyOptions& options);
Status check_hardware(const Manifest& unverified, const std::vector<std::string>& device);

// Helpers for messages.
std::string short_hex(const Sha256& digest);  // "3f2a1b2c3d4e5f60…"

}  // namespace fwseal::verifier::steps

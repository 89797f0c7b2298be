// The package manifest: the one signed statement of what a package contains.
// docs/FORMAT.md section "Manifest" is the prose form of this file.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/digest.h"
#include "fwseal/base/error.h"
#include "fwseal/format/encryption.h"

namespace fwseal {

// Version 2 (signatures first: the signature area follows the manifest) is
// written; version 1 (signatures last) is still read and verified.
inline constexpr int kManifestFormatVersion = 2;
inline constexpr int kManifestFormatVersion1 = 1;
// The signature area of a version-2 package (R23): a multiple of 512 bytes.
inline constexpr std::uint64_t kDefaultSignatureSpace = 16 * 1024;
inline constexpr std::uint64_t kMinSignatureSpace = 512;
inline constexpr std::uint64_t kMaxSignatureSpace = 1 << 20;
inline constexpr std::string_view kManifestFormat = "fwseal-manifest";
inline constexpr std::size_t kMaxManifestBytes = 1 << 20;
inline constexpr std::size_t kMaxImages = 256;
inline constexpr std::size_t kMaxHardwareIds = 256;
// The latest `created` whose tar mtime fits a plain ustar header.
inline constexpr std::int64_t kMaxCreated = 2147483646;

struct ImageInfo {
  std::string name;   // check_image_name
  std::string type;   // check_token: bootloader, kernel, rootfs, ...
  std::uint64_t size = 0;  // of the entry: for an encrypted image, of its ciphertext
  Sha256 sha256{};
  std::optional<enc::ImageEncryption> encryption = std::nullopt;  // version 2 only (R26)
};

struct SbomInfo {
  std::uint64_t size = 0;
  Sha256 sha256{};
};

struct Manifest {
  int format_version = kManifestFormatVersion;  // 1 or 2
  // Version 2: bytes reserved for signatures.json after the manifest (R23).
  // Version 1 has no signature area: 0.
  std::uint64_t signature_space = kDefaultSignatureSpace;
  std::string product;                 // check_text
  std::string version;                 // check_text
  std::uint64_t security_version = 0;  // full 64-bit range; written as a decimal string
  std::vector<std::string> hardware;   // check_hardware_id, sorted, unique, at least one
  std::int64_t created = 0;            // seconds since the epoch, >= 0; the mtime of every entry
  std::vector<ImageInfo> images;       // package order; at least one; unique names
  std::optional<SbomInfo> sbom;        // the embedded CycloneDX SBOM, if any
};

// The manifest as it was read from a package, before any signature over it has
// been checked. Nothing in it may be acted on until the verifier turns it into
// a trusted Manifest.
struct UnverifiedManifest {
  Manifest content;
  std::string bytes;  // exactly as read; the bytes signatures cover
};

// Canonical JSON bytes of `m`. Code::malformed if `m` breaks a rule of
// check_manifest (the packager checks before it serialises).
Result<std::string> serialize_manifest(const Manifest& m);

// Parses manifest bytes: canonical JSON, known members only, every rule of
// check_manifest. Code::malformed starting with the rule and naming the member,
// e.g. "R12: manifest.images[1].name: ...".
Result<UnverifiedManifest> parse_manifest(std::string_view bytes);

// Every rule a manifest must satisfy (names, counts, ranges, sort order), each
// error starting with its rule (R5, R7-R13, R23).
Status check_manifest(const Manifest& m);

// Name rules. Each returns Code::malformed naming `where` and the offending
// value, and no rule: specs, release files and trust files use them too, so
// the caller names its own (R8, R10, R12 for a manifest).
// Image name: 1-64 bytes of [A-Za-z0-9._-], starting with a letter or digit, not "." or "..".
Status check_image_name(std::string_view name, std::string_view where);
// Image type: 1-32 bytes of [a-z0-9-], starting with a letter.
Status check_token(std::string_view value, std::string_view where);
// Hardware id: 1-128 bytes of printable ASCII without spaces (0x21-0x7e).
Status check_hardware_id(std::string_view value, std::string_view where);
// Product and version: 1-128 bytes of UTF-8 without control characters.
Status check_text(std::string_view value, std::string_view where);

// Decimal text of a security version: 1-20 digits, no leading zero, <= 2^64-1.
Result<std::uint64_t> parse_security_version(std::string_view text, std::string_view where);

// The package's identity: SHA-256 of the manifest bytes.
inline Sha256 manifest_digest(std::string_view manifest_bytes) { return sha256(manifest_bytes); }

// What a manifest says, as the --json documents of package, inspect and
// verify write it (docs/JSON.md): product, version, security_version
// (decimal text), created (RFC 3339, null when 0: not recorded), hardware,
// images [{name, type, size, sha256}], sbom ({size, sha256} or null).
nlohmann::json manifest_facts_json(const Manifest& m);

}  // namespace fwseal

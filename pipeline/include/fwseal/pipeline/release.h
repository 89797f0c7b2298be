// The release file (`fwseal pipeline run RELEASE.json`): everything one release
// needs, declared once. docs/PIPELINE.md is the user-facing description of the
// same rules.
//
// Hand-written, so // and /* */ comments are allowed; everything else is
// strict: unknown members, duplicates and bad values are Code::malformed naming
// the member path ("release.variants[3].images[0].path: ...").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fwseal/base/error.h"
#include "fwseal/format/signature.h"
#include "fwseal/packager/spec.h"

namespace fwseal::pipeline {

inline constexpr std::size_t kMaxVariants = 1024;
inline constexpr std::size_t kMaxSigningKeys = 32;

struct ReleaseImage {
  std::string name;  // manifest image name
  std::string type;  // manifest image type
  std::string path;  // absolute
  // "encryption": {"recipients": [PEM files], "chunk_size": N}, as in a spec
  // (recipient paths absolute); the release's "encryption" names the secret.
  std::optional<packager::ImageEncryptionSpec> encryption = std::nullopt;
};

// "encryption": {"key": URI} or {"secret": FILE}: the release's encryption
// secret (docs/FORMAT.md "Encrypted images"), from which every encrypted
// image's data key and nonces derive. Exactly one of the two is set.
struct EncryptionSecretSpec {
  std::string key;     // PKCS#11 URI of a generic secret (hsm keygen --alg hmac-sha256), in signing.module
  std::string secret;  // absolute path of an owner-only secret file
};

struct SigningKeySpec {
  std::string uri;                // PKCS#11 URI (RFC 7512)
  std::string certificate_chain;  // absolute path of a PEM chain (signer first); empty: none
};

// The trust policy the release emits (trust.json).
struct TrustSpec {
  bool pin_signing_keys = true;           // pin the public keys of signing.keys (read from the HSM)
  std::vector<std::string> public_keys;   // further pinned keys: absolute PEM paths
  std::vector<std::string> roots;         // X.509 root CA certificates: absolute PEM paths
  std::optional<std::uint64_t> threshold; // default: the number of signing keys
  std::vector<Algorithm> algorithms;      // empty: all five
  std::vector<KeyId> revoked_key_ids;
  std::uint64_t min_security_version = 0;
  std::vector<std::string> hardware;      // the device ids the policy names (optional)
};

struct ReproSpec {
  bool check = true;
  // Optional shell command that writes fresh copies of the images into
  // $FWSEAL_REBUILD_DIR (each under its path's base name), run in the scratch
  // directory of the check; without it the check copies the inputs.
  std::string rebuild_images;
};

// "inventory": {"db": DB, "replace": false}: once published, each package is
// added to the release inventory (fwseal inventory add) with the release's
// trust policy. DB as `--db` takes it (an SQLite path, relative to the release
// file, or postgresql://...); without "db", $FWSEAL_HOME/inventory.db.
struct InventorySpec {
  bool add = false;
  std::string db;
  bool replace = false;
  // "scan": after adding, import `advisories` (files, directories, zips;
  // absolute), check the newest import is at most `max_age_days` old, scan
  // the published releases, and fail the run (exit 16) when an open finding
  // is at or above `fail_on` ("critical", "high", "medium", "low").
  bool scan = false;
  std::vector<std::string> advisories;
  std::string fail_on;
  std::optional<std::uint64_t> max_age_days;
};

// One package of the release. A release without "variants" has one, unnamed.
struct Variant {
  std::string name;                    // empty for the implicit variant
  std::vector<std::string> hardware;   // sorted, unique
  std::vector<ReleaseImage> images;    // package order
  std::vector<std::string> components_files;   // absolute paths
  std::vector<nlohmann::json> components;      // inline components (fwseal components JSON objects)
};

struct Release {
  std::string file;      // the release file, absolute
  std::string base_dir;  // its directory: relative paths start here
  std::string name;      // "<product>-<version>" unless given
  std::string product;
  std::string version;
  std::string supplier;  // may be empty
  std::uint64_t security_version = 0;
  std::optional<std::int64_t> created;  // else SOURCE_DATE_EPOCH, else 0 (resolved by the run)
  std::string module;                   // PKCS#11 module; empty: fwseal's default
  std::vector<SigningKeySpec> keys;     // at least one
  std::string provenance_key;           // signs the provenance: "provenance": {"uri"}, else keys[0].uri
  // Required when an image is encrypted, refused when none is.
  std::optional<EncryptionSecretSpec> encryption;
  TrustSpec trust;
  ReproSpec reproducibility;
  bool sbom_sha512 = false;             // "sbom": {"sha512": true}: image SHA-512s in the SBOM too
  // "sbom": {"manufacturer": {...}, "authors": [...]}: those two members as
  // written (checked by packager::parse_sbom_parties), passed to the package
  // spec unchanged; an empty object when absent.
  nlohmann::json sbom_parties = nlohmann::json::object();
  std::string output;                   // absolute output directory; empty: out/<name> under the working directory
  InventorySpec inventory;
  // "licence_policy": FILE: every package's SBOM is checked against it
  // (fwseal sbom check) before the package is signed. Absolute; empty: no check.
  std::string licence_policy;
  bool has_variants = false;
  std::vector<Variant> variants;        // at least one
};

// Parses release file text. Relative paths are resolved against `base_dir`
// (which must be absolute); images, certificate chains, public keys, roots and
// components files must be readable regular files. `what` names the file in
// messages. Code::malformed naming the member path.
Result<Release> parse_release(std::string_view text, const std::string& base_dir, std::string_view what);

// Reads and parses a release file. Code::io if it cannot be read.
Result<Release> load_release(const std::string& path);

}  // namespace fwseal::pipeline

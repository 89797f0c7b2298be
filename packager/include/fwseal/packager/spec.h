// The package spec: the hand-written JSON file `fwseal package --spec` reads.
// packager/README.md is the user-facing description of the same rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fwseal/base/error.h"
#include "fwseal/format/manifest.h"

namespace fwseal::packager {

// `"encryption": {"recipients": ["fleet-a.pub.pem", ...], "chunk_size": 65536}`:
// the image is stored encrypted for each recipient's key (P-256 or X25519),
// docs/FORMAT.md "Encrypted images".
struct ImageEncryptionSpec {
  std::vector<std::string> recipients;  // PEM public key files, resolved like `path`
  std::uint32_t chunk_size = 64 * 1024;
};

struct ImageSpec {
  std::string name;  // check_image_name; becomes image/<name> in the package
  std::string type;  // check_token
  std::string path;  // resolved: relative spec paths are joined to the spec's directory
  std::optional<ImageEncryptionSpec> encryption = std::nullopt;
};

// `"sbom": {"supplier": ..., "components": [...]}`: generate the SBOM from the
// images (the caller runs sbom-gen and passes the bytes in PackageOptions).
struct SbomOrganisation {
  std::string name;               // "" when not given
  std::vector<std::string> urls;
  std::string contact_name, contact_email;
};
struct SbomAuthor {
  std::string name, email;  // email may be empty
};

struct SbomGeneration {
  std::string supplier;                 // may be empty
  SbomOrganisation manufacturer;        // "manufacturer": {"name", "url"?: [...], "contact"?: {"name"?, "email"?}}
  std::vector<SbomAuthor> authors;      // "authors": [{"name", "email"?}, ...]
  std::vector<std::string> components;  // resolved paths of declared-components files
  std::vector<std::string> components_as_written;  // the same, as the spec names them (the SBOM's wording)
  bool sha512 = false;                  // image SHA-512s too, besides SHA-256
};

struct Spec {
  std::string product;
  std::string version;
  std::uint64_t security_version = 0;
  std::vector<std::string> hardware;    // sorted, unique
  std::optional<std::int64_t> created;  // wins over SOURCE_DATE_EPOCH
  std::vector<ImageSpec> images;        // package order
  std::optional<std::string> sbom;      // bytes of the SBOM file the spec names, checked by check_sbom
  std::string sbom_path;                // where `sbom` came from, for messages
  std::optional<SbomGeneration> sbom_generation;  // instead of `sbom`: generate one
  // Bytes reserved after the manifest for signatures (docs/FORMAT.md R23):
  // 16 KiB holds a dozen signatures with certificate chains.
  std::uint64_t signature_space = kDefaultSignatureSpace;
};

// Parses spec text (JSON, // and /* */ comments allowed). Image and SBOM paths
// are resolved against `base_dir` and checked on disk: each image must be a
// readable regular file, the SBOM is read and checked. Every error is
// Code::malformed and names the field, e.g. `spec.images[2].name: ...`.
Result<Spec> parse_spec(std::string_view text, const std::string& base_dir);

// Reads the spec file at `path` and parses it with the file's directory as
// base. Code::io if the file itself cannot be read, otherwise as parse_spec.
Result<Spec> load_spec(const std::string& path);

// The "manufacturer" and "authors" members of `object` (a spec's or release
// file's "sbom"), into `out`; absent members leave it as it is. Only the
// shape and text are checked here (unknown members, control characters);
// sbom-gen checks URLs and e-mail addresses. Code::malformed naming the
// member, e.g. `spec.sbom.authors[1].email: expected a string`.
// An image's "encryption" member, as a spec and a release file write it:
// every recipient's public key file (resolved against `base_dir`) is read and
// checked, so a wrong one is named with its member. Code::malformed naming
// `where`.
Result<ImageEncryptionSpec> parse_image_encryption(const nlohmann::json& object, const std::string& where,
                                                   const std::string& base_dir);

Status parse_sbom_parties(const nlohmann::json& object, std::string_view where, SbomGeneration& out);

// An SBOM to embed: a JSON object of at most kMaxSbomBytes bytes, parsed
// strictly (valid UTF-8, no duplicate member names). Code::malformed naming `where`.
Status check_sbom(std::string_view bytes, std::string_view where);


// The spec must be the one the package at `pkg` was built from: product,
// version, security version, hardware, image names and types, SBOM or none.
// Code::digest naming the first field that differs. (Image digests are
// compared where the images are read, e.g. by build_provenance.)
Status check_built_from(const Spec& spec, const Manifest& m, const std::string& pkg);

}  // namespace fwseal::packager

// Assembling a package: the bytes format/ defines, written in one pass over
// each image.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "fwseal/format/digest.h"
#include "fwseal/format/error.h"
#include "fwseal/format/manifest.h"
#include "fwseal/packager/spec.h"

namespace fwseal::packager {

struct PackageOptions {
  std::string output;                            // the package path; written atomically
  std::optional<std::string> sbom;               // an SBOM from the caller (e.g. sbom-gen); not with spec.sbom
  std::optional<std::int64_t> source_date_epoch; // used when the spec has no `created`; otherwise 0
};

struct PackageResult {
  Manifest manifest;
  std::string manifest_bytes;  // the canonical manifest, as stored in manifest.json
  Sha256 manifest_digest{};    // the package's identity
  std::uint64_t total_size = 0;
};

// Writes the package for `spec` to `options.output`, without signatures:
// manifest.json, sbom.cdx.json (if any), image/<name> per image, end of archive.
// The file is written beside the output and renamed into place at the end, so
// a failed run leaves nothing at the output path.
//
// Each image is read once: its bytes are hashed and written from the same
// buffer, on two threads; the data goes out with O_DIRECT where the file
// system accepts it. Holes in sparse images are neither read nor written (they
// stay holes in the package).
//
// Errors: Code::malformed if the spec breaks a manifest rule or the SBOM is not
// JSON; Code::usage for an SBOM given both in the spec and the options, a
// spec asking for a generated SBOM without one in the options, or a
// SOURCE_DATE_EPOCH out of range; Code::io if an image cannot be read or changes
// size while it is read, or the output cannot be written; Code::internal if
// the final manifest differs in size from the one the layout was computed for.
Result<PackageResult> build_package(const Spec& spec, const PackageOptions& options);

}  // namespace fwseal::packager

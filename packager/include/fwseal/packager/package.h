// Assembling a package: the bytes format/ defines, written in one pass over
// each image.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fwseal/base/digest.h"
#include "fwseal/base/error.h"
#include "fwseal/base/file.h"
#include "fwseal/base/progress.h"
#include "fwseal/format/manifest.h"
#include "fwseal/packager/spec.h"

namespace fwseal::packager {

// An SBOM that needs the images' SHA-256 digests, which the packager computes
// while it copies the images (sbom-gen's SbomDraft): so each image is hashed
// once. Its size is known before the copy; each image must be the file the
// SBOM's scan read, unchanged.
struct PendingSbom {
  std::size_t size = 0;
  std::vector<FileStamp> images;  // per spec image, in order
  std::function<Result<std::string>(const std::vector<Sha256>& image_sha256)> render;
};

// Packages smaller than this are written through the page cache: whoever reads
// them next (fwseal-verify in a pipeline, a copy to a device) finds them there.
// Larger ones go out with O_DIRECT: copying a gigabyte into the page cache
// costs more than the disk write, and evicts what else is cached.
inline constexpr std::uint64_t kDirectIoMinimum = std::uint64_t{256} << 20;

struct PackageOptions {
  std::string output;                            // the package path; written atomically
  std::optional<std::string> sbom;               // an SBOM from the caller (e.g. sbom-gen); not with spec.sbom
  std::optional<PendingSbom> pending_sbom;       // instead of `sbom`: completed with the image digests
  std::optional<std::int64_t> source_date_epoch; // used when the spec has no `created`; otherwise 0
  std::uint64_t direct_io_minimum = kDirectIoMinimum;  // package size from which O_DIRECT is used
  // An existing file at `output` (perhaps a signed release) is replaced only
  // with this; otherwise Code::usage before anything is read, and the final
  // rename never replaces a file that appeared meanwhile.
  bool replace_existing = false;
  // The release's encryption secret, for the images the spec marks encrypted
  // (their data keys derive from it); Code::usage if one is and this is unset.
  const enc::EncryptionSecret* encryption_secret = nullptr;
  // Told of the step ("reading images") and of each image byte as it is
  // hashed; null: nothing is reported.
  ProgressSink* progress = nullptr;
};

struct PackageResult {
  Manifest manifest;
  std::string manifest_bytes;  // the canonical manifest, as stored in manifest.json
  Sha256 manifest_digest{};    // the package's identity
  std::uint64_t total_size = 0;
  std::string sbom;            // the embedded SBOM's bytes (empty without one)
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
// JSON; Code::usage for an SBOM given twice (spec, options.sbom,
// options.pending_sbom), a spec asking for a generated SBOM without one in
// the options, or a SOURCE_DATE_EPOCH out of range; Code::io if an image
// cannot be read, is written to while it is read, is not the file a pending
// SBOM's scan read, or the output cannot be written; Code::internal if the
// final manifest or SBOM differs in size from the one the layout was computed
// for.
Result<PackageResult> build_package(const Spec& spec, const PackageOptions& options);

}  // namespace fwseal::packager

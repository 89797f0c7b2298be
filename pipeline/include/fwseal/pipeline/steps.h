// The release steps that `fwseal` runs as single commands (`fwseal package`)
// and the pipeline runs as edges of its build: each one function over a
// request, so the command line only parses and prints.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "fwseal/base/error.h"
#include "fwseal/packager/package.h"

namespace fwseal::pipeline {

struct PackageRequest {
  std::string spec_path;
  std::string output;
  std::optional<std::string> sbom_out;  // also write the generated SBOM here
  std::string tool_version;             // recorded in a generated SBOM
  bool replace_existing = false;        // --force: replace a file at `output`
  // For images the spec marks encrypted (--encryption-secret, --encryption-key).
  const enc::EncryptionSecret* encryption_secret = nullptr;
  // Each SBOM warning, as it is found (before the package is written).
  std::function<void(const std::string&)> on_warning;
  ProgressSink* progress = nullptr;  // the running step and image bytes; null: none
};

// `fwseal package`: loads the spec, generates its SBOM when the spec asks
// (scanning the images; their digests come from the copy into the package
// unless the SBOM needs SHA-512, which the packager does not compute), and
// writes the package. The time is the spec's `created`, else
// SOURCE_DATE_EPOCH, else 0 (R11). Code::usage for --sbom-out without an
// SBOM to generate.
Result<packager::PackageResult> package_from_spec(const PackageRequest& request);

}  // namespace fwseal::pipeline

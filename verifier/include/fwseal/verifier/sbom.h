// The SBOM a package carries, handed out only once the whole package verifies;
// and the one rule for telling a package from an SBOM file.
#pragma once

#include <optional>
#include <string>

#include "fwseal/base/error.h"

namespace fwseal::verifier {

// True if the file at `path` starts like a package: the tar header of
// manifest.json (FORMAT.md R1). Code::io if it cannot be read.
Result<bool> is_package_file(const std::string& path);

// The SBOM of the package at `path`, after verify_package accepted the whole
// package against the trust file at `trust_path` (required: Code::usage
// without it). The verifier's code and message otherwise, prefixed with the
// path; Code::malformed if the verified package carries no SBOM.
Result<std::string> verified_sbom(const std::string& path, const std::optional<std::string>& trust_path);

// `path` as an SBOM: a package's (verified_sbom) or an SBOM file's bytes
// (at most `max_bytes`).
Result<std::string> read_sbom_input(const std::string& path, const std::optional<std::string>& trust_path,
                                    std::size_t max_bytes);

}  // namespace fwseal::verifier

// Structural checks of a CycloneDX 1.6 JSON BOM, built in (no schema files
// needed), for SBOMs about to be packaged or that came out of a package.
#pragma once

#include <string_view>

#include "fwseal/base/error.h"

namespace fwseal::sbom {

// Code::malformed with one line naming the JSON path, e.g.
// "sbom: $.components[3].hashes[0].content: not 64 hex digits for SHA-256".
// Checks: strict JSON (no duplicate members, size and depth limits),
// bomFormat "CycloneDX", specVersion "1.6", serialNumber urn:uuid form, version,
// metadata.timestamp form, every component's type and name, unique bom-refs
// (nested components included), dependencies naming only existing bom-refs,
// hash algorithms and lengths, purls that parse, licence entries of one of the
// allowed shapes.
Status validate_sbom(std::string_view bytes);

}  // namespace fwseal::sbom

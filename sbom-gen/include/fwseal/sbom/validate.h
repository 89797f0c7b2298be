// Checks of a CycloneDX 1.4, 1.5 or 1.6 JSON BOM against the official schema
// of its specVersion and fwseal's value rules, all built in (no schema files
// read at run time), for SBOMs about to be packaged or that came out of a
// package.
#pragma once

#include <string_view>

#include "fwseal/base/error.h"

namespace fwseal::sbom {

// Code::malformed with one line naming the JSON path, e.g.
// "sbom: $.components[3].hashes[0].content: not 64 hex digits for SHA-256".
// Checks: strict JSON (no duplicate members, size and depth limits),
// bomFormat "CycloneDX", specVersion "1.4", "1.5" or "1.6" (another is an
// error naming the supported ones), then fwseal's value rules: serialNumber
// urn:uuid form, version,
// metadata.timestamp form, every component's type and name, unique bom-refs
// (nested components included), dependencies naming only existing bom-refs,
// hash algorithms and lengths, purls that parse, licence entries of one of the
// allowed shapes; then the official CycloneDX JSON schema of that specVersion
// ("sbom: $.metadata: CycloneDX 1.5 schema: ..."; sbom-gen/README.md,
// "Validation", says how its patterns and formats are checked).
Status validate_sbom(std::string_view bytes);

// validate_sbom, and the valid document's specVersion ("1.6").
Result<std::string> validated_spec_version(std::string_view bytes);

}  // namespace fwseal::sbom

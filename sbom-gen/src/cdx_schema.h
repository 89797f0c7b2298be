// The official CycloneDX JSON schemas (third_party/cyclonedx/, built into the
// library), checked with valijson. validate_sbom runs fwseal's own value rules
// first, then this.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fwseal/base/error.h"

namespace fwseal::sbom {

// "1.4, 1.5 and 1.6": the specVersions whose schemas fwseal carries.
const std::string& supported_spec_versions();
bool is_supported_spec_version(std::string_view spec_version);

// Checks `bom` against the schema of `spec_version` (one of the supported).
// Code::malformed with the first error, one line naming the JSON path:
// "sbom: $.components[1].version: CycloneDX 1.6 schema: Value type not
// permitted by 'type' constraint". Code::internal if a built-in schema does
// not load.
Status check_cyclonedx_schema(const nlohmann::json& bom, std::string_view spec_version);

}  // namespace fwseal::sbom

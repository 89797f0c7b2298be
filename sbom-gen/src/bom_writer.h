// The CycloneDX 1.6 JSON document: fixed structure, sorted keys and arrays,
// and a serialNumber derived from the content, so equal inputs give equal bytes.
#pragma once

#include <string>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/sbom/sbom.h"
#include "model.h"

namespace fwseal::sbom {

struct ImageComponent {
  ImageSpec spec;
  std::string sha256_hex, sha512_hex;
  std::string digest_of;  // "file" or "tree-listing-v1"
};

std::string rfc3339_utc(std::int64_t seconds);

// The serialNumber for a BOM whose canonical text (sorted keys, no spaces,
// serialNumber absent) is `text`: urn:uuid: of the first 16 bytes of its
// SHA-256 as an RFC 9562 version 8 UUID.
std::string content_serial(const std::string& text);

Result<std::string> write_bom(const SbomConfig& config, const std::vector<ImageComponent>& images,
                              const std::vector<Component>& components, const std::vector<std::string>& warnings);

}  // namespace fwseal::sbom

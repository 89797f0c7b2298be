// A release's vulnerabilities as a VEX document: every finding of the
// release with the status its triage gives it (untriaged findings are
// under investigation), in CycloneDX 1.6 or OpenVEX 0.2.
#pragma once

#include <string>
#include <vector>

#include "fwseal/inventory/scan.h"

namespace fwseal::inventory {

enum class VexFormat { cyclonedx, openvex };

struct VexDocument {
  std::string product, version;  // the release
  std::string author = "fwseal inventory";
  std::string timestamp;         // RFC 3339
  std::string tool_version;
};

// The same findings, options and timestamp give the same bytes (the
// document's serial number / id is derived from its content).
std::string release_vex(const std::vector<Finding>& findings, VexFormat format, const VexDocument& doc);

}  // namespace fwseal::inventory

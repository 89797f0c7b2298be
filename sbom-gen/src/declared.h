// Components the build declares: fwseal's components JSON, Buildroot's
// legal-info manifest.csv, Yocto's license.manifest. README.md documents each
// accepted field and column.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"
#include "model.h"

namespace fwseal::sbom {

// What a declared file gives: its entries, and one warning per field over
// kMaxDeclaredFieldBytes ("FILE:LINE: FIELD: N bytes, over the limit of
// 16384; ..."), whose entry is skipped, or kept without a licence when the
// field is the licence. The other entries are kept.
struct Declared {
  std::vector<Finding> findings;
  std::vector<std::string> warnings;
};

// Tells the three formats apart by their first bytes and parses `text`.
// `what` names the file in messages; `images` are the configured image names
// (components JSON may bind a component to one). Code::malformed naming the
// file, entry and field.
Result<Declared> parse_declared_components(std::string_view text, std::string_view what,
                                           const std::set<std::string>& images);

Result<Declared> parse_components_json(std::string_view text, std::string_view what,
                                       const std::set<std::string>& images);
Result<Declared> parse_buildroot_manifest(std::string_view text, std::string_view what);
Result<Declared> parse_yocto_manifest(std::string_view text, std::string_view what);

// Shared checks of one declared text value: clean UTF-8 without control
// characters, 1..max bytes. Code::malformed naming `where`.
Status check_declared_text(std::string_view value, std::string_view where, std::size_t max_bytes);

// The warning for a declared field of `bytes` bytes, over kMaxDeclaredFieldBytes:
// "WHERE: N bytes, over the limit of 16384 bytes per field; " + outcome.
std::string oversized_field(std::string_view where, std::size_t bytes, std::string_view outcome);

}  // namespace fwseal::sbom

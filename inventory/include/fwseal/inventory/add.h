// Recording releases: a verified package, or a bare SBOM marked unverified.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/format/trust.h"
#include "fwseal/inventory/store.h"

namespace fwseal::inventory {

enum class AddOutcome { added, unchanged, replaced };
std::string_view add_outcome_name(AddOutcome o);  // "added", "unchanged", "replaced"

struct AddResult {
  AddOutcome outcome = AddOutcome::added;
  std::string product, version;
  std::size_t components = 0;
};

// Verifies the package at `path` exactly as fwseal-verify does (the verifier
// library, the same codes: 10-15, 3) and records the release, its images,
// signers, hardware ids and every component of its signed SBOM, all in one
// transaction: nothing is written unless everything is. The same package
// again: unchanged. Another package for a recorded product and version:
// Code::malformed (10) unless `replace`.
Result<AddResult> add_package(Connection& db, const std::string& path, const TrustPolicy& trust, bool replace);

// add_package for each of `paths`, in order, calling `added` after each one
// is committed; the first failure stops it (the packages before it stay
// recorded). Packages are verified a window at a time on worker threads while
// the window before is written; the releases go in one transaction per
// thousand, each window in a savepoint, so a failure takes back nothing but
// its own release.
Status add_packages(Connection& db, const std::vector<std::string>& paths, const TrustPolicy& trust, bool replace,
                    const std::function<void(const std::string& path, const AddResult& result)>& added);

// Records a bare CycloneDX SBOM (checked with sbom's validate_sbom:
// Code::malformed naming `where` if it is not one) as release `version` of
// `product`, marked unverified.
Result<AddResult> add_sbom(Connection& db, std::string_view sbom_bytes, std::string_view where,
                           const std::string& product, const std::string& version, bool replace);

}  // namespace fwseal::inventory

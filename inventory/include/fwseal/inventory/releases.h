// The inventory's releases: the list (products, releases, support stages),
// what changed between two releases of a product, and the security team's
// HTML page.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/inventory/lifecycle.h"
#include "fwseal/inventory/query.h"
#include "fwseal/inventory/scan.h"
#include "fwseal/inventory/store.h"
#include "fwseal/sbom/diff.h"

namespace fwseal::inventory {

struct ReleaseRow {
  std::string product, version;
  bool verified = false;  // false: recorded from a bare SBOM
  std::optional<std::uint64_t> security_version;
  std::string created;          // RFC 3339, "" when unknown (bare SBOMs)
  std::string manifest_digest;  // hex; "sbom:<sha256>" for a bare SBOM
  std::string added;            // when it was recorded, RFC 3339
  std::vector<std::string> hardware;
  std::size_t components = 0;
  std::optional<Date> launched, discontinued;  // the product's
  std::string stage;                           // on the date asked (stage_name)
};

// Every recorded release (of `product` only, when given), sorted by product
// then release version; stages on `on`. Code::usage when `product` is given
// and not in the inventory.
Result<std::vector<ReleaseRow>> list_releases(Connection& db, const std::optional<std::string>& product, Date on);

std::string releases_to_json(const std::vector<ReleaseRow>& rows);
std::string releases_to_csv(const std::vector<ReleaseRow>& rows);
std::string releases_to_table(const std::vector<ReleaseRow>& rows);

// The components of release `from` and release `to` of `product` compared
// with the same rules as `fwseal sbom diff` (sbom::diff_components).
// Code::usage naming the release when one is not in the inventory.
Result<sbom::SbomDiff> diff_releases(Connection& db, const std::string& product, const std::string& from,
                                     const std::string& to);

// The security team's page: one self-contained HTML document (inline CSS, no
// scripts, nothing fetched) with every product and its support dates, every
// release and its stage on `on`, and, when `impact` is given, the releases a
// query found (`impact_title` says which query).
struct InventoryReport {
  std::vector<ReleaseRow> releases;
  SupportPolicy policy;  // the inventory's (load_policy)
  Date on;
  std::optional<std::vector<Hit>> impact;
  std::string impact_title;
  // Every finding of a scan (nullopt when no advisories were imported): the
  // open ones are listed by product and release, the triaged-away ones counted.
  std::optional<std::vector<Finding>> vulnerabilities;
  std::optional<std::string> advisories_imported;  // the newest import's time
  std::string generated;  // RFC 3339
};
std::string render_inventory_html(const InventoryReport& report);

}  // namespace fwseal::inventory

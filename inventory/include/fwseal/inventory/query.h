// "Which of our releases carry X?": the inventory's query.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/inventory/lifecycle.h"
#include "fwseal/inventory/purl_match.h"
#include "fwseal/inventory/store.h"
#include "fwseal/inventory/vers.h"

namespace fwseal::inventory {

struct Query {
  // Exactly one of these names the component.
  std::optional<PurlQuery> purl;
  std::optional<std::string> name;  // the SBOM component's name, exactly
  std::optional<std::string> cpe;   // cpe:2.3:PART:VENDOR:PRODUCT[:VERSION...]; '*' fields match anything
  std::optional<VersionRange> range;
  Date on = today_utc();  // the date support stages are given for
};

struct Hit {
  std::string product, version;  // the release
  bool verified = false;         // false: recorded from a bare SBOM
  std::vector<std::string> hardware;
  std::string component, component_version, purl, cpe;
  std::string images;  // JSON array of the images the component is in
  std::string stage;   // the release's support stage on Query::on (stage_name)
};

// Code::usage when the query names no component or more than one way; the
// store's errors otherwise. Hits sorted by product, release version, component.
Result<std::vector<Hit>> run_query(Connection& db, const Query& query);

// Code::usage with one line when `cpe` is not a CPE 2.3 formatted string.
Status check_cpe(std::string_view cpe);

std::string hits_to_json(const std::vector<Hit>& hits);
std::string hits_to_csv(const std::vector<Hit>& hits);
std::string hits_to_table(const std::vector<Hit>& hits);

}  // namespace fwseal::inventory

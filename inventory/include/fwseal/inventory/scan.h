// Advisories in the inventory, and the scan that matches them against every
// recorded release: exact (the component's purl identity, the distribution
// release, the version in the scheme's order) and explained (each finding
// says which advisory entry matched which component, and how).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/inventory/cvss.h"
#include "fwseal/inventory/lifecycle.h"
#include "fwseal/inventory/store.h"
#include "fwseal/inventory/vex.h"

namespace fwseal::inventory {

struct ImportResult {
  std::string source;  // the path given
  std::string sha256;  // of the file (a directory: of its files' names and digests)
  std::size_t records = 0, added = 0, updated = 0, unchanged = 0, withdrawn = 0;
};

// Imports the advisories at `path`: one OSV record (.json), a directory of
// them (read recursively, in name order) or a zip of them (OSV's per-
// ecosystem all.zip). One transaction: a record that does not parse stops
// the import with nothing of it recorded (Code::malformed naming the file,
// the zip entry and the member). A record already held with the same bytes is
// unchanged; with other bytes it is replaced (updated, or withdrawn when it
// says so). Each import is recorded with its source and digest.
Result<ImportResult> import_advisories(Connection& db, const std::string& path);

struct Finding {
  std::string product, version;  // the release
  bool verified = false;
  std::string stage;             // on ScanOptions::on
  std::string component, component_version, purl;
  std::string advisory;          // its id
  std::vector<std::string> aliases;
  std::string summary;
  std::optional<double> cvss;    // base score, computed from the vector
  std::string cvss_vector;
  std::string cvss_source;       // the advisory whose vector it is (an alias's when the record has none)
  std::string severity;          // severity_name, or "unknown" without a CVSS v3 vector
  std::string fixed;             // the version that fixes it, "" when none is known
  std::string rule;              // the advisory entry that matched
  std::string evidence;          // what of the component matched it
  std::string cpe;               // the component's CPE, "" if none
  // Triage: the status of the statement that decides (vex.h), or
  // "untriaged" when none covers the finding.
  std::string status = "untriaged";
  std::optional<Statement> statement;
  // Open: not stated not_affected or fixed.
  bool open() const { return status != "not_affected" && status != "fixed"; }
};

struct ScanOptions {
  std::optional<std::string> product;                          // only this product
  std::optional<std::pair<std::string, std::string>> release;  // only this product and version
  Date on = today_utc();
  bool open_only = false;       // leave out findings stated not_affected or fixed
  bool untriaged_only = false;  // leave out findings any statement covers
  // Leave out releases out of support on `on`: end of support, and in the
  // security-fixes stage findings below the policy's severe score.
  bool in_support = false;
  std::optional<Severity> min_severity;  // leave out findings below (unscored ones stay)
  // Match only the advisories the newest import added or changed: what an
  // advisory update brought, without matching everything again.
  bool newest_import_only = false;
};

// Every (release, component, advisory) that matches; withdrawn advisories
// never do. Each carries the triage statement that decides it (the most
// specific; vex.h), then the filters of `options` apply. Sorted by severity (critical first, unknown last), product,
// release version, advisory. Code::usage when the product or release named
// is not in the inventory.
Result<std::vector<Finding>> scan(Connection& db, const ScanOptions& options);

// The same findings in the same order, handed to `sink` one at a time (a
// sink's error stops the scan and is returned): for outputs that stream.
using FindingSink = std::function<Status(const Finding&)>;
Status scan_each(Connection& db, const ScanOptions& options, const FindingSink& sink);

// The newest import's time (RFC 3339), nullopt when nothing was imported.
Result<std::optional<std::string>> newest_import(Connection& db);

// Code::gate unless advisories were imported within `max_age_days` of
// `now` (seconds since the epoch): a stale advisory database is a failed
// gate, never a pass; so is one into which nothing was ever imported.
Status check_advisory_age(Connection& db, std::uint64_t max_age_days, std::int64_t now);

// Code::gate naming how many open findings are at or above `threshold`
// (and how many of those have no CVSS v3 score), when any is.
Status check_gate(const std::vector<Finding>& findings, Severity threshold);

// True when `f` is open and at or above `threshold`: a finding without a
// CVSS score counts as above (fail closed); one stated not_affected or fixed
// never does.
bool at_or_above(const Finding& f, Severity threshold);

std::string findings_to_json(const std::vector<Finding>& findings);
// One element of findings_to_json's array (indented as there, no comma or
// newline after it), and the CSV header and one row: for streaming.
std::string finding_to_json(const Finding& finding);
std::string findings_csv_header();
std::string finding_to_csv(const Finding& finding);
std::string findings_to_csv(const std::vector<Finding>& findings);
std::string findings_to_table(const std::vector<Finding>& findings);

}  // namespace fwseal::inventory

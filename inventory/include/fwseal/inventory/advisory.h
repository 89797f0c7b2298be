// Vulnerability advisories, read from the formats their publishers use and
// held in one form for matching: which package (by purl type, namespace and
// name, and the distribution release for a distribution's advisories) and
// which versions of it are affected.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/inventory/cvss.h"
#include "fwseal/inventory/version.h"

namespace fwseal::inventory {

// Versions from `lower` to `upper`; an absent bound is open.
struct VersionInterval {
  std::optional<std::string> lower;
  bool lower_inclusive = true;
  std::optional<std::string> upper;
  bool upper_inclusive = false;
};

struct AffectedPackage;

// A condition an NVD configuration adds: some component of the same release
// must be one of `any` (negate: none may be).
struct Requirement {
  std::vector<AffectedPackage> any;
  bool negate = false;
};

struct AffectedPackage {
  std::string purl_type;       // "deb", "apk", "npm", ...
  std::string purl_namespace;  // "debian", "alpine", "" ...
  std::string name;            // deb: the source package
  std::string distro;          // "debian-12", "alpine-3.18"; "" when any
  Scheme scheme = Scheme::generic;
  std::vector<VersionInterval> ranges;
  std::vector<std::string> versions;  // exact affected versions
  std::string rule;  // the entry as a person reads it: "OSV Debian:12 openssl: >= 0, < 3.0.14-1~deb12u1"
  // NVD: purl_type "cpe", purl_namespace the CPE vendor, name the product,
  // and the other conditions of its configuration (AND): all must hold in the
  // same release.
  std::vector<Requirement> requires_also;
};

struct Advisory {
  std::string id;  // "DSA-5532-1", "CVE-2023-5678", "GHSA-..."
  std::string format;  // "osv", "nvd", "cve5"
  std::vector<std::string> aliases;
  std::string summary;
  std::string modified;   // RFC 3339 as published
  std::string withdrawn;  // "" unless withdrawn
  std::optional<Cvss3> cvss;
  std::vector<AffectedPackage> affected;
};

// One OSV record (OSV schema 1.x). Code::malformed naming `where` and the
// member: a record without id or modified, an ecosystem fwseal does not know
// (the message lists the known ones), a range whose events are not versions
// of the ecosystem, a CVSS v3 vector that does not parse. GIT ranges (commit
// hashes) are left out: versions are compared, never commits.
Result<Advisory> parse_osv(std::string_view json, std::string_view where);

// The records of an NVD CVE API 2.0 response ({"vulnerabilities": [{"cve":
// ...}]}) or of one `cve` object. Each configuration's vulnerable CPE
// criteria become entries matched by CPE vendor and product; the other nodes
// of an AND configuration are their requirements (a platform CPE never
// matches alone). Criteria with a wildcard version and no version range are
// left out: they would match every version. "Rejected" records are
// withdrawn. The CVSS v3.1 (else v3.0) vector of the NVD's primary metric is
// parsed and scored.
Result<std::vector<Advisory>> parse_nvd(std::string_view json, std::string_view where);

// One CVE JSON 5 record (cveMetadata + containers). Every "affected" product
// of the CNA and ADP containers becomes entries: by purl when it names a
// packageName in a known collection (PyPI, npm, crates.io, ...), else by CPE
// vendor and product (its "cpes", else its vendor and product as CPE spells
// them, through a short table of known spellings). The product status rules
// apply: a version is affected when an "affected" version or range
// (version, lessThan, lessThanOrEqual with "5.15.*" wildcards, changes) names
// it, or when nothing names it and defaultStatus is "affected". Git ranges,
// "n/a" products, and products affected in every version are left out. A
// REJECTED record is withdrawn. Code::malformed naming the member for a
// status, version or CVSS vector that does not parse.
Result<Advisory> parse_cve5(std::string_view json, std::string_view where);

// OSV, NVD or CVE JSON 5, told apart by their shape.
Result<std::vector<Advisory>> parse_advisories(std::string_view json, std::string_view where);

// A CPE 2.3 formatted string's fields ("cpe", "2.3", part, vendor, product,
// version, ...), unescaped unless `keep_escapes`; empty when it does not
// start with "cpe:2.3:".
std::vector<std::string> split_cpe(std::string_view cpe, bool keep_escapes = false);

// The upstream part of a version that shows an epoch ("7:5.1.6-1" ->
// "5.1.6"), for comparing it with an upstream range; a version without an
// epoch is returned as it is ("1.36.1-r18").
std::string upstream_version(std::string_view version);

// A name from an advisory file (a record id, a zip entry) for a message: as
// it is when it is plain printable text, else quote()d with its control
// characters escaped.
std::string plain_or_quoted(std::string_view text);

// ">= 1.0, < 2.0", "all versions": an interval as a person reads it.
std::string interval_text(const VersionInterval& interval);

// True when `version` (in the entry's scheme) is one the entry names.
bool affects(const AffectedPackage& entry, std::string_view version);

// The lowest bound above `version` that leaves an affected interval (the
// version that fixes it), "" when none is known.
std::string fixed_version(const AffectedPackage& entry, std::string_view version);

}  // namespace fwseal::inventory

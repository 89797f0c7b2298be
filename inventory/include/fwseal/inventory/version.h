// Version order per versioning scheme, as the inventory's range queries need
// it. Versions are never compared as plain strings: Debian's 1:1.0 is newer
// than 2.0, busybox's 1.36.1-r18 newer than 1.36.1-r2.
#pragma once

#include <optional>
#include <string_view>

#include "fwseal/base/error.h"

namespace fwseal::inventory {

enum class Scheme {
  deb,      // dpkg's rules: [epoch:]upstream[-revision], '~' before everything
  opkg,     // opkg compares as dpkg does
  semver,   // Semantic Versioning 2.0.0 precedence
  generic,  // upstream versions as found in firmware: 1.1.1w, 1.36.1-r18
};

// "deb", "opkg", "semver", "generic" (the names purl's vers: uses).
std::optional<Scheme> scheme_from_name(std::string_view name);
std::string_view scheme_name(Scheme scheme);

// The scheme whose order fits a purl type: deb -> deb, opkg/ipk -> opkg,
// npm/cargo/golang -> semver, everything else -> generic.
Scheme scheme_for_purl_type(std::string_view purl_type);

// Code::usage when `version` is not a version of `scheme` (deb/opkg: dpkg's
// syntax; semver: MAJOR.MINOR.PATCH[-pre][+build]; generic: non-empty, no
// spaces or control characters). `where` starts the message.
Status check_version(Scheme scheme, std::string_view version, std::string_view where);

// <0, 0, >0 as a sorts before, equal to, after b. Versions that do not check
// are still ordered (semver falls back to the generic order), never an error:
// an SBOM's versions are data, not input to refuse.
int compare_versions(Scheme scheme, std::string_view a, std::string_view b);

// dpkg --compare-versions, exactly: epochs numerically, then upstream and
// revision by dpkg's alternating non-digit / digit comparison, '~' first.
int compare_deb(std::string_view a, std::string_view b);

// Semantic Versioning 2.0.0, section 11; build metadata ignored.
int compare_semver(std::string_view a, std::string_view b);

// Numeric segments numerically, letter segments by byte; trailing ".0"
// segments do not count (1.0 == 1.0.0); a letter segment directly after a
// number is a later release (1.1.1w > 1.1.1, 1.36.1-r18 > 1.36.1-r2), except
// the pre-release words alpha, beta, pre, rc, dev and anything after '~',
// which sort before the release they lead to (1.0-rc1 < 1.0).
int compare_generic(std::string_view a, std::string_view b);

}  // namespace fwseal::inventory

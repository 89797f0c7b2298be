// Package URLs (https://github.com/package-url/purl-spec): building them from
// parts, and checking that a purl from elsewhere parses.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "fwseal/base/error.h"

namespace fwseal::sbom {

// pkg:TYPE[/NAMESPACE]/NAME[@VERSION][?k=v&...]; every part percent-encoded
// except unreserved characters (and ':' in the version, as purl-spec allows:
// Debian epochs stay readable). Qualifiers with empty values are left out.
std::string make_purl(std::string_view type, std::string_view ns, std::string_view name,
                      std::string_view version, const std::map<std::string, std::string>& qualifiers = {});

struct PurlParts {
  std::string type;
  std::string ns;       // decoded
  std::string name;     // decoded
  std::string version;  // decoded; "" if absent
  std::map<std::string, std::string> qualifiers;  // keys lower-cased, values decoded
};

// Code::malformed naming `where` when `purl` does not parse: scheme, type
// syntax, empty name, bad percent-encoding, qualifier syntax, spaces.
Result<PurlParts> parse_purl(std::string_view purl, std::string_view where);

// The purl without its version ("pkg:deb/debian/curl?arch=amd64"), for pairing
// components across two SBOMs; "" if it does not parse.
std::string purl_without_version(std::string_view purl);

}  // namespace fwseal::sbom

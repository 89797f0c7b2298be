// Which components a purl given on the command line names. The purl's type,
// namespace and name must match; its qualifiers narrow the match the way the
// purl specification defines them for distribution packages:
//   distro=bookworm   only components built for that distribution
//   arch=arm64        only that architecture
//   upstream=openssl  only binary packages built from that source package
// A component whose own `upstream` qualifier names the queried name matches
// too: pkg:deb/debian/openssl finds libssl3 (upstream=openssl). A version in
// the purl matches that version exactly, in the order of the type's scheme.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "fwseal/base/error.h"
#include "fwseal/inventory/version.h"
#include "fwseal/sbom/purl.h"

namespace fwseal::inventory {

class PurlQuery {
 public:
  // Code::usage naming the purl when it does not parse.
  static Result<PurlQuery> parse(std::string_view purl);

  const sbom::PurlParts& parts() const { return parts_; }
  Scheme scheme() const { return scheme_for_purl_type(parts_.type); }
  // True when `component_purl` (a purl from an SBOM) is one of the named
  // components. A component purl that does not parse never matches.
  bool matches(std::string_view component_purl) const;
  bool matches(const sbom::PurlParts& component) const;

 private:
  sbom::PurlParts parts_;
};

// The source package a component purl's `upstream` qualifier names, without
// a version ("openssl@3.0.11-1" -> "openssl"); "" when there is none.
std::string upstream_name(const sbom::PurlParts& parts);

}  // namespace fwseal::inventory

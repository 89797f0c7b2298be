// The scan's first phases (scan.cpp runs them): the advisory entries to
// match, the components they can match, and which entry affects which
// component's version.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/inventory/advisory.h"
#include "fwseal/inventory/scan.h"
#include "fwseal/inventory/store.h"

namespace fwseal::inventory {

// A component as advisories match it.
struct Component {
  std::string id, name, version, purl, type, ns, distro;
  std::string match_version;  // the version purl-keyed advisories are compared with
  std::string evidence;
  // By CPE, for a component without a package manager's purl: the vendor
  // and product of its CPE (from fwseal's curated table of fingerprinted
  // components, or declared by the build) and its upstream version.
  std::string cpe_vendor, cpe_product, cpe_version;
  std::string cpe;
};

// The components advisories can match, indexed by what advisories name:
// type and (source) name, or "cpe" and the CPE's product.
struct ComponentIndex {
  std::vector<Component> components;
  std::map<std::string, std::vector<std::size_t>> by_key;  // type, newline, lower-case name -> indexes into components
};

// An advisory entry that affects a component's version.
struct Match {
  std::size_t component;  // index into ComponentIndex::components
  std::string advisory_row, advisory, summary, cvss_vector, fixed, rule;
  std::vector<Requirement> requires_also;
};

// The advisory entries to match: all, or those the newest import added or
// changed. One row an entry, as match_entries reads it.
Result<std::vector<Row>> advisory_entries(Connection& db, const ScanOptions& options);

// The components of `rows` (as components_to_match reads them) that
// advisories can match.
ComponentIndex index_components(const std::vector<Row>& rows);

// Every component with a purl or CPE; for a few entries of the newest
// import (options.newest_import_only), only the components they name.
Result<ComponentIndex> components_to_match(Connection& db, const ScanOptions& options, const std::vector<Row>& entries);

// Every (entry, component) where the entry names the component's package
// (purl type, namespace and name, and the distribution release it was built
// for; or CPE vendor and product) and affects its version.
std::vector<Match> match_entries(const std::vector<Row>& entries, const ComponentIndex& index);

// The other conditions of an NVD configuration, in one release: each must
// be met by some component of that release (a platform that is not a
// component, such as a hardware CPE, never is). `cache` keeps each release's
// components with a CPE between calls.
Result<bool> requirements_hold(Connection& db, const std::string& release_id, const std::vector<Requirement>& reqs,
                               std::map<std::string, std::vector<Component>>& cache);

}  // namespace fwseal::inventory

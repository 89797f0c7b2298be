// What changed between two SBOMs (e.g. the previous release and this one).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"

namespace fwseal::sbom {

struct DiffComponent {
  std::string name;
  std::string version;
  std::string purl;  // may be empty
};

struct VersionChange {
  std::string name;
  std::string purl_old, purl_new;
  std::string old_version, new_version;
};

struct LicenceChange {
  std::string name, version;
  std::string old_licence, new_licence;  // the licence entries as text, "" for none
};

struct HashChange {
  std::string name, version;
  std::string algorithm;  // "SHA-256", ...; "" when one side has no hashes at all
  std::string old_value, new_value;
};

struct SbomDiff {
  std::vector<DiffComponent> added;
  std::vector<DiffComponent> removed;
  std::vector<VersionChange> version_changed;
  std::vector<LicenceChange> licence_changed;
  std::vector<HashChange> hash_changed;
  bool empty() const;
};

// Compares the components (image components included) of two BOMs. Each is
// checked with validate_sbom first; Code::malformed names "old" or "new".
// Components are paired by purl without version (else by name); a pair whose
// version differs is a version change, one whose licences or hashes differ is
// a licence or hash change. Every list is sorted.
Result<SbomDiff> diff_sbom(std::string_view old_bytes, std::string_view new_bytes);

// The same comparison over two JSON arrays of CycloneDX component objects
// (name, version, purl, licenses, hashes; nested components), such as the
// components the release inventory recorded for two releases.
// Code::malformed naming "old" or "new" when a list is not in that shape.
Result<SbomDiff> diff_components(std::string_view old_components, std::string_view new_components);

// {"added":[...],"hash_changed":[...],"licence_changed":[...],"removed":[...],
//  "version_changed":[...]}: sorted keys, 2-space indent, final newline.
std::string diff_to_json(const SbomDiff& diff);

// A few lines for people: "+ name version", "- name version",
// "~ name old -> new", "licence name version: old -> new",
// "hash name version SHA-256: old -> new", then a summary line.
std::string diff_to_text(const SbomDiff& diff);

}  // namespace fwseal::sbom

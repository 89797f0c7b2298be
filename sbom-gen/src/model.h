// What the discovery sources report (Finding) and what the BOM lists
// (Component, after findings of the same thing were merged).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace fwseal::sbom {

struct FingerprintRule;

// A licence as the BOM carries it: SPDX ids (one entry each), or one SPDX
// expression, or (only for licences a build declared) the declared text.
struct Licence {
  std::vector<std::string> ids;
  std::string expression;
  std::string name;
  std::string acknowledgement;  // CycloneDX 1.6: "declared" (a source states it) or "" (not said)
  bool empty() const { return ids.empty() && expression.empty() && name.empty(); }
  friend bool operator==(const Licence&, const Licence&) = default;
};

// CycloneDX evidence.identity.methods[] entry.
struct Method {
  std::string technique;  // manifest-analysis, binary-analysis, other
  double confidence = 0;
  std::string value;  // what was read where
  friend auto operator<=>(const Method&, const Method&) = default;
};

struct Occurrence {
  std::string image;  // image name
  std::string path;   // path inside the image, starting with '/'
  friend auto operator<=>(const Occurrence&, const Occurrence&) = default;
};

enum class Source {
  components_file,  // fwseal components JSON
  buildroot,        // legal-info manifest.csv
  yocto,            // license.manifest
  os_release,       // etc/os-release: the operating system of an image
  dpkg,             // var/lib/dpkg/status
  opkg,             // usr/lib/opkg/status, var/lib/opkg/status
  elf_note,         // .note.package
  fingerprint,      // version string in a known file
};

struct Finding {
  Source source = Source::fingerprint;
  std::string name;
  std::string version;
  std::string upstream_version;  // version without epoch, packaging revision, repack suffix
  std::string type = "library";  // CycloneDX component type
  std::string supplier;
  std::string publisher;
  std::string purl;
  std::string cpe;
  std::string description;
  Licence licence;
  std::vector<std::pair<std::string, std::string>> hashes;  // CycloneDX alg, lowercase hex
  std::string source_url;
  std::vector<std::string> aliases;  // source package / recipe names that name the same thing
  std::string image;                 // image it was found in or bound to; "" for the whole product
  std::vector<Occurrence> occurrences;
  Method method;
  std::map<std::string, std::string> properties;  // fwseal:* properties
  std::vector<std::string> depends;                // packages: installed packages of the same image it depends on
  const FingerprintRule* rule = nullptr;           // fingerprints only
  bool versionless = false;  // fingerprints: the file is the component but carries no version
};

struct Component {
  std::string bom_ref;
  std::string name;
  std::string version;
  std::set<std::string> upstream_versions;  // as each merged source tells it
  std::string type;
  std::string supplier;
  std::string publisher;
  std::string purl;
  std::string cpe;
  std::string description;
  Licence licence;
  std::vector<std::pair<std::string, std::string>> hashes;
  std::string source_url;
  std::vector<std::string> aliases;
  std::set<std::string> images;  // images that carry it; empty: the product as a whole
  std::set<Occurrence> occurrences;
  std::set<Method> methods;
  std::set<std::pair<std::string, std::string>> properties;
  std::set<Source> sources;
  std::set<const FingerprintRule*> rules;
  std::set<std::pair<std::string, std::string>> depends;  // (image, package name), from the package database
  std::set<std::string> depends_on;                        // bom-refs, resolved by the merge
};

}  // namespace fwseal::sbom

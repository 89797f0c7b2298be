// Turns findings into components: the same component found by several
// sources becomes one component with all their evidence; two versions of one
// thing stay two components and are reported.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "model.h"

namespace fwseal::sbom {

struct MergeInput {
  std::vector<Finding> declared;  // components files, Buildroot, Yocto
  std::vector<Finding> packages;  // dpkg and opkg status files of every image
  std::vector<Finding> binaries;  // ELF notes and fingerprints of every image
  // image -> path -> package name, from dpkg/opkg info/*.list files.
  std::map<std::string, std::map<std::string, std::string>> owners;
};

struct MergeResult {
  std::vector<Component> components;  // sorted by name, version, purl; bom-refs assigned
  std::vector<std::string> warnings;
};

MergeResult merge_findings(MergeInput input);

}  // namespace fwseal::sbom

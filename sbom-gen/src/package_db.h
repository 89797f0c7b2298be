// Package databases found inside images: dpkg's var/lib/dpkg/status and
// opkg's usr/lib/opkg/status or var/lib/opkg/status, with the licences of
// machine-readable Debian copyright files (DEP-5).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"
#include "model.h"

namespace fwseal::sbom {

// What a copyright file says about licences: the SPDX form of each License
// field that maps, and the names of those that do not (recorded, not guessed).
struct CopyrightLicences {
  bool machine_readable = false;
  std::vector<std::string> spdx;      // sorted, unique
  std::vector<std::string> unmapped;  // sorted, unique
};

// Parses a usr/share/doc/PKG/copyright file. Files that are not DEP-5 (no
// "Format:" naming copyright-format in the first paragraph, or not deb822)
// give machine_readable = false.
CopyrightLicences parse_copyright(std::string_view text);

struct StatusFile {
  Source kind = Source::dpkg;  // dpkg or opkg
  std::string image;
  std::string path;  // "/var/lib/dpkg/status"
  std::string text;
};

// The installed packages of a status file: paragraphs whose Status ends in
// "installed". purl: pkg:deb/NS/NAME@VERSION?arch=ARCH (NS: `distro`, default
// "debian") and pkg:opkg/[NS/]NAME@VERSION?arch=ARCH (NS: `distro` if known).
// Licences come from `copyrights` by package name (dpkg only: opkg images
// carry no copyright files). Code::malformed naming the image, file and line.
Result<std::vector<Finding>> parse_status_file(const StatusFile& file, std::string_view distro,
                                               const std::map<std::string, CopyrightLicences>& copyrights);

// ID= of an os-release file, if it is a plain lowercase token; else "".
std::string os_release_id(std::string_view text);

}  // namespace fwseal::sbom

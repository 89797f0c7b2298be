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

// What a copyright file says about licences. DEP-5: the licence of the header
// and of every Files paragraph, each a whole SPDX expression in which names
// with no SPDX id are LicenseRef-NAME. Free text: the licences of the
// /usr/share/common-licenses files it names.
struct CopyrightLicences {
  bool machine_readable = false;
  std::size_t paragraphs = 0;                // DEP-5: License fields read
  std::vector<std::string> spdx;             // sorted, unique
  std::vector<std::string> unmapped;         // names written as LicenseRef-, sorted, unique
  std::vector<std::string> common_licences;  // free text: common-licenses files named, sorted, unique
};

// Parses a usr/share/doc/PKG/copyright file. Files that are not DEP-5 (no
// "Format:" naming copyright-format in the first paragraph, or not deb822)
// give machine_readable = false and only the common-licenses they name.
CopyrightLicences parse_copyright(std::string_view text);

struct StatusFile {
  Source kind = Source::dpkg;  // dpkg or opkg
  std::string image;
  std::string path;  // "/var/lib/dpkg/status"
  std::string text;
};

// What an image's os-release says, each field only if it is a plain token
// (ID, VERSION_ID) or clean text (NAME, PRETTY_NAME).
struct OsRelease {
  std::string id;          // "debian"
  std::string version_id;  // "12"
  std::string name;        // "Debian GNU/Linux"
  std::string pretty_name;
  // purl `distro` qualifier: "ID-VERSION_ID" ("debian-12"), ID alone without
  // a VERSION_ID, "" without an ID.
  std::string distro() const;
};
OsRelease parse_os_release(std::string_view text);

// The installed packages of a status file: paragraphs whose Status ends in
// "installed". purl: pkg:deb/NS/NAME@VERSION?arch=ARCH&distro=D&upstream=SRC
// (NS: the os-release ID, default "debian"; D: OsRelease::distro(); SRC: the
// source package, "SRC@SRCVERSION" when its version differs) and
// pkg:opkg/[NS/]NAME@VERSION?arch=ARCH&distro=D. Depends and Pre-Depends
// become Finding::depends (the installed package each relation is satisfied
// by, through Provides too). Licences come from `copyrights` by package name
// (dpkg only: opkg images carry no copyright files). Code::malformed naming
// the image, file and line.
Result<std::vector<Finding>> parse_status_file(const StatusFile& file, const OsRelease& os,
                                               const std::map<std::string, CopyrightLicences>& copyrights);

// ID= of an os-release file, if it is a plain lowercase token; else "".
std::string os_release_id(std::string_view text);

}  // namespace fwseal::sbom

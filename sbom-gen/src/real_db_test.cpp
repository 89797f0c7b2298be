// sbom-gen against real Debian 12 package database files (testdata/debian,
// origin in its README.md): the licence a person reads from each copyright
// file, source packages, Depends, the operating system, and which package
// owns a file whose ELF note names another.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "elf_note.h"
#include "fwseal/sbom/sbom.h"
#include "licence.h"
#include "package_db.h"
#include "test_util.h"

namespace fwseal::sbom {
namespace {

using nlohmann::json;

std::string fixture(const std::string& rel) { return testing::read_text(std::string(FWSEAL_SBOM_TESTDATA) + "/debian/" + rel); }

std::string licence_of(const std::string& package) {
  CopyrightLicences c = parse_copyright(fixture("copyright/" + package));
  return licence_text(combine_licences(c.spdx));
}

// What the copyright files say, read by a person: every Files paragraph's
// licence is in the expression, names with no SPDX id as LicenseRef-.
TEST(RealCopyright, EveryParagraphsLicenceIsKept) {
  // The code is public domain; GPL-2+ covers only debian/*.
  EXPECT_EQ(licence_of("libsqlite3-0"), "GPL-2.0-or-later AND LicenseRef-public-domain");
  // Files: * is Debian's "MIT-1" (no SPDX id), ISC covers trio*, hash.c, list.c.
  EXPECT_EQ(licence_of("libxml2"), "ISC AND LicenseRef-MIT-1");
  // Files: * is the OpenSSH licence (also openssh-server's, whose doc
  // directory is a link to openssh-client's); six more paragraphs.
  EXPECT_EQ(licence_of("openssh-client"),
            "BSD-2-Clause AND BSD-3-Clause AND LicenseRef-Expat-with-advertising-restriction AND "
            "LicenseRef-Mazieres-BSD-style AND LicenseRef-OpenSSH AND LicenseRef-Powell-BSD-style AND "
            "LicenseRef-public-domain");
  // "GPL-2 with Linux-syscall-note exception" is an SPDX WITH expression.
  EXPECT_EQ(licence_of("libsystemd0"),
            "CC0-1.0 AND GPL-2.0-only WITH Linux-syscall-note AND GPL-2.0-or-later AND LGPL-2.1-or-later AND "
            "LicenseRef-public-domain AND MIT");
  // "Artistic or GPL-1+" (Text-Template) is kept whole.
  EXPECT_EQ(licence_of("libssl3"), "Apache-2.0 AND (LicenseRef-Artistic OR GPL-1.0-or-later)");
  // "GPL-3+ and BSD-4-clause-UC", "GPL-3+ and ISC", GFDL-NIV-1.3 (no SPDX
  // id): every factor kept.
  EXPECT_EQ(licence_of("coreutils"), "BSD-4-Clause-UC AND FSFULLR AND GPL-3.0-or-later AND ISC AND LicenseRef-GFDL-NIV-1.3");
}

// mosquitto (Debian 12): Files: * is "EPL-2.0 or EDL-1.0" (EDL-1.0 has no
// SPDX id), deps/uthash.h is BSD-1-clause: both, the choice kept whole.
TEST(RealCopyright, MainParagraphWithoutSpdxIdIsKept) {
  CopyrightLicences c = parse_copyright(fixture("copyright/mosquitto.excerpt"));
  EXPECT_TRUE(c.machine_readable);
  EXPECT_EQ(licence_text(combine_licences(c.spdx)), "BSD-1-Clause AND (EPL-2.0 OR LicenseRef-EDL-1.0)");
  EXPECT_EQ(c.unmapped, std::vector<std::string>{"EDL-1.0"});
}

// busybox (Debian 12): free text, "version 2 dated June, 1991", naming
// /usr/share/common-licenses/GPL-2: GPL-2.0-only. The same reference with
// "or later" wording is -or-later.
TEST(RealCopyright, FreeTextGplVersionFromTheWording) {
  CopyrightLicences busybox = parse_copyright(fixture("copyright/busybox"));
  EXPECT_FALSE(busybox.machine_readable);
  EXPECT_EQ(busybox.spdx, std::vector<std::string>{"GPL-2.0-only"});
  CopyrightLicences later = parse_copyright("Licensed under the GPL-2 or later; see /usr/share/common-licenses/GPL-2.\n");
  EXPECT_EQ(later.spdx, std::vector<std::string>{"GPL-2.0-or-later"});
  CopyrightLicences apache = parse_copyright("See /usr/share/common-licenses/Apache-2.0 for the licence.\n");
  EXPECT_EQ(apache.spdx, std::vector<std::string>{"Apache-2.0"});
}

TEST(RealCopyright, FreeTextNamesCommonLicences) {
  CopyrightLicences c = parse_copyright(fixture("copyright/libc6"));
  EXPECT_FALSE(c.machine_readable);
  EXPECT_EQ(c.common_licences, (std::vector<std::string>{"GPL-2", "LGPL-2.1"}));
  // It grants "any later version".
  EXPECT_EQ(c.spdx, (std::vector<std::string>{"GPL-2.0-or-later", "LGPL-2.1-or-later"}));
  CopyrightLicences only = parse_copyright("Licensed under the GPL version 2, see /usr/share/common-licenses/GPL-2.\n");
  EXPECT_EQ(only.spdx, std::vector<std::string>{"GPL-2.0-only"});
  CopyrightLicences unversioned = parse_copyright("See /usr/share/common-licenses/GPL and /usr/share/common-licenses/BSD\n");
  EXPECT_EQ(unversioned.spdx, (std::vector<std::string>{"LicenseRef-BSD", "LicenseRef-GPL"}));
}

std::vector<Finding> real_status(const OsRelease& os) {
  std::map<std::string, CopyrightLicences> copyrights;
  for (const char* p : {"libsqlite3-0", "libxml2", "openssh-client", "libc6", "libsystemd0", "libssl3", "coreutils"})
    copyrights[p] = parse_copyright(fixture(std::string("copyright/") + p));
  auto r = parse_status_file({Source::dpkg, "rootfs", "/var/lib/dpkg/status", fixture("status")}, os, copyrights);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : std::vector<Finding>{};
}

const Finding* named(const std::vector<Finding>& v, const std::string& name) {
  for (const auto& f : v)
    if (f.name == name) return &f;
  return nullptr;
}

TEST(RealStatus, SourcePackageDistroAndDepends) {
  OsRelease os = parse_os_release(fixture("os-release"));
  EXPECT_EQ(os.id, "debian");
  EXPECT_EQ(os.version_id, "12");
  EXPECT_EQ(os.distro(), "debian-12");
  auto pkgs = real_status(os);
  ASSERT_EQ(pkgs.size(), 16u);
  const Finding* udev = named(pkgs, "libudev1");
  ASSERT_NE(udev, nullptr);
  EXPECT_EQ(udev->purl, "pkg:deb/debian/libudev1@252.38-1~deb12u1?arch=amd64&distro=debian-12&upstream=systemd");
  EXPECT_EQ(udev->properties.at("fwseal:debian-source-package"), "systemd");
  EXPECT_EQ(udev->properties.at("fwseal:debian-source-version"), "252.38-1~deb12u1");
  EXPECT_EQ(udev->depends, std::vector<std::string>{"libc6"});
  const Finding* libc = named(pkgs, "libc6");
  ASSERT_NE(libc, nullptr);
  EXPECT_EQ(libc->purl, "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12&upstream=glibc");
  EXPECT_EQ(libc->depends, std::vector<std::string>{"libgcc-s1"});
  EXPECT_EQ(libc->supplier, "GNU Libc Maintainers");
  EXPECT_EQ(licence_text(libc->licence), "GPL-2.0-or-later AND LGPL-2.1-or-later");
  // Identified by the common-licenses files the free text names, and marked
  // so: prose licences are not read.
  EXPECT_EQ(libc->properties.at("fwseal:licence-source"), "debian-common-licenses-reference");
  EXPECT_EQ(libc->properties.at("fwseal:licence-source-file"), "/usr/share/doc/libc6/copyright");
  EXPECT_EQ(libc->properties.at("fwseal:licence-may-be-incomplete"),
            "free text: only the /usr/share/common-licenses files it names (GPL-2, LGPL-2.1) are read; licences "
            "stated only in prose are not");
  // "Source: gcc-12" without a version: the binary's version is the source's.
  const Finding* gcc = named(pkgs, "libgcc-s1");
  ASSERT_NE(gcc, nullptr);
  EXPECT_TRUE(gcc->purl.ends_with("&upstream=gcc-12")) << gcc->purl;
  EXPECT_EQ(gcc->properties.at("fwseal:debian-source-version"), "12.2.0-14+deb12u1");
  EXPECT_EQ(gcc->depends, std::vector<std::string>{"libc6"});  // gcc-12-base is not in the excerpt
  const Finding* sqlite = named(pkgs, "libsqlite3-0");
  ASSERT_NE(sqlite, nullptr);
  EXPECT_EQ(sqlite->licence.expression, "GPL-2.0-or-later AND LicenseRef-public-domain");
  EXPECT_EQ(sqlite->licence.acknowledgement, "declared");
  EXPECT_EQ(sqlite->properties.at("fwseal:licences-not-mapped-to-spdx"), "public-domain");
}

TEST(RealStatus, DependsThroughAlternativesAndProvides) {
  StatusFile f{Source::dpkg, "rootfs", "/var/lib/dpkg/status",
               "Package: app\nStatus: install ok installed\nVersion: 1\n"
               "Pre-Depends: init-system-helpers (>= 1.54~)\n"
               "Depends: missing | libfoo1 (>= 2), mail-transport-agent, libbar:any, absent\n\n"
               "Package: libfoo1\nStatus: install ok installed\nVersion: 2\n\n"
               "Package: exim4\nStatus: install ok installed\nVersion: 4\nProvides: mail-transport-agent\n\n"
               "Package: libbar\nStatus: install ok installed\nVersion: 3\n\n"
               "Package: init-system-helpers\nStatus: deinstall ok config-files\nVersion: 1.65\n"};
  auto r = parse_status_file(f, {}, {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].depends, (std::vector<std::string>{"exim4", "libbar", "libfoo1"}));
  // opkg's status file has the same fields, and its packages the same edges.
  f.kind = Source::opkg;
  f.path = "/usr/lib/opkg/status";
  auto o = parse_status_file(f, {}, {});
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ((*o)[0].depends, (std::vector<std::string>{"exim4", "libbar", "libfoo1"}));
}

json generate_real(const std::string& root, std::vector<std::string>* warnings) {
  std::string bom = testing::generate_rootfs_bom(root, warnings);
  return bom.empty() ? json::object() : json::parse(bom);
}

std::vector<const json*> all_named(const json& bom, const std::string& name) {
  std::vector<const json*> out;
  for (const auto& c : bom["components"])
    if (c["name"] == name) out.push_back(&c);
  return out;
}

// libudev.so.1's ELF note names the source package (systemd); the file list
// names libudev1. The file is libudev1's evidence: not libsystemd0's, and no
// third component "systemd".
TEST(RealRootfs, FileListOwnerTakesTheElfNote) {
  testing::TempDir dir;
  std::string root = dir.mkdir("rootfs");
  dir.write("rootfs/var/lib/dpkg/status", fixture("status"));
  dir.write("rootfs/etc/os-release", fixture("os-release"));
  for (const char* p : {"libudev1:amd64", "libsystemd0:amd64"})
    dir.write(std::string("rootfs/var/lib/dpkg/info/") + p + ".list", fixture(std::string("info/") + p + ".list"));
  dir.write("rootfs/usr/share/doc/libsystemd0/copyright", fixture("copyright/libsystemd0"));
  dir.symlink("rootfs/usr/share/doc/libudev1", "libsystemd0");
  // The note as the real libudev.so.1.7.5 and libsystemd.so.0.35.0 of
  // Debian 12 carry it (readelf -n).
  const std::string note =
      R"({"type":"deb","os":"Debian","name":"systemd","version":"252.38-1~deb12u1","architecture":"amd64","debugInfoUrl":"https://debuginfod.debian.net"})";
  std::string elf = testing::make_elf(true, false, {{"FDO", elf::kPackageNoteType, note}});
  dir.write("rootfs/usr/lib/x86_64-linux-gnu/libudev.so.1.7.5", elf);
  dir.write("rootfs/usr/lib/x86_64-linux-gnu/libsystemd.so.0.35.0", elf);
  std::vector<std::string> warnings;
  json bom = generate_real(root, &warnings);
  EXPECT_TRUE(all_named(bom, "systemd").empty());
  auto udev = all_named(bom, "libudev1");
  ASSERT_EQ(udev.size(), 1u);
  ASSERT_EQ((*udev[0])["evidence"]["occurrences"].size(), 1u);
  EXPECT_EQ((*udev[0])["evidence"]["occurrences"][0]["location"], "/usr/lib/x86_64-linux-gnu/libudev.so.1.7.5");
  auto sd = all_named(bom, "libsystemd0");
  ASSERT_EQ(sd.size(), 1u);
  ASSERT_EQ((*sd[0])["evidence"]["occurrences"].size(), 1u);
  EXPECT_EQ((*sd[0])["evidence"]["occurrences"][0]["location"], "/usr/lib/x86_64-linux-gnu/libsystemd.so.0.35.0");
  // The symlinked doc directory shares libsystemd0's copyright file.
  EXPECT_EQ((*udev[0])["licenses"][0]["acknowledgement"], "declared");
  EXPECT_EQ((*udev[0])["supplier"]["name"], "Debian systemd Maintainers");

  // One operating-system component; the packages carry its distro.
  auto os = all_named(bom, "debian");
  ASSERT_EQ(os.size(), 1u);
  EXPECT_EQ((*os[0])["type"], "operating-system");
  EXPECT_EQ((*os[0])["version"], "12");
  EXPECT_EQ((*os[0])["description"], "Debian GNU/Linux 12 (bookworm)");
  EXPECT_NE((*udev[0])["purl"].get<std::string>().find("&distro=debian-12"), std::string::npos);

  // libudev1 depends on libc6, installed.
  std::string udev_ref = (*udev[0])["bom-ref"];
  std::set<std::string> on;
  for (const auto& d : bom["dependencies"])
    if (d["ref"] == udev_ref && d.contains("dependsOn"))
      for (const auto& x : d["dependsOn"]) on.insert(x.get<std::string>());
  ASSERT_EQ(on.size(), 1u);
  EXPECT_TRUE(on.begin()->starts_with("pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?")) << *on.begin();
}

// The same note in a file libudev1 owns, but of another systemd version: two
// real versions stay two, and the BOM says so.
TEST(RealRootfs, OwnedFileOfAnotherVersionIsReported) {
  testing::TempDir dir;
  std::string root = dir.mkdir("rootfs");
  dir.write("rootfs/var/lib/dpkg/status", fixture("status"));
  dir.write("rootfs/var/lib/dpkg/info/libudev1:amd64.list", fixture("info/libudev1:amd64.list"));
  dir.write("rootfs/usr/lib/x86_64-linux-gnu/libudev.so.1.7.5",
            testing::make_elf(true, false,
                              {{"FDO", elf::kPackageNoteType,
                                R"({"type":"deb","os":"debian","name":"systemd","version":"254.5-1","architecture":"amd64"})"}}));
  std::vector<std::string> warnings;
  json bom = generate_real(root, &warnings);
  EXPECT_EQ(all_named(bom, "systemd").size(), 1u);
  EXPECT_TRUE(std::any_of(warnings.begin(), warnings.end(), [](const std::string& w) {
    return w.find("systemd 254.5-1 found in a file of package libudev1 252.38-1~deb12u1") != std::string::npos;
  }));
}

}  // namespace
}  // namespace fwseal::sbom

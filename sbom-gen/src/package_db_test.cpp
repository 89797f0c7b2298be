#include "package_db.h"

#include <gtest/gtest.h>

#include "deb822.h"
#include "package_version.h"

namespace fwseal::sbom {
namespace {

constexpr const char* kStatus =
    "Package: busybox-static\n"
    "Status: install ok installed\n"
    "Source: busybox (1:1.35.0-4+deb12u1)\n"
    "Version: 1:1.35.0-4+deb12u1+b1\n"
    "Architecture: amd64\n"
    "Maintainer: Debian Install System Team <debian-boot@lists.debian.org>\n"
    "Description: Standalone rescue shell\n"
    " BusyBox combines tiny versions\n"
    " .\n"
    " of many utilities.\n"
    "\n"
    "Package: old-thing\n"
    "Status: deinstall ok config-files\n"
    "Version: 1.0\n"
    "\n"
    "Package: zlib1g\n"
    "Status: install ok installed\n"
    "Version: 1:1.2.13.dfsg-1\n"
    "Architecture: amd64\n";

TEST(Deb822, ParsesParagraphsAndContinuations) {
  auto r = parse_deb822(kStatus, "status", 10);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(*(*r)[0].find("description"), "Standalone rescue shell\nBusyBox combines tiny versions\n\nof many utilities.");
  EXPECT_EQ((*r)[2].line, 16u);
}

TEST(Deb822, ErrorsNameTheLine) {
  EXPECT_EQ(parse_deb822("Package: a\nnot a field\n", "s", 10).error().message,
            "s:2: expected \"Field: value\", got \"not a field\"");
  EXPECT_EQ(parse_deb822(" leading\n", "s", 10).error().message, "s:1: continuation line outside a field");
  EXPECT_EQ(parse_deb822("A: 1\n\nB: 2\n\nC: 3\n", "s", 2).error().message, "s:5: more than 2 paragraphs");
}

TEST(PackageVersion, ReducesToUpstream) {
  EXPECT_EQ(upstream_of_package_version("1:9.2p1-2+deb12u10"), "9.2p1");
  EXPECT_EQ(upstream_of_package_version("1:1.2.13.dfsg-1"), "1.2.13");
  EXPECT_EQ(upstream_of_package_version("2023.01+dfsg-2+deb12u3"), "2023.01");
  EXPECT_EQ(upstream_of_package_version("3.0.22-1~deb12u2"), "3.0.22");
  EXPECT_EQ(upstream_of_package_version("1.36.1-r0"), "1.36.1");
  EXPECT_EQ(upstream_of_package_version("2.40"), "2.40");
  EXPECT_EQ(upstream_of_package_version("1.2~ds1-3"), "1.2");
}

TEST(StatusFile, InstalledPackagesOnly) {
  std::map<std::string, CopyrightLicences> copyrights;
  copyrights["zlib1g"] = CopyrightLicences{true, 1, {"Zlib"}, {}, {}};
  auto r = parse_status_file({Source::dpkg, "rootfs", "/var/lib/dpkg/status", kStatus}, {}, copyrights);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  const Finding& bb = (*r)[0];
  EXPECT_EQ(bb.name, "busybox-static");
  EXPECT_EQ(bb.version, "1:1.35.0-4+deb12u1+b1");
  EXPECT_EQ(bb.upstream_version, "1.35.0");
  // The source version differs from the binary's (a binNMU): upstream=SRC@SRCVERSION.
  EXPECT_EQ(bb.purl, "pkg:deb/debian/busybox-static@1:1.35.0-4%2Bdeb12u1%2Bb1?arch=amd64&upstream=busybox%401:1.35.0-4%2Bdeb12u1");
  EXPECT_EQ(bb.properties.at("fwseal:debian-source-version"), "1:1.35.0-4+deb12u1");
  EXPECT_EQ(bb.supplier, "Debian Install System Team");
  EXPECT_EQ(bb.aliases, std::vector<std::string>{"busybox"});
  EXPECT_EQ(bb.description, "Standalone rescue shell");
  EXPECT_EQ(bb.method.value, "dpkg status rootfs:/var/lib/dpkg/status line 1");
  EXPECT_TRUE(bb.licence.empty());
  EXPECT_EQ((*r)[1].licence.ids, std::vector<std::string>{"Zlib"});
}

TEST(StatusFile, OpkgPurlUsesDistroWhenKnown) {
  auto r = parse_status_file({Source::opkg, "rootfs", "/usr/lib/opkg/status",
                              "Package: busybox\nVersion: 1.36.1-r0\nStatus: install user installed\n"
                              "Architecture: cortexa7t2hf-neon\nLicense: GPL-2.0-only & bzip2-1.0.6\n"},
                             OsRelease{"poky", "", "", ""}, {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].purl, "pkg:opkg/poky/busybox@1.36.1-r0?arch=cortexa7t2hf-neon&distro=poky");
  EXPECT_EQ((*r)[0].licence.expression, "GPL-2.0-only AND bzip2-1.0.6");
  EXPECT_EQ((*r)[0].source, Source::opkg);
}

TEST(StatusFile, MalformedEntriesAreErrors) {
  StatusFile f{Source::dpkg, "rootfs", "/var/lib/dpkg/status", "Package: a\nStatus: install ok installed\n"};
  EXPECT_EQ(parse_status_file(f, {}, {}).error().message, "rootfs:/var/lib/dpkg/status:1: package a has no Version");
  f.text = "Status: install ok installed\nVersion: 1\n";
  EXPECT_EQ(parse_status_file(f, {}, {}).error().message, "rootfs:/var/lib/dpkg/status:1: paragraph without Package");
  f.text = "Package: a b\nStatus: install ok installed\nVersion: 1\n";
  EXPECT_EQ(parse_status_file(f, {}, {}).error().message, "rootfs:/var/lib/dpkg/status:1: invalid Package \"a b\"");
  f.text = "Package: a\nVersion: 1\n";
  EXPECT_EQ(parse_status_file(f, {}, {}).error().message, "rootfs:/var/lib/dpkg/status:1: package a has no Status");
}

TEST(Copyright, Dep5LicencesMappedOrRecorded) {
  auto c = parse_copyright(
      "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
      "Upstream-Name: demo\n\n"
      "Files: *\nCopyright: 2020 Someone\nLicense: GPL-2+\n\n"
      "Files: lib/*\nCopyright: 2020 Else\nLicense: Expat\n\n"
      "Files: doc/*\nCopyright: none\nLicense: public-domain\n\n"
      "License: GPL-2+\n This program is free software...\n");
  EXPECT_TRUE(c.machine_readable);
  // public-domain has no SPDX id: named, never dropped.
  EXPECT_EQ(c.spdx, (std::vector<std::string>{"GPL-2.0-or-later", "LicenseRef-public-domain", "MIT"}));
  EXPECT_EQ(c.unmapped, std::vector<std::string>{"public-domain"});
  EXPECT_EQ(c.paragraphs, 3u);
  EXPECT_FALSE(parse_copyright("This package was debianized by someone.\n").machine_readable);
}

TEST(OsRelease, ReadsId) {
  EXPECT_EQ(os_release_id("NAME=\"Debian\"\nID=debian\n"), "debian");
  EXPECT_EQ(os_release_id("ID=\"poky\"\n"), "poky");
  EXPECT_EQ(os_release_id("ID=\"Bad Value\"\n"), "");
}

}  // namespace
}  // namespace fwseal::sbom

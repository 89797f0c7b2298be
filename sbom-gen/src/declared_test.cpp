#include "declared.h"
#include "fingerprint.h"
#include "licence.h"
#include "test_util.h"

#include <gtest/gtest.h>

namespace fwseal::sbom {
namespace {

const std::set<std::string> kImages = {"rootfs", "kernel"};

Error json_error(const std::string& text) {
  auto r = parse_components_json(text, "c.json", kImages);
  EXPECT_FALSE(r.ok());
  return r.ok() ? Error{} : r.error();
}

TEST(ComponentsJson, ReadsEveryField) {
  auto r = parse_components_json(R"({
    // comments are allowed: the file is written by hand
    "components": [{
      "name": "libfoo", "version": "2.1.0", "type": "library", "supplier": "Foo Ltd",
      "license": "Apache-2.0 OR MIT", "purl": "pkg:github/foo/libfoo@2.1.0",
      "cpe": "cpe:2.3:a:foo:libfoo:2.1.0:*:*:*:*:*:*:*",
      "hashes": {"SHA-256": "AB00000000000000000000000000000000000000000000000000000000000000"},
      "source_url": "https://example.com/libfoo-2.1.0.tar.gz", "image": "rootfs",
      "paths": ["/usr/lib/libfoo.so.2"], "description": "Foo"
    }, {"name": "blob", "version": "7"}]})",
                                 "c.json", kImages);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->findings.size(), 2u);
  const Finding& f = r->findings[0];
  EXPECT_EQ(f.source, Source::components_file);
  EXPECT_EQ(f.name, "libfoo");
  EXPECT_EQ(f.licence.expression, "Apache-2.0 OR MIT");
  EXPECT_EQ(f.purl, "pkg:github/foo/libfoo@2.1.0");
  EXPECT_EQ(f.hashes[0].second, std::string("ab") + std::string(62, '0'));
  ASSERT_EQ(f.occurrences.size(), 1u);
  EXPECT_EQ(f.occurrences[0].path, "/usr/lib/libfoo.so.2");
  EXPECT_EQ(f.image, "rootfs");
  EXPECT_EQ(f.method.technique, "other");
  EXPECT_EQ(r->findings[1].purl, "");  // filled in (pkg:generic) only if no other source gives one
}

TEST(ComponentsJson, ErrorsNameTheField) {
  EXPECT_EQ(json_error(R"({"components":[{"name":"a","version":"1","licence":"MIT"}]})").message,
            "c.json.components[0].licence: unknown member");
  EXPECT_EQ(json_error(R"({"components":[{"name":"a"}]})").message, "c.json.components[0].version: missing");
  EXPECT_EQ(json_error(R"({"components":[{"name":"a","version":1}]})").message,
            "c.json.components[0].version: expected a string");
  EXPECT_EQ(json_error(R"({"components":[{"name":"a","version":"1","image":"boot"}]})").message,
            "c.json.components[0].image: no image named \"boot\" is being described");
  EXPECT_EQ(json_error(R"({"components":[{"name":"a","version":"1","hashes":{"SHA-256":"00"}}]})").message,
            "c.json.components[0].hashes.SHA-256: expected 64 hex digits");
  EXPECT_EQ(json_error(R"({"components":[{"name":"a","version":"1","hashes":{"sha256":"00"}}]})").message.substr(0, 64),
            "c.json.components[0].hashes.sha256: unknown hash algorithm (use ");
  EXPECT_EQ(json_error(R"({"components":[{"name":"a","version":"1","paths":["/x"]}]})").message,
            "c.json.components[0].paths: paths need \"image\" to say which image they are in");
  EXPECT_EQ(json_error(R"({"components":[{"name":"a","version":"1","image":"rootfs","paths":["x"]}]})").message,
            "c.json.components[0].paths[0]: must be absolute (start with '/')");
  EXPECT_EQ(json_error(R"({"components":[{"name":"a","version":"1","type":"lib"}]})").message,
            "c.json.components[0].type: \"lib\" is not a CycloneDX component type");
  EXPECT_EQ(json_error(R"({"components":[{"name":"a","version":"1","cpe":"foo"}]})").message,
            "c.json.components[0].cpe: \"foo\" is not a CPE 2.3 string or CPE 2.2 URI");
  EXPECT_EQ(json_error(R"({"components":[{"name":"a","version":"1","source_url":"not a url"}]})").message,
            "c.json.components[0].source_url: \"not a url\" is not an absolute URL");
  EXPECT_EQ(json_error(R"({"components":[{"name":"a\u0001","version":"1"}]})").message,
            "c.json.components[0].name: invalid UTF-8 or control characters in \"a\\x01\"");
  EXPECT_EQ(json_error(R"({"components":{}})").message, "c.json.components: expected an array");
  EXPECT_EQ(json_error(R"({"extra":1,"components":[]})").message, "c.json.extra: unknown member");
  EXPECT_EQ(json_error(R"({"components":[{"name":"a","version":"1","license":"MIT OR"}]})").message,
            "c.json.components[0].license: invalid SPDX licence expression: ends where a licence was expected");
  EXPECT_NE(json_error(R"({"components":[{"name":"a","name":"b","version":"1"}]})").message.find("duplicate member"),
            std::string::npos);
  EXPECT_NE(json_error("{\"components\": [").message.find("invalid JSON"), std::string::npos);
}

TEST(DeclaredComponents, TellsFormatsApart) {
  EXPECT_EQ(parse_declared_components("\xef\xbb\xbf{\"components\":[]}", "a", kImages)->findings.size(), 0u);
  EXPECT_EQ(parse_declared_components("\"PACKAGE\",\"VERSION\"\n\"zlib\",\"1.3\"\n", "b", kImages)->findings.size(), 1u);
  EXPECT_EQ(parse_declared_components("PACKAGE NAME: zlib\nPACKAGE VERSION: 1.3\n", "c", kImages)->findings.size(), 1u);
  auto other = parse_declared_components("hello", "d.txt", kImages);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().message.substr(0, 28), "d.txt: not a components file");
}

TEST(Buildroot, ReadsManifestCsv) {
  std::string csv =
      "\"PACKAGE\",\"VERSION\",\"LICENSE\",\"LICENSE FILES\",\"SOURCE ARCHIVE\",\"SOURCE SITE\",\"DEPENDENCIES WITH LICENSES\"\r\n"
      "\"busybox\",\"1.36.1\",\"GPL-2.0, bzip2-1.0.6\",\"LICENSE archival/libarchive/bz/LICENSE\",\"busybox-1.36.1.tar.bz2\",\"https://www.busybox.net/downloads\",\"\"\r\n"
      "\"quoted\",\"1.0\",\"Proprietary \"\"X\"\"\",\"\",\"\",\"\",\"\"\r\n";
  auto r = parse_buildroot_manifest(csv, "manifest.csv");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->findings.size(), 2u);
  EXPECT_EQ(r->findings[0].name, "busybox");
  EXPECT_EQ(r->findings[0].version, "1.36.1");
  EXPECT_EQ(r->findings[0].licence.expression, "GPL-2.0-only AND bzip2-1.0.6");
  EXPECT_EQ(r->findings[0].source_url, "https://www.busybox.net/downloads/busybox-1.36.1.tar.bz2");
  EXPECT_EQ(r->findings[0].method.technique, "manifest-analysis");
  EXPECT_EQ(r->findings[1].licence.name, "Proprietary \"X\"");  // declared text kept as a named licence
}

TEST(Buildroot, RefusesUnknownColumnsAndRaggedRows) {
  EXPECT_EQ(parse_buildroot_manifest("PACKAGE,VERSION,COLOUR\n", "m.csv").error().message,
            "m.csv: header: unknown column \"COLOUR\" (accepted: PACKAGE, VERSION, LICENSE, LICENSE FILES, SOURCE "
            "ARCHIVE, SOURCE SITE, DEPENDENCIES WITH LICENSES)");
  EXPECT_EQ(parse_buildroot_manifest("PACKAGE,LICENSE\n", "m.csv").error().message,
            "m.csv: header: needs the PACKAGE and VERSION columns");
  EXPECT_EQ(parse_buildroot_manifest("PACKAGE,VERSION\nzlib\n", "m.csv").error().message,
            "m.csv: row 2: 1 fields, the header has 2");
  EXPECT_EQ(parse_buildroot_manifest("PACKAGE,VERSION\n\"zlib,1\n", "m.csv").error().message,
            "m.csv: unterminated quoted field");
  EXPECT_EQ(parse_buildroot_manifest("PACKAGE,VERSION\n\"zlib\"x,1\n", "m.csv").error().message,
            "m.csv:2: text after a closing '\"'");
}

TEST(Yocto, ReadsLicenseManifest) {
  auto r = parse_yocto_manifest(
      "PACKAGE NAME: busybox\nPACKAGE VERSION: 1.36.1\nRECIPE NAME: busybox\nLICENSE: GPL-2.0-only & bzip2-1.0.6\n\n"
      "PACKAGE NAME: libssl3\nPACKAGE VERSION: 3.1.4\nRECIPE NAME: openssl\nLICENSE: Apache-2.0\n\n"
      "PACKAGE NAME: blob\nPACKAGE VERSION: 1\nRECIPE NAME: blob\nLICENSE: CLOSED\n",
      "license.manifest");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->findings.size(), 3u);
  EXPECT_EQ(r->findings[0].licence.expression, "GPL-2.0-only AND bzip2-1.0.6");
  EXPECT_TRUE(r->findings[0].aliases.empty());
  EXPECT_EQ(r->findings[1].aliases, std::vector<std::string>{"openssl"});
  EXPECT_EQ(r->findings[1].licence.ids, std::vector<std::string>{"Apache-2.0"});
  EXPECT_TRUE(r->findings[2].licence.empty());
}

// linux-firmware's LICENSE line in a real license.manifest is 1,397 bytes:
// an ordinary entry. A field over 16 KiB costs its entry alone (a LICENSE:
// the entry's licence), with a warning naming the file, line and field.
TEST(Yocto, LongFieldsAreReadOrCostTheirEntryAlone) {
  std::string firmware = "GPL-2.0-only";
  for (int i = 0; firmware.size() < 1370; ++i) firmware += " & Firmware-vendor" + std::to_string(i);
  firmware += " & Firmware-" + std::string(1397 - firmware.size() - 12, 'x');  // 1,397 bytes in all
  ASSERT_EQ(firmware.size(), 1397u);
  std::string huge = "MIT";
  while (huge.size() <= (16u << 10)) huge += " & MIT";
  std::string long_version(16385, '1');
  auto r = parse_yocto_manifest("PACKAGE NAME: linux-firmware\nPACKAGE VERSION: 20240312\nRECIPE NAME: linux-firmware\n"
                                "LICENSE: " + firmware + "\n\n"
                                "PACKAGE NAME: huge\nPACKAGE VERSION: 1\nLICENSE: " + huge + "\n\n"
                                "PACKAGE NAME: odd\nPACKAGE VERSION: " + long_version + "\nLICENSE: MIT\n\n"
                                "PACKAGE NAME: nss\nPACKAGE VERSION: 3.98\nLICENSE: MPL-2.0 | (MPL-2.0 & GPL-2.0-or-later)\n",
                                "license.manifest");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->findings.size(), 3u);
  EXPECT_EQ(r->findings[0].name, "linux-firmware");
  EXPECT_EQ(r->findings[0].licence.name, firmware);  // Firmware-* names have no SPDX id: kept as declared
  EXPECT_EQ(r->findings[1].name, "huge");
  EXPECT_TRUE(r->findings[1].licence.empty());
  EXPECT_EQ(r->findings[1].properties.at("fwseal:licence-not-read"), "LICENSE over the limit of 16384 bytes");
  EXPECT_EQ(r->findings[2].name, "nss");  // "odd" is skipped
  EXPECT_EQ(r->findings[2].licence.expression, "MPL-2.0 OR (MPL-2.0 AND GPL-2.0-or-later)");
  EXPECT_EQ(r->warnings, (std::vector<std::string>{
                             "license.manifest:8: LICENSE: " + std::to_string(huge.size() + 0) +
                                 " bytes, over the limit of 16384 bytes per field; package \"huge\" is kept without a licence",
                             "license.manifest:11: PACKAGE VERSION: 16385 bytes, over the limit of 16384 bytes per "
                             "field; the block of line 10 is skipped"}));
}

TEST(Buildroot, LongFieldsCostTheirRowAlone) {
  std::string csv = "PACKAGE,VERSION,LICENSE\n"
                    "a,1,\"" + std::string(16385, 'x') + "\"\n"
                    "\"b\nb\",2,MIT\n"
                    "c,\"" + std::string(20000, '3') + "\",MIT\n"
                    "d,4,BSD-3-Clause\n";
  auto r = parse_buildroot_manifest(csv, "manifest.csv");
  ASSERT_FALSE(r.ok());  // "b\nb": a control character in PACKAGE
  EXPECT_EQ(r.error().message, "manifest.csv:3 (row 3) PACKAGE: invalid UTF-8 or control characters in \"b\\x0ab\"");
  csv.replace(csv.find("\"b\nb\""), 5, "b");
  r = parse_buildroot_manifest(csv, "manifest.csv");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->findings.size(), 3u);
  EXPECT_EQ(r->findings[0].name, "a");
  EXPECT_TRUE(r->findings[0].licence.empty());
  EXPECT_EQ(r->findings[1].name, "b");
  EXPECT_EQ(r->findings[2].name, "d");
  EXPECT_EQ(r->warnings, (std::vector<std::string>{
                             "manifest.csv:2 (row 2): LICENSE: 16385 bytes, over the limit of 16384 bytes per field; "
                             "package \"a\" is kept without a licence",
                             "manifest.csv:4 (row 4): VERSION: 20000 bytes, over the limit of 16384 bytes per field; "
                             "the row is skipped"}));
}

TEST(ComponentsJson, LongMembersCostTheirEntryAlone) {
  std::string text = R"({"components":[{"name":"a","version":"1","description":")" + std::string(16385, 'd') +
                     R"("},{"name":"b","version":"2","license":")" + std::string(16385, 'L') +
                     R"("},{"name":"c","version":"3","license":"MIT"}]})";
  auto r = parse_components_json(text, "c.json", kImages);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->findings.size(), 2u);
  EXPECT_EQ(r->findings[0].name, "b");
  EXPECT_TRUE(r->findings[0].licence.empty());
  EXPECT_EQ(r->findings[1].licence.ids, std::vector<std::string>{"MIT"});
  EXPECT_EQ(r->warnings, (std::vector<std::string>{
                             "c.json.components[0].description: 16385 bytes, over the limit of 16384 bytes per "
                             "field; the entry is skipped",
                             "c.json.components[1].license: 16385 bytes, over the limit of 16384 bytes per field; "
                             "component \"b\" is kept without a licence"}));
}

TEST(Buildroot, OrAndAreSpdxOperators) {
  auto r = parse_buildroot_manifest("PACKAGE,VERSION,LICENSE\nlibfoo,1.0,GPL-2.0 or BSD-3-Clause\n", "m.csv");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->findings[0].licence.expression, "GPL-2.0-only OR BSD-3-Clause");
}

TEST(Yocto, ErrorsNameTheLine) {
  EXPECT_EQ(parse_yocto_manifest("PACKAGE NAME: a\nPACKAGE ARCH: x\n", "l.m").error().message,
            "l.m:2: unknown key \"PACKAGE ARCH\" (accepted: PACKAGE NAME, PACKAGE VERSION, RECIPE NAME, LICENSE)");
  EXPECT_EQ(parse_yocto_manifest("PACKAGE NAME: a\n\nPACKAGE NAME: b\nPACKAGE VERSION: 1\n", "l.m").error().message,
            "l.m:1: block without PACKAGE VERSION");
  EXPECT_EQ(parse_yocto_manifest("PACKAGE NAME: a\nPACKAGE NAME: b\n", "l.m").error().message,
            "l.m:2: PACKAGE NAME twice in one block");
  EXPECT_EQ(parse_yocto_manifest("PACKAGE NAME: a\nno colon\n", "l.m").error().message,
            "l.m:2: expected \"KEY: value\", got \"no colon\"");
}

}  // namespace
}  // namespace fwseal::sbom

namespace fwseal::sbom {
namespace {

// Declared components the curated table knows get the CPE their
// fingerprint would give; a CPE written by the build stays; others get none.
TEST(DeclaredComponents, CuratedCpes) {
  auto r = parse_declared_components(R"({"components": [
    {"name": "BusyBox", "version": "1.36.1"}, {"name": "linux", "version": "6.6.21"},
    {"name": "zlib", "version": "1.3.1", "cpe": "cpe:2.3:a:gnu:zlib:1.3.1:*:*:*:*:*:*:*"},
    {"name": "acme-camd", "version": "1.4.2"}]})",
                                     "c.json", kImages);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->findings.size(), 4u);
  EXPECT_EQ(r->findings[0].cpe, "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*");
  EXPECT_EQ(r->findings[1].cpe, "cpe:2.3:o:linux:linux_kernel:6.6.21:*:*:*:*:*:*:*");
  EXPECT_EQ(r->findings[2].cpe, "cpe:2.3:a:gnu:zlib:1.3.1:*:*:*:*:*:*:*");
  EXPECT_EQ(r->findings[3].cpe, "");
  EXPECT_EQ(curated_cpe("openssl", ""), "");  // no version: no CPE
  EXPECT_EQ(curated_cpe("OpenSSL", "3.0.13"), "cpe:2.3:a:openssl:openssl:3.0.13:*:*:*:*:*:*:*");
  auto manifest = parse_declared_components("PACKAGE,VERSION,LICENSE,LICENSE FILES,SOURCE ARCHIVE,SOURCE SITE,DEPENDENCIES WITH LICENSES\n"
                                            "busybox,1.36.1,GPL-2.0,LICENSE,busybox-1.36.1.tar.bz2,http://www.busybox.net/downloads,\n",
                                            "manifest.csv", kImages);
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  ASSERT_EQ(manifest->findings.size(), 1u);
  EXPECT_EQ(manifest->findings[0].cpe, "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*");
}

// Real manifests (testdata/buildroot and testdata/yocto, origin in their
// README.md): every entry read, and entries checked against the file's text
// as a person reads it.
namespace real {

std::string testdata(const std::string& rel) {
  return testing::read_text(std::string(FWSEAL_SBOM_TESTDATA) + "/" + rel);
}

const Finding* entry(const Declared& d, const std::string& name) {
  for (const auto& f : d.findings)
    if (f.name == name) return &f;
  return nullptr;
}

// Entries whose licence has an SPDX expression: name, version, expression.
struct Expect {
  const char *name, *version, *licence;
};

void expect_entries(const Declared& d, std::initializer_list<Expect> expected) {
  for (const Expect& e : expected) {
    SCOPED_TRACE(e.name);
    const Finding* f = entry(d, e.name);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->version, e.version);
    EXPECT_EQ(licence_text(f->licence), e.licence);
    EXPECT_TRUE(f->licence.name.empty());
  }
}

TEST(RealManifests, BuildrootManifestCsvIsReadFaithfully) {
  auto r = parse_declared_components(testdata("buildroot/manifest.csv"), "manifest.csv", kImages);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->findings.size(), 116u);  // 117 lines: the header and one row per package
  EXPECT_TRUE(r->warnings.empty());
  // "GPL-2.0 or BSD-3-Clause": one choice; deprecated ids in their exact
  // modern spelling; comma lists ANDed, notes in parentheses dropped.
  expect_entries(*r, {
           Expect{"libcap", "2.69", "GPL-2.0-only OR BSD-3-Clause"},
           Expect{"freetype", "2.13.2", "FTL OR GPL-2.0-or-later"},
           Expect{"glibc", "2.39-5-ge0910f1d3278f05439fb434ee528fc9be1b6bd5e",
                  "BSD-3-Clause AND GPL-2.0-or-later AND LGPL-2.1-or-later AND MIT"},
           // "AFL-2.1 or GPL-2.0+ (library, tools), GPL-2.0+ (tools)": the comma
           // inside the note does not split the item.
           Expect{"dbus", "1.14.10", "(AFL-2.1 OR GPL-2.0-or-later) AND GPL-2.0-or-later"},
           Expect{"libzlib", "1.3.1", "Zlib"},
           Expect{"sqlite", "3.45.1", "blessing"},
           Expect{"iproute2", "6.8.0", "GPL-2.0-or-later"},
           Expect{"rpi-firmware", "83dafbc92c0e63f76ca2ecdd42462d56489d1c77", "BSD-3-Clause"},
       });
  EXPECT_EQ(entry(*r, "libcap")->source_url,
            "https://www.kernel.org/pub/linux/libs/security/linux-privs/libcap2/libcap-2.69.tar.xz");
  // Names with no SPDX id (bzip2-1.0.4 is not on the list, "GPL" has no
  // version, "MIT with advertising clause") keep the whole text as a name.
  EXPECT_EQ(entry(*r, "busybox")->licence.name, "GPL-2.0, bzip2-1.0.4");
  EXPECT_EQ(entry(*r, "libsha1")->licence.name, "BSD-3-Clause or GPL");
  EXPECT_EQ(entry(*r, "ncurses")->licence.name, "MIT with advertising clause");
  // The longest licence line (systemd's, 392 bytes with its notes) is kept whole.
  const Finding* systemd = entry(*r, "systemd");
  ASSERT_NE(systemd, nullptr);
  EXPECT_EQ(systemd->version, "254.9");
  EXPECT_TRUE(systemd->licence.name.starts_with("LGPL-2.1+, GPL-2.0+ (udev), Public Domain (few source files"));
  EXPECT_EQ(systemd->licence.name.size(), 392u);
}

TEST(RealManifests, YoctoLicenseManifestIsReadFaithfully) {
  auto r = parse_declared_components(testdata("yocto/license.manifest"), "license.manifest", kImages);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->findings.size(), 487u);  // 487 "PACKAGE NAME:" blocks
  EXPECT_TRUE(r->warnings.empty());
  expect_entries(*r, {
           Expect{"acl-locale-de", "2.2.52", "GPL-2.0-or-later AND LGPL-2.1-or-later"},  // LGPLv2.1+ & GPLv2+
           Expect{"dbus", "1.10.6", "AFL-2.0 OR GPL-2.0-or-later"},                     // AFL-2 | GPLv2+
           Expect{"dbus-lib", "1.10.6", "AFL-2.0 OR GPL-2.0-or-later"},
           Expect{"alsa-conf", "1.1.0", "GPL-2.0-or-later AND LGPL-2.1-only"},  // GPLv2+ & LGPLv2.1
           Expect{"glibc", "2.23", "GPL-2.0-only AND LGPL-2.1-only"},
           Expect{"gnutls", "3.4.9", "LGPL-2.1-or-later"},  // LGPLv2.1+
       });
  // The recipe is kept for matching (acl-locale-de is built by acl).
  EXPECT_EQ(entry(*r, "acl-locale-de")->aliases, std::vector<std::string>{"acl"});
  // Names Yocto's map has no SPDX id for (BSD, bzip2, Elfutils-Exception, the
  // firmware licences) keep the line whole as a name.
  EXPECT_EQ(entry(*r, "libcap")->licence.name, "BSD | GPLv2");
  EXPECT_EQ(entry(*r, "busybox")->licence.name, "GPLv2 & bzip2");
  EXPECT_EQ(entry(*r, "elfutils")->licence.name, "(GPLv3 & Elfutils-Exception)");
  // linux-firmware's licence line: 1,397 bytes after "LICENSE: ", read whole.
  const Finding* firmware = entry(*r, "linux-firmware-ti-connectivity-license");
  ASSERT_NE(firmware, nullptr);
  EXPECT_EQ(firmware->version, "0.0+gitAUTOINC+5f8ca0c1db");
  EXPECT_TRUE(firmware->licence.name.starts_with("Firmware-Abilis     & Firmware-adsp_sst     & "));
  EXPECT_EQ(firmware->licence.name.size(), 1397u);
}

}  // namespace real
}  // namespace
}  // namespace fwseal::sbom

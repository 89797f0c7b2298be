#include "fingerprint.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "file_scanner.h"
#include "test_util.h"

namespace fwseal::sbom {
namespace {

FileScanResult scan(const std::string& path, const std::string& bytes, const std::string& raw_type = "",
                    std::size_t chunk = 3) {
  ScanOptions options;
  options.raw_image_type = raw_type;
  FileScanner s(Occurrence{"rootfs", path}, bytes.size(), options);
  for (std::size_t i = 0; i < bytes.size(); i += chunk) s.feed(std::string_view(bytes).substr(i, chunk));
  return s.finish();
}

std::string elf_with(const std::string& text) { return testing::make_elf(true, false, {}) + text; }

TEST(FingerprintTable, EveryRuleIsWellFormed) {
  std::set<std::string_view> components;
  for (const auto& rule : fingerprint_rules()) {
    SCOPED_TRACE(std::string(rule.component));
    components.insert(rule.component);
    EXPECT_TRUE(rule_names_package(rule, rule.component)) << "a rule's packages must name its own component";
    EXPECT_FALSE(rule.files.empty());
    EXPECT_EQ(rule.from == VersionFrom::none, rule.needle.empty());
    if (!rule.regex.empty()) {
      std::regex re{std::string(rule.regex)};
      EXPECT_EQ(re.mark_count(), 1u) << "the version is group 1";
    }
    EXPECT_EQ(std::count(rule.cpe.begin(), rule.cpe.end(), ':'), 2);
  }
  for (const char* expected : {"busybox", "openssl", "zlib", "dropbear", "openssh", "curl", "libcurl", "lighttpd",
                               "u-boot", "u-boot-tools", "linux"})
    EXPECT_TRUE(components.contains(expected)) << expected;
}

struct Case {
  const char* path;
  std::string text;
  const char* component;  // "" for none
  const char* version;
};

class Fingerprints : public ::testing::TestWithParam<Case> {};

TEST_P(Fingerprints, FindsVersionOnlyInTheComponentsOwnFiles) {
  const Case& c = GetParam();
  auto r = scan(c.path, elf_with(std::string("\0junk\0", 6) + c.text + std::string("\0more", 5)));
  if (std::string(c.component).empty()) {
    EXPECT_TRUE(r.findings.empty()) << r.findings[0].name;
    return;
  }
  ASSERT_EQ(r.findings.size(), 1u) << (r.warnings.empty() ? "" : r.warnings[0]);
  EXPECT_EQ(r.findings[0].name, c.component);
  EXPECT_EQ(r.findings[0].version, c.version);
  EXPECT_EQ(r.findings[0].source, Source::fingerprint);
}

INSTANTIATE_TEST_SUITE_P(
    Table, Fingerprints,
    ::testing::Values(
        Case{"/bin/busybox", "BusyBox v1.36.1 (2023-11-07 10:00:00 UTC)", "busybox", "1.36.1"},
        Case{"/bin/ls", "BusyBox v1.36.1 (2023-11-07 10:00:00 UTC)", "", ""},
        Case{"/usr/lib/libcrypto.so.3", "OpenSSL 3.0.13 30 Jan 2024", "openssl", "3.0.13"},
        Case{"/usr/lib/libcrypto.so.1.1", "OpenSSL 1.1.1w  11 Sep 2023", "openssl", "1.1.1w"},
        // curl carries OpenSSL's version text too; it is not OpenSSL.
        Case{"/usr/bin/curl", "OpenSSL 3.0.13 30 Jan 2024", "", ""},
        Case{"/lib/libz.so.1.3", " deflate 1.3 Copyright 1995-2023 Jean-loup Gailly and Mark Adler ", "zlib", "1.3"},
        Case{"/usr/sbin/dropbear", "SSH-2.0-dropbear_2022.83", "dropbear", "2022.83"},
        Case{"/usr/sbin/sshd", std::string("OpenSSH_7.4*,OpenSSH_9.6\0OpenSSH_9.6p1 Ubuntu", 44), "openssh", "9.6p1"},
        Case{"/usr/lib/libcurl.so.4.8.0", "libcurl/8.5.0 OpenSSL/3.0.13", "libcurl", "8.5.0"},
        Case{"/usr/bin/curl", "curl/8.5.0 ", "curl", "8.5.0"},
        Case{"/usr/sbin/lighttpd", "lighttpd/1.4.73 (ssl)", "lighttpd", "1.4.73"},
        Case{"/boot/u-boot.bin", "U-Boot 2024.01-rc3 (Jan 01 2024 - 00:00:00 +0000)", "u-boot", "2024.01-rc3"},
        Case{"/boot/u-boot-spl.bin", "U-Boot SPL 2023.10 (Oct 02 2023)", "u-boot", "2023.10"},
        // mkimage prints "U-Boot mkimage %s": it is the tools, not the bootloader.
        Case{"/usr/bin/mkimage", std::string("2023.10\0U-Boot mkimage %s\0", 26), "u-boot-tools", "2023.10"},
        Case{"/usr/bin/mkimage", std::string("2023.10\0nothing to mark it\0", 27), "", ""},
        Case{"/boot/vmlinux-6.6.7", "Linux version 6.6.7-yocto-standard (oe-user@oe-host) #1 SMP ", "linux", "6.6.7"}));

TEST(Fingerprint, BzImageHeaderNamesTheKernel) {
  std::string img(0x4000, '\0');
  img.replace(0x202, 4, "HdrS");
  img[0x20e] = 0x00;  // kernel_version = 0x1000 (+0x200)
  img[0x20f] = 0x10;
  std::string banner = "6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)";
  img.replace(0x1200, banner.size(), banner);
  // A fragment of the banner inside the compressed payload must not count.
  img += "Linux version 6.1.0-56-cloud-amd64 (debian-kernel@";
  for (const char* name : {"/boot/vmlinuz-6.1.0-56-cloud-amd64", "/zImage.bin"}) {
    auto r = scan(name, img, std::string(name) == "/zImage.bin" ? "kernel" : "");
    ASSERT_EQ(r.findings.size(), 1u) << name;
    EXPECT_EQ(r.findings[0].version, "6.1.192");
    EXPECT_EQ(r.findings[0].properties.at("fwseal:kernel-release"), "6.1.0-56-cloud-amd64");
    EXPECT_EQ(r.findings[0].cpe, "cpe:2.3:o:linux:linux_kernel:6.1.192:*:*:*:*:*:*:*");
  }
}

TEST(Fingerprint, RawImageTypeAnchorsBootloaders) {
  std::string blob = "\x12\x34U-Boot 2022.04 (Apr 04 2022)";
  EXPECT_EQ(scan("/flash.bin", blob, "bootloader").findings.size(), 1u);
  EXPECT_TRUE(scan("/flash.bin", blob, "rootfs").findings.empty());
}

TEST(Fingerprint, SeveralVersionsInOneFileAreReportedNotGuessed) {
  auto r = scan("/bin/busybox", elf_with(std::string("BusyBox v1.35.0 (a)\0BusyBox v1.36.1 (b)", 40)));
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], "rootfs:/bin/busybox: busybox fingerprint gives several versions (1.35.0, 1.36.1); none reported");
}

TEST(Fingerprint, VersionlessFilesMustBeElf) {
  auto elf = scan("/usr/lib/libssl.so.3", elf_with("no version here"));
  ASSERT_EQ(elf.findings.size(), 1u);
  EXPECT_TRUE(elf.findings[0].versionless);
  EXPECT_EQ(elf.findings[0].name, "openssl");
  EXPECT_TRUE(scan("/usr/lib/libssl.so.3", "not an ELF file").findings.empty());
}

TEST(Fingerprint, HostileFilesCostBoundedWork) {
  std::string many;
  for (int i = 0; i < 20000; ++i) many += "OpenSSH_";
  auto r = scan("/usr/bin/ssh", many, "", 65536);
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("more than 4096 fingerprint candidates"), std::string::npos);
}

TEST(Fingerprint, CpeQuotesSpecialCharacters) {
  EXPECT_EQ(fingerprint_cpe(fingerprint_rules()[0], "1.0+x"), "cpe:2.3:a:busybox:busybox:1.0\\+x:*:*:*:*:*:*:*");
}

}  // namespace
}  // namespace fwseal::sbom

#include "image_scan.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <utime.h>

#include "fwseal/base/digest.h"
#include "test_util.h"

namespace fwseal::sbom {
namespace {

using testing::ArchiveEntry;

const std::string kStatus = "Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.3.dfsg-3\nArchitecture: arm64\n";

std::vector<ArchiveEntry> sample_entries() {
  return {
      {"./bin", "", ArchiveEntry::dir, ""},
      {"./bin/busybox", testing::make_elf(false, false, {}) + "BusyBox v1.36.1 (x)", ArchiveEntry::file, ""},
      {"./bin/ls", "", ArchiveEntry::symlink, "busybox"},
      {"./var/lib/dpkg/status", kStatus, ArchiveEntry::file, ""},
      {"./var/lib/dpkg/info/zlib1g:arm64.list", "/.\n/lib/libz.so.1.3\n", ArchiveEntry::file, ""},
      {"./usr/share/doc/zlib1g/copyright",
       "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: Zlib\n",
       ArchiveEntry::file, ""},
      {"./usr/share/doc/zlib1g-dev", "", ArchiveEntry::symlink, "zlib1g"},
      {"./etc/os-release", "ID=debian\n", ArchiveEntry::file, ""},
  };
}

// Streaming zip readers cannot tell symlinks (their mode is only in the
// central directory at the end), so `links` is false for zip.
void check_sample(const ImageScan& s, bool links = true) {
  ASSERT_EQ(s.findings.size(), 1u);
  EXPECT_EQ(s.findings[0].name, "busybox");
  EXPECT_EQ(s.findings[0].occurrences[0].path, "/bin/busybox");
  ASSERT_EQ(s.status_files.size(), 1u);
  EXPECT_EQ(s.status_files[0].path, "/var/lib/dpkg/status");
  EXPECT_EQ(s.status_files[0].text, kStatus);
  EXPECT_EQ(s.dpkg_owner.at("/lib/libz.so.1.3"), "zlib1g");
  EXPECT_EQ(s.copyrights.at("zlib1g").spdx, std::vector<std::string>{"Zlib"});
  if (links) {
    EXPECT_EQ(s.doc_links.at("zlib1g-dev"), "zlib1g");
  }
  EXPECT_EQ(s.os_release, "ID=debian\n");
}

class ArchiveFormats : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(ArchiveFormats, ReadsEntriesAndDigestsTheWholeFile) {
  auto [format, filter] = GetParam();
  testing::TempDir dir;
  std::string bytes = testing::make_archive(sample_entries(), format, filter);
  std::string path = dir.write("image.bin", bytes);
  auto r = scan_image({"rootfs", "rootfs", path}, true);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->digest_of, "file");
  EXPECT_EQ(r->sha256_hex, sha256_hex(bytes));
  Hasher h = Hasher::sha512();
  h.update(bytes);
  EXPECT_EQ(r->sha512_hex, to_hex(h.finish()));
  check_sample(*r, std::string(format) != "zip");
  // Without SHA-512: the same scan, and no SHA-512.
  auto plain = scan_image({"rootfs", "rootfs", path});
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain->sha256_hex, r->sha256_hex);
  EXPECT_EQ(plain->sha512_hex, "");
  check_sample(*plain, std::string(format) != "zip");
}

INSTANTIATE_TEST_SUITE_P(Formats, ArchiveFormats,
                         ::testing::Values(std::pair{"tar", ""}, std::pair{"gnutar", "gzip"}, std::pair{"cpio", "xz"},
                                           std::pair{"tar", "zstd"}, std::pair{"zip", ""}));

TEST(ImageScan, DirectoryTreeGivesTheSameFindings) {
  testing::TempDir dir;
  for (const auto& e : sample_entries()) {
    if (e.kind == ArchiveEntry::file) dir.write("root/" + e.path, e.content);
    if (e.kind == ArchiveEntry::symlink) dir.symlink("root/" + e.path, e.target);
  }
  auto r = scan_image({"rootfs", "rootfs", dir.path() + "/root"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->digest_of, "tree-listing-v1");
  check_sample(*r);
}

TEST(ImageScan, TreeDigestDependsOnContentNotMetadata) {
  testing::TempDir a, b;
  a.write("t/x/one", "1");
  a.write("t/two", "22");
  b.write("t/two", "22");  // created in the other order
  b.write("t/x/one", "1");
  ::chmod((b.path() + "/t/two").c_str(), 0600);
  struct utimbuf old_times {1000, 1000};
  ::utime((b.path() + "/t/x/one").c_str(), &old_times);
  auto ra = scan_image({"r", "rootfs", a.path() + "/t"}, true);
  auto rb = scan_image({"r", "rootfs", b.path() + "/t"}, true);
  ASSERT_TRUE(ra.ok() && rb.ok());
  EXPECT_EQ(ra->sha256_hex, rb->sha256_hex);
  EXPECT_EQ(ra->sha512_hex, rb->sha512_hex);
  // The documented listing: "dir", "file PATH SIZE SHA256", "link PATH TARGET", in walk order.
  std::string listing = "file /two 2 " + sha256_hex("22") + "\n" + "dir /x\n" + "file /x/one 1 " + sha256_hex("1") + "\n";
  EXPECT_EQ(ra->sha256_hex, sha256_hex(listing));
  Hasher h = Hasher::sha512();
  h.update(listing);
  EXPECT_EQ(ra->sha512_hex, to_hex(h.finish()));
  b.write("t/x/one", "2");
  EXPECT_NE(scan_image({"r", "rootfs", b.path() + "/t"})->sha256_hex, ra->sha256_hex);
}

TEST(ImageScan, SymlinksAreNeverFollowed) {
  testing::TempDir dir;
  dir.write("outside/var/lib/dpkg/status", kStatus);
  dir.symlink("root/var", "../outside/var");
  auto r = scan_image({"rootfs", "rootfs", dir.path() + "/root"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->status_files.empty());
}

TEST(ImageScan, RawFilesAreOneImage) {
  testing::TempDir dir;
  std::string blob = std::string(100, '\x5a') + "U-Boot 2023.04 (Apr 1 2023)";
  std::string path = dir.write("flash.img", blob);
  auto r = scan_image({"boot", "bootloader", path});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->sha256_hex, sha256_hex(blob));
  ASSERT_EQ(r->findings.size(), 1u);
  EXPECT_EQ(r->findings[0].name, "u-boot");
  EXPECT_EQ(r->findings[0].occurrences[0].path, "/flash.img");
  auto empty = scan_image({"empty", "blob", dir.write("empty", "")});
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_EQ(empty->sha256_hex, sha256_hex(""));
}

TEST(ImageScan, BrokenArchivesAreMalformed) {
  testing::TempDir dir;
  std::string tar = testing::make_archive(sample_entries(), "tar", "gzip");
  std::string path = dir.write("cut.tar.gz", tar.substr(0, tar.size() / 2));
  auto r = scan_image({"rootfs", "rootfs", path});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::malformed);
  EXPECT_EQ(r.error().message.rfind("image rootfs: " + path + ": ", 0), 0u) << r.error().message;
}

TEST(ImageScan, MissingImageIsIo) {
  auto r = scan_image({"rootfs", "rootfs", "/nonexistent/rootfs"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::io);
  EXPECT_EQ(r.error().message, "image rootfs: /nonexistent/rootfs: No such file or directory");
}

TEST(ImageScan, OversizedStatusFileIsAnError) {
  testing::TempDir dir;
  std::string big(65u << 20, 'x');
  std::string path = dir.write("r.tar", testing::make_archive({{"var/lib/dpkg/status", big, ArchiveEntry::file, ""}}));
  auto r = scan_image({"rootfs", "rootfs", path});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "image rootfs: /var/lib/dpkg/status: larger than the limit of 67108864 bytes");
}

TEST(ImageScan, HardLinksInArchivesAreNotReadTwice) {
  testing::TempDir dir;
  std::string elf = testing::make_elf(false, false, {}) + "BusyBox v1.36.1 (x)";
  std::string path = dir.write("r.tar", testing::make_archive({{"bin/busybox", elf, ArchiveEntry::file, ""},
                                                               {"bin/sh", "", ArchiveEntry::hardlink, "bin/busybox"}}));
  auto r = scan_image({"rootfs", "rootfs", path});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->files, 1u);
  EXPECT_EQ(r->findings.size(), 1u);
}

}  // namespace
}  // namespace fwseal::sbom

namespace fwseal::sbom {
namespace {

// Hostile images: random byte corruptions of real archives and ELF files end
// in a result or an error, never a crash, a hang or unbounded memory.
TEST(ImageScan, RandomCorruptionsNeverCrash) {
  std::string elf = testing::make_elf(true, true, {{"FDO", 0xcafe1a7e, R"({"name":"a","version":"1"})"}});
  std::vector<ArchiveEntry> entries = sample_entries();
  entries.push_back({"usr/bin/tool", elf, ArchiveEntry::file, ""});
  const std::vector<std::string> seeds = {testing::make_archive(entries, "tar", ""),
                                          testing::make_archive(entries, "cpio", "gzip"),
                                          testing::make_archive(entries, "zip", ""), elf};
  testing::TempDir dir;
  std::uint64_t state = 0x9e3779b97f4a7c15u;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  int errors = 0, results = 0;
  for (int i = 0; i < 400; ++i) {
    std::string bytes = seeds[static_cast<std::size_t>(i) % seeds.size()];
    for (int flips = 1 + static_cast<int>(next() % 8); flips > 0; --flips)
      bytes[next() % bytes.size()] = static_cast<char>(next() & 0xff);
    auto r = scan_image({"rootfs", "rootfs", dir.write("image", bytes)});
    if (r.ok()) {
      ++results;
    } else {
      ++errors;
      EXPECT_EQ(r.error().message.rfind("image rootfs: ", 0), 0u) << r.error().message;
    }
  }
  EXPECT_EQ(results + errors, 400);
}

}  // namespace
}  // namespace fwseal::sbom

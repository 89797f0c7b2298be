#include "elf_note.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "file_scanner.h"
#include "test_util.h"

namespace fwseal::sbom {
namespace {

const std::string kNote = R"({"type":"rpm","name":"systemd","version":"253.4-1.fc38","architecture":"x86_64","os":"fedora","osCpe":"cpe:/o:fedoraproject:fedora:38"})";

FileScanResult scan(const std::string& bytes, std::size_t chunk = 4096) {
  FileScanner s(Occurrence{"rootfs", "/usr/bin/x"}, bytes.size(), ScanOptions{});
  for (std::size_t i = 0; i < bytes.size(); i += chunk) s.feed(std::string_view(bytes).substr(i, chunk));
  return s.finish();
}

class ElfVariants : public ::testing::TestWithParam<std::tuple<bool, bool>> {};

TEST_P(ElfVariants, ReadsPackageNote) {
  auto [is64, big] = GetParam();
  std::string elf = testing::make_elf(is64, big,
                                      {{"GNU", 3, std::string(20, 'x')}, {"FDO", elf::kPackageNoteType, kNote + '\0'}});
  auto r = scan(elf);
  ASSERT_TRUE(r.warnings.empty()) << r.warnings[0];
  ASSERT_EQ(r.findings.size(), 1u);
  const Finding& f = r.findings[0];
  EXPECT_EQ(f.source, Source::elf_note);
  EXPECT_EQ(f.name, "systemd");
  EXPECT_EQ(f.version, "253.4-1.fc38");
  EXPECT_EQ(f.upstream_version, "253.4");
  EXPECT_EQ(f.purl, "pkg:rpm/fedora/systemd@253.4-1.fc38?arch=x86_64");
  EXPECT_EQ(f.properties.at("fwseal:elf-note-os-cpe"), "cpe:/o:fedoraproject:fedora:38");
  EXPECT_EQ(f.method.technique, "binary-analysis");
  EXPECT_EQ(f.occurrences[0].path, "/usr/bin/x");
}

INSTANTIATE_TEST_SUITE_P(ClassAndEndianness, ElfVariants,
                         ::testing::Combine(::testing::Bool(), ::testing::Bool()));

TEST(ElfNote, NotesBeyondTheHeadAreCapturedWhileStreaming) {
  // The note segment starts 200 KiB into the file: read in small chunks, it is
  // only seen after the 64 KiB head was complete.
  std::string elf = testing::make_elf(true, false, {{"FDO", elf::kPackageNoteType, kNote}}, 100, 200 * 1024);
  for (std::size_t chunk : {std::size_t{1000}, std::size_t{65536}, std::size_t{1} << 20}) {
    auto r = scan(elf, chunk);
    ASSERT_EQ(r.findings.size(), 1u) << "chunk " << chunk;
    EXPECT_EQ(r.findings[0].name, "systemd");
  }
}

TEST(ElfNote, OtherOwnersAndTypesAreIgnored) {
  auto r = scan(testing::make_elf(false, false, {{"FDX", elf::kPackageNoteType, kNote}, {"FDO", 1, kNote}}));
  EXPECT_TRUE(r.findings.empty());
  EXPECT_TRUE(r.warnings.empty());
}

TEST(ElfNote, HostileHeadersGiveWarningsNotCrashes) {
  std::string good = testing::make_elf(true, false, {{"FDO", elf::kPackageNoteType, kNote}});
  struct Case {
    const char* name;
    std::size_t offset;
    std::string bytes;
    const char* message;
  };
  const Case cases[] = {
      {"class", 4, "\x07", "unknown ELF class 7"},
      {"encoding", 5, "\x09", "unknown data encoding 9"},
      {"phoff past end", 32, std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8), "program header table at"},
      {"phentsize", 54, std::string("\x08\x00", 2), "program header entry size 8 is invalid"},
      {"phnum", 56, std::string("\xff\x7f", 2), "program headers, more than 4096"},
      {"note offset", 64 + 8, std::string("\x00\x00\x00\x00\x00\x00\x01\x00", 8), "note segment 0 at"},
      {"note namesz", 120, std::string("\xff\xff\xff\x7f", 4), "note name runs past its segment"},
      {"note descsz", 124, std::string("\xff\xff\xff\x7f", 4), "note descriptor runs past its segment"},
  };
  for (const auto& c : cases) {
    std::string bad = good;
    bad.replace(c.offset, c.bytes.size(), c.bytes);
    auto r = scan(bad);
    EXPECT_TRUE(r.findings.empty()) << c.name;
    ASSERT_EQ(r.warnings.size(), 1u) << c.name;
    EXPECT_NE(r.warnings[0].find(c.message), std::string::npos) << c.name << ": " << r.warnings[0];
    EXPECT_EQ(r.warnings[0].rfind("rootfs:/usr/bin/x: ELF: ", 0), 0u) << r.warnings[0];
  }
}

TEST(ElfNote, TruncatedFilesAndBadJson) {
  std::string good = testing::make_elf(false, true, {{"FDO", elf::kPackageNoteType, kNote}});
  for (std::size_t n = 0; n < good.size(); n += 7) scan(good.substr(0, n));  // no crash, no hang
  auto bad_json = scan(testing::make_elf(false, true, {{"FDO", elf::kPackageNoteType, "{\"name\":\"x\""}}));
  ASSERT_EQ(bad_json.warnings.size(), 1u);
  EXPECT_NE(bad_json.warnings[0].find("rootfs:/usr/bin/x: .note.package: invalid JSON"), std::string::npos);
  auto no_version = scan(testing::make_elf(false, true, {{"FDO", elf::kPackageNoteType, R"({"name":"x"})"}}));
  ASSERT_EQ(no_version.warnings.size(), 1u);
  EXPECT_EQ(no_version.warnings[0], "rootfs:/usr/bin/x: .note.package.version: missing");
}

TEST(ElfNote, RealLinkerOutput) {
  // The note as GNU ld writes it for --package-metadata (binutils >= 2.39).
  testing::TempDir dir;
  std::string src = dir.write("n.c", "int main(void) { return 0; }\n");
  std::string out = dir.path() + "/n";
  std::string cmd = std::string(FWSEAL_TEST_CC) + " -o '" + out + "' '" + src +
                    "' -Xlinker '--package-metadata={\"type\":\"deb\",\"name\":\"hello\",\"version\":\"1:2.10-3\","
                    "\"architecture\":\"amd64\",\"os\":\"debian\"}'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto r = scan(testing::read_text(out));
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].purl, "pkg:deb/debian/hello@1:2.10-3?arch=amd64");
  EXPECT_EQ(r.findings[0].upstream_version, "2.10");
}

}  // namespace
}  // namespace fwseal::sbom

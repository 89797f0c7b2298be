// Helpers for sbom-gen's tests only: temporary trees, archives written with
// libarchive, hand-made ELF files, and the official CycloneDX schema check.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fwseal::sbom::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // Writes `content` to path()/rel, creating parent directories.
  std::string write(const std::string& rel, std::string_view content) const;
  std::string symlink(const std::string& rel, const std::string& target) const;
  std::string mkdir(const std::string& rel) const;

 private:
  std::string path_;
};

struct ArchiveEntry {
  std::string path;
  std::string content;
  enum Kind { file, symlink, dir, hardlink } kind = file;
  std::string target;  // symlink / hard link target
};

// format: "tar" (pax), "gnutar", "cpio", "zip"; filter: "", "gzip", "xz", "zstd".
std::string make_archive(const std::vector<ArchiveEntry>& entries, const std::string& format = "tar",
                         const std::string& filter = "");

struct Note {
  std::string owner;  // without the NUL
  std::uint32_t type = 0;
  std::string desc;
};
// A minimal ELF executable with one PT_NOTE segment holding `notes`, padded
// with `pad` bytes after the notes (to move data past the scanner's head).
std::string make_elf(bool is64, bool big_endian, const std::vector<Note>& notes, std::size_t pad = 0,
                     std::size_t note_offset = 0);

// Runs the official schema check; returns its exit status and output.
std::pair<int, std::string> run_schema_validator(const std::string& bom_json);

std::string read_text(const std::string& path);

// generate_sbom for one directory image named "rootfs" (product
// "debian-test"), the BOM checked against the official schema and by
// validate_sbom (gtest failures otherwise). "" if generation failed.
std::string generate_rootfs_bom(const std::string& root, std::vector<std::string>* warnings = nullptr);

}  // namespace fwseal::sbom::testing

#include "test_util.h"

#include "fwseal/sbom/sbom.h"
#include "fwseal/sbom/validate.h"

#include <gtest/gtest.h>

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fwseal::sbom::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "fwseal-sbom-test-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& rel, std::string_view content) const {
  fs::path p = fs::path(path_) / rel;
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + p.string());
  return p.string();
}

std::string TempDir::symlink(const std::string& rel, const std::string& target) const {
  fs::path p = fs::path(path_) / rel;
  fs::create_directories(p.parent_path());
  fs::create_symlink(target, p);
  return p.string();
}

std::string TempDir::mkdir(const std::string& rel) const {
  fs::path p = fs::path(path_) / rel;
  fs::create_directories(p);
  return p.string();
}

std::string make_archive(const std::vector<ArchiveEntry>& entries, const std::string& format,
                         const std::string& filter) {
  archive* a = archive_write_new();
  if (format == "tar") archive_write_set_format_pax_restricted(a);
  else if (format == "gnutar") archive_write_set_format_gnutar(a);
  else if (format == "cpio") archive_write_set_format_cpio_newc(a);
  else if (format == "zip") archive_write_set_format_zip(a);
  if (filter == "gzip") archive_write_add_filter_gzip(a);
  else if (filter == "xz") archive_write_add_filter_xz(a);
  else if (filter == "zstd") archive_write_add_filter_zstd(a);
  std::size_t room = 1u << 20;
  for (const auto& e : entries) room += e.content.size() + e.path.size() + 2048;
  std::string out(room, '\0');
  std::size_t used = 0;
  if (archive_write_open_memory(a, out.data(), out.size(), &used) != ARCHIVE_OK)
    throw std::runtime_error("archive_write_open_memory failed");
  for (const auto& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.path.c_str());
    archive_entry_set_mtime(entry, 1000, 0);
    switch (e.kind) {
      case ArchiveEntry::file:
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_perm(entry, 0755);
        archive_entry_set_size(entry, static_cast<la_int64_t>(e.content.size()));
        break;
      case ArchiveEntry::symlink:
        archive_entry_set_filetype(entry, AE_IFLNK);
        archive_entry_set_perm(entry, 0777);
        archive_entry_set_symlink(entry, e.target.c_str());
        archive_entry_set_size(entry, 0);
        break;
      case ArchiveEntry::dir:
        archive_entry_set_filetype(entry, AE_IFDIR);
        archive_entry_set_perm(entry, 0755);
        archive_entry_set_size(entry, 0);
        break;
      case ArchiveEntry::hardlink:
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_hardlink(entry, e.target.c_str());
        archive_entry_set_size(entry, 0);
        break;
    }
    if (archive_write_header(a, entry) != ARCHIVE_OK) throw std::runtime_error(archive_error_string(a));
    if (e.kind == ArchiveEntry::file && !e.content.empty())
      archive_write_data(a, e.content.data(), e.content.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
  out.resize(used);
  return out;
}

namespace {

struct Writer {
  bool big_endian;
  std::string bytes;
  void put(std::uint64_t v, std::size_t width) {
    for (std::size_t i = 0; i < width; ++i) {
      std::size_t shift = big_endian ? (width - 1 - i) * 8 : i * 8;
      bytes.push_back(static_cast<char>((v >> shift) & 0xff));
    }
  }
};

}  // namespace

std::string make_elf(bool is64, bool big_endian, const std::vector<Note>& notes, std::size_t pad,
                     std::size_t note_offset) {
  Writer w{big_endian, {}};
  std::size_t ehsize = is64 ? 64 : 52, phentsize = is64 ? 56 : 32;
  // Notes: namesz, descsz, type, name (padded to 4), desc (padded to 4).
  Writer n{big_endian, {}};
  for (const auto& note : notes) {
    n.put(note.owner.size() + 1, 4);
    n.put(note.desc.size(), 4);
    n.put(note.type, 4);
    n.bytes += note.owner;
    n.bytes.push_back('\0');
    while (n.bytes.size() % 4) n.bytes.push_back('\0');
    n.bytes += note.desc;
    while (n.bytes.size() % 4) n.bytes.push_back('\0');
  }
  std::size_t notes_at = note_offset != 0 ? note_offset : ehsize + phentsize;
  // ELF header.
  w.bytes = std::string("\x7f" "ELF", 4);
  w.bytes.push_back(is64 ? 2 : 1);
  w.bytes.push_back(big_endian ? 2 : 1);
  w.bytes.push_back(1);  // EV_CURRENT
  w.bytes.resize(16, '\0');
  w.put(2, 2);   // ET_EXEC
  w.put(62, 2);  // EM_X86_64 (any machine will do)
  w.put(1, 4);
  if (is64) {
    w.put(0, 8);       // e_entry
    w.put(ehsize, 8);  // e_phoff
    w.put(0, 8);       // e_shoff
  } else {
    w.put(0, 4);
    w.put(ehsize, 4);
    w.put(0, 4);
  }
  w.put(0, 4);          // e_flags
  w.put(ehsize, 2);     // e_ehsize
  w.put(phentsize, 2);  // e_phentsize
  w.put(1, 2);          // e_phnum
  w.put(0, 2);
  w.put(0, 2);
  w.put(0, 2);
  // The PT_NOTE program header.
  if (is64) {
    w.put(4, 4);  // p_type
    w.put(4, 4);  // p_flags
    w.put(notes_at, 8);
    w.put(notes_at, 8);
    w.put(notes_at, 8);
    w.put(n.bytes.size(), 8);
    w.put(n.bytes.size(), 8);
    w.put(4, 8);
  } else {
    w.put(4, 4);
    w.put(notes_at, 4);
    w.put(notes_at, 4);
    w.put(notes_at, 4);
    w.put(n.bytes.size(), 4);
    w.put(n.bytes.size(), 4);
    w.put(4, 4);
    w.put(4, 4);
  }
  w.bytes.resize(notes_at, '\0');
  w.bytes += n.bytes;
  w.bytes.append(pad, '\0');
  return w.bytes;
}

std::pair<int, std::string> run_schema_validator(const std::string& bom_json) {
  TempDir dir;
  std::string file = dir.write("bom.cdx.json", bom_json);
  std::string out_file = dir.path() + "/out.txt";
  std::string cmd = "/usr/bin/python3 " + std::string(FWSEAL_SOURCE_DIR) + "/tests/tools/validate_cyclonedx.py '" + file + "' > '" +
                    out_file + "' 2>&1";
  int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text(out_file)};
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string generate_rootfs_bom(const std::string& root, std::vector<std::string>* warnings) {
  SbomConfig c;
  c.product = "debian-test";
  c.version = "1";
  c.images = {{"rootfs", "rootfs", root}};
  c.timestamp = 0;
  c.tool_version = "test";
  auto r = generate_sbom(c);
  EXPECT_TRUE(r.ok()) << r.error().message;
  if (!r.ok()) return {};
  if (warnings) *warnings = r->warnings;
  auto [status, output] = run_schema_validator(r->json);
  EXPECT_EQ(status, 0) << output;
  EXPECT_TRUE(validate_sbom(r->json).ok());
  return r->json;
}

}  // namespace fwseal::sbom::testing

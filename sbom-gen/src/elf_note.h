// ELF package-metadata notes (https://systemd.io/ELF_PACKAGE_METADATA/): a
// note of owner "FDO", type 0xcafe1a7e, whose descriptor is JSON naming the
// package a binary was built for.
//
// Files are read once, front to back (archives cannot seek), so the reader
// works in steps: the ELF header says where the program headers are, the
// program headers say where the PT_NOTE segments are. Every offset and size
// comes from the file and is checked before use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"
#include "model.h"

namespace fwseal::sbom::elf {

inline constexpr std::uint32_t kPackageNoteType = 0xcafe1a7e;

struct Range {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  std::uint64_t align = 4;  // note alignment within the segment (4 or 8)
};

struct Header {
  bool is64 = false;
  bool big_endian = false;
  Range phdrs;             // where the program header table is
  std::uint16_t phentsize = 0;
  std::uint16_t phnum = 0;
};

bool has_elf_magic(std::string_view head);

// Parses the ELF identification and header from the first bytes of a file.
// Code::malformed (naming `what`) for a file with the ELF magic whose header
// is inconsistent: unknown class or data encoding, program header entries
// smaller than the ELF class needs, a table past `file_size`, too many entries.
Result<Header> parse_header(std::string_view head, std::uint64_t file_size, std::string_view what);

// The PT_NOTE segments listed in the program header table `table`, each
// capped at kMaxElfNoteBytes. Code::malformed for a segment past the file end.
Result<std::vector<Range>> note_segments(const Header& header, std::string_view table, std::uint64_t file_size,
                                         std::string_view what);

// The descriptors of "FDO" notes of type 0xcafe1a7e in one note segment.
// Code::malformed for a note whose sizes run past the segment.
Result<std::vector<std::string>> package_notes(const Header& header, std::string_view segment, std::uint64_t align,
                                               std::string_view what);

// The finding a package note's JSON describes. Code::malformed if it is not
// strict JSON or lacks a string "name" or "version".
Result<Finding> finding_from_note(std::string_view json_text, const Occurrence& where);

}  // namespace fwseal::sbom::elf

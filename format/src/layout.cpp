#include "fwseal/format/layout.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "fwseal/format/rule.h"

namespace fwseal {
namespace {

struct ArchiveWriteDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct ArchiveReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

}  // namespace

std::string image_entry_name(std::string_view image_name) { return std::string(kImagePrefix) + std::string(image_name); }

std::string signature_entry_name(std::string_view key_id_hex) {
  return std::string(kSignaturePrefix) + std::string(key_id_hex) + ".json";
}

// R1: the one header an entry may have, for the packager, the signer and the
// verifier alike.
Result<std::string> tar_header(std::string_view name, std::uint64_t size, std::int64_t mtime) {
  // libarchive writes the header as soon as archive_write_header returns when
  // the block size is 512, so the memory buffer holds exactly the header.
  std::string buf(8192, '\0');
  std::size_t used = 0;
  std::unique_ptr<archive, ArchiveWriteDeleter> a(archive_write_new());
  std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
  if (!a || !e) return make_error(Code::internal, "libarchive: out of memory");
  if (archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
      archive_write_set_bytes_per_block(a.get(), static_cast<int>(kBlock)) != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(a.get(), 1) != ARCHIVE_OK ||
      archive_write_open_memory(a.get(), buf.data(), buf.size(), &used) != ARCHIVE_OK)
    return make_error(Code::internal, std::string("libarchive: ") + archive_error_string(a.get()));
  archive_entry_copy_pathname(e.get(), std::string(name).c_str());
  archive_entry_set_filetype(e.get(), AE_IFREG);
  archive_entry_set_perm(e.get(), 0644);
  archive_entry_set_uid(e.get(), 0);
  archive_entry_set_gid(e.get(), 0);
  archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
  archive_entry_set_mtime(e.get(), static_cast<time_t>(mtime), 0);
  if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK)
    return make_error(Code::internal, "libarchive cannot write a header for " + std::string(name) + ": " +
                                          archive_error_string(a.get()));
  // Keep only the header: closing appends the end blocks, which are cut off
  // below. (archive_write_fail would skip them but leaks libarchive's buffers.)
  const std::size_t header_size = used;
  archive_write_close(a.get());
  if (header_size == 0 || header_size % kBlock != 0)
    return make_error(Code::internal, "libarchive wrote a header of " + std::to_string(header_size) + " bytes");
  buf.resize(header_size);
  return buf;
}

std::string end_of_archive() { return std::string(2 * kBlock, '\0'); }

Result<ParsedHeader> parse_tar_header(std::string_view block, std::string_view where) {
  if (block.size() != kBlock) return make_error(Code::internal, "parse_tar_header needs one 512-byte block");
  // Two zero blocks after the header let libarchive finish reading cleanly.
  std::string buf(block);
  buf.append(2 * kBlock, '\0');
  std::unique_ptr<archive, ArchiveReadDeleter> a(archive_read_new());
  if (!a) return make_error(Code::internal, "libarchive: out of memory");
  archive_read_support_format_tar(a.get());
  if (archive_read_open_memory(a.get(), buf.data(), buf.size()) != ARCHIVE_OK)
    return make_error(Code::malformed, std::string(where) + ": not a tar header: " + archive_error_string(a.get()));
  archive_entry* e = nullptr;
  int r = archive_read_next_header(a.get(), &e);
  // R3: a zero block where a header must be: the entry is missing.
  if (r == ARCHIVE_EOF)
    return with_rule("R3",
                     make_error(Code::malformed, std::string(where) + ": not a valid tar header (end of archive)"));
  if (r != ARCHIVE_OK) {
    Error damaged = make_error(Code::malformed, std::string(where) + ": not a valid tar header: " +
                                                    archive_error_string(a.get()));
    // R5: a base-256 size libarchive cannot hold (2^63 and more) is above every
    // limit. Other damage is the caller's rule, as is a block that is no tar
    // header at all (above): it depends on where the header stands.
    return (static_cast<unsigned char>(block[124]) & 0x80) != 0 ? with_rule("R5", std::move(damaged)) : damaged;
  }
  // R3: no extension header, pre-POSIX header or other type of entry.
  if (archive_format(a.get()) != ARCHIVE_FORMAT_TAR_USTAR)
    return with_rule("R3", make_error(Code::malformed, std::string(where) + ": tar header of an unexpected kind (" +
                                                           archive_format_name(a.get()) +
                                                           "); fwseal writes plain ustar headers here"));
  if (archive_entry_filetype(e) != AE_IFREG)
    return with_rule("R3", make_error(Code::malformed, std::string(where) + ": entry is not a regular file"));
  if (!archive_entry_size_is_set(e) || archive_entry_size(e) < 0)
    return make_error(Code::malformed, std::string(where) + ": entry has no valid size");
  const char* name = archive_entry_pathname(e);
  if (!name) return make_error(Code::malformed, std::string(where) + ": entry has no name");
  return ParsedHeader{name, static_cast<std::uint64_t>(archive_entry_size(e))};
}

// R3: the entries in their one order; R1: each with its canonical header.
Result<std::vector<EntryLayout>> compute_layout(const Manifest& m, std::uint64_t manifest_size) {
  std::vector<EntryLayout> out;
  std::uint64_t at = 0;
  auto add = [&](std::string name, std::uint64_t size, EntryLayout::Kind kind = EntryLayout::Kind::image,
                 std::size_t image = 0) -> Status {
    FWSEAL_ASSIGN(std::string header, tar_header(name, size, m.created));
    EntryLayout e;
    e.kind = kind;
    e.image = image;
    e.name = std::move(name);
    e.header_offset = at;
    e.header_size = header.size();
    e.data_offset = at + header.size();
    e.data_size = size;
    e.end_offset = e.data_offset + padded_size(size);
    at = e.end_offset;
    out.push_back(std::move(e));
    return ok_status();
  };
  FWSEAL_TRY(add(std::string(kManifestEntry), manifest_size, EntryLayout::Kind::manifest));
  if (m.format_version >= kManifestFormatVersion)
    FWSEAL_TRY(add(std::string(kSignaturesEntry), m.signature_space, EntryLayout::Kind::signatures));
  if (m.sbom) FWSEAL_TRY(add(std::string(kSbomEntry), m.sbom->size, EntryLayout::Kind::sbom));
  for (std::size_t i = 0; i < m.images.size(); ++i)
    FWSEAL_TRY(add(image_entry_name(m.images[i].name), m.images[i].size, EntryLayout::Kind::image, i));
  return out;
}

}  // namespace fwseal

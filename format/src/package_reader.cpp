// Steps 1-6 of docs/FORMAT.md "Verification": reading the package. Every
// byte is checked against the one value the format allows for it; what the
// bytes claim is not yet trusted.
#include "fwseal/format/package_reader.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "fwseal/base/digest.h"
#include "fwseal/base/file.h"
#include "fwseal/base/text.h"
#include "fwseal/format/canonical_json.h"
#include "fwseal/format/rule.h"
#include "fwseal/format/x509.h"

namespace fwseal {
namespace {

Error malformed(std::string message) { return make_error(Code::malformed, std::move(message)); }

}  // namespace

// R4: the archive is complete, every entry's header, data and padding in full.
Error truncated_package(std::uint64_t ended, std::string_view inside, std::uint64_t needed) {
  return with_rule("R4", malformed("package ends at offset " + std::to_string(ended) + " inside " +
                                   std::string(inside) + " (truncated): it has " + std::to_string(ended) +
                                   " bytes, at least " + std::to_string(needed) + " expected"));
}

namespace {

// What a header block that is not a plain file is, by its typeflag, for
// messages ("a symbolic link (typeflag '2')"); empty for anything else.
std::string special_kind(std::string_view block) {
  switch (block[156]) {
    case '1': return "a hard link (typeflag '1')";
    case '2': return "a symbolic link (typeflag '2')";
    case '3': return "a character device (typeflag '3')";
    case '4': return "a block device (typeflag '4')";
    case '5': return "a directory (typeflag '5')";
    case '6': return "a FIFO (typeflag '6')";
    case 'x': return "a pax extended header (typeflag 'x')";
    case 'g': return "a pax global header (typeflag 'g')";
    case 'L': return "a GNU long-name header (typeflag 'L')";
    case 'K': return "a GNU long-link header (typeflag 'K')";
    default: return {};
  }
}

// Headers are compared as bytes with the one header the format allows, so a
// changed mode, owner, mtime or checksum is caught as surely as a changed size
// (R1). A header of another entry, or of a link, directory or extension header,
// means an entry is missing, extra, out of order or of another type (R3).
Status compare_header(std::string_view actual, std::string_view expected, std::string_view entry,
                      std::uint64_t at) {
  if (actual == expected) return ok_status();
  std::size_t i = 0;
  while (i < actual.size() && i < expected.size() && actual[i] == expected[i]) ++i;
  std::string found;
  if (auto parsed = parse_tar_header(actual.substr(0, kBlock), "header"); parsed.ok() && parsed->name != entry)
    found = ", and it names " + quote(parsed->name);
  if (std::string kind = special_kind(actual); !kind.empty())
    found += (found.empty() ? ", and it is " : " and is ") + kind;
  return with_rule(found.empty() ? "R1" : "R3",
                   malformed(std::string(entry) + ": the header at offset " + std::to_string(at) +
                             " is not the canonical one: first difference at offset " + std::to_string(at + i) +
                             " (byte " + std::to_string(i) + " of the header)" + found));
}

bool is_zero(std::string_view block) { return first_nonzero(block) == std::string_view::npos; }

// The zero padding after `data_size` bytes of data up to the next block (R2).
Status skip_padding(PackageSource& in, std::uint64_t data_size, std::string_view entry) {
  auto n = static_cast<std::size_t>(padded_size(data_size) - data_size);
  if (n == 0) return ok_status();
  std::uint64_t start = in.offset();
  FWSEAL_ASSIGN(std::string pad, in.read(n, "the padding of " + std::string(entry)));
  if (std::size_t at = first_nonzero(pad); at != std::string::npos)  // R2
    return with_rule("R2", malformed(std::string(entry) + ": padding byte at offset " + std::to_string(start + at) +
                                     " is not zero"));
  return ok_status();
}

// parse_tar_header sees one block alone, so libarchive reports an extension
// header there as a damaged archive or as its end, and a link as "not a
// regular file". Say what it is instead: plain files only (R3). A block that
// is no header at all breaks `rule` (R1; R4 where the end of the archive may
// stand).
Result<ParsedHeader> parse_plain_header(std::string_view block, std::uint64_t at, std::string_view must_be,
                                        std::string_view rule) {
  const std::string where = "offset " + std::to_string(at);
  auto parsed = parse_tar_header(block, where);
  if (parsed.ok()) return parsed;
  std::string kind = special_kind(block);
  if (kind.empty()) return with_rule(rule, std::move(parsed));
  return with_rule("R3", malformed(where + ": " + kind + " where " + std::string(must_be) +
                                   " must be (fwseal packages hold plain files only)"));
}

// "signature/<64 lowercase hex>.json" -> the key id. A signature entry named
// otherwise breaks R16, an entry of another kind here R3.
Result<KeyId> signature_entry_key_id(std::string_view name, std::uint64_t at) {
  auto wrong = [&] {
    return with_rule(name.starts_with(kSignaturePrefix) ? "R16" : "R3",
                     malformed("offset " + std::to_string(at) + ": entry " + quote(name) +
                               " where a signature entry (signature/<64 lowercase hex digits>.json) or the end of "
                               "the archive must be"));
  };
  constexpr std::string_view kSuffix = ".json";
  if (!name.starts_with(kSignaturePrefix) || !name.ends_with(kSuffix) ||
      name.size() != kSignaturePrefix.size() + 64 + kSuffix.size())
    return wrong();
  auto id = sha256_from_hex(name.substr(kSignaturePrefix.size(), 64), name);
  if (!id.ok()) return wrong();
  return *id;
}

// After the first zero block at `at`: the second, then nothing (R4).
Status finish_end_of_archive(PackageSource& in, std::uint64_t at) {
  FWSEAL_ASSIGN(std::string second, in.read(kBlock, "the end-of-archive marker"));
  if (std::size_t i = first_nonzero(second); i != std::string::npos)  // R4
    return with_rule("R4", malformed("end-of-archive marker: byte at offset " + std::to_string(at + kBlock + i) +
                                     " is not zero"));
  FWSEAL_ASSIGN(std::string after, in.read_up_to(1));
  if (!after.empty())  // R4
    return with_rule("R4", malformed("data after the end of the archive at offset " + std::to_string(at + 2 * kBlock)));
  return ok_status();
}

}  // namespace

std::size_t first_nonzero(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size(); ++i)
    if (bytes[i] != '\0') return i;
  return std::string_view::npos;
}

Result<std::string> PackageSource::read(std::size_t n, std::string_view inside) {
  FWSEAL_ASSIGN(std::string out, read_up_to(n));
  if (out.size() < n) return truncated_package(offset(), inside, offset() - out.size() + n);
  return out;
}

// --- FileSource ---------------------------------------------------------------

Result<FileSource> FileSource::open(int fd, std::string path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return make_error(Code::io, path + ": cannot stat: " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) return make_error(Code::io, path + ": not a regular file");
  return FileSource(fd, std::move(path), static_cast<std::uint64_t>(st.st_size));
}

Result<std::string> FileSource::read_up_to(std::size_t n) {
  std::uint64_t left = offset_ < size_ ? size_ - offset_ : 0;
  std::string out(static_cast<std::size_t>(std::min<std::uint64_t>(n, left)), '\0');
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t r = ::pread(fd_, out.data() + got, out.size() - got, static_cast<off_t>(offset_ + got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return make_error(Code::io, path_ + ": read failed: " + errno_text(errno));
    if (r == 0) break;  // the file shrank under us: the caller sees a short read
    got += static_cast<std::size_t>(r);
  }
  out.resize(got);
  offset_ += got;
  return out;
}

Status FileSource::stream(std::uint64_t n, std::string_view inside,
                          const std::function<Status(std::string_view chunk)>& consume) {
  if (!consume) {
    if (n > size_ - std::min(offset_, size_)) {
      const std::uint64_t needed = offset_ + n;
      offset_ = size_;
      return truncated_package(size_, inside, needed);
    }
    offset_ += n;
    return ok_status();
  }
  constexpr std::size_t kChunk = 1 << 20;
  const std::uint64_t entry_end = offset_ + n;
  while (n > 0) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(n, kChunk));
    FWSEAL_ASSIGN(std::string chunk, read_up_to(want));
    if (chunk.size() < want) return truncated_package(offset_, inside, entry_end);
    FWSEAL_TRY(consume(chunk));
    n -= chunk.size();
  }
  return ok_status();
}

// --- Steps --------------------------------------------------------------------

// Step 1.
Result<ManifestHeader> read_manifest_header(PackageSource& in) {
  ManifestHeader h;
  FWSEAL_ASSIGN(h.block, in.read(kBlock, "the header of manifest.json"));
  FWSEAL_ASSIGN(ParsedHeader parsed, parse_plain_header(h.block, 0, "the header of manifest.json", "R1"));
  if (parsed.name != kManifestEntry)  // R3
    return with_rule("R3", malformed("offset 0: the first entry must be manifest.json, found " + quote(parsed.name) +
                                     " (is this an fwseal package?)"));
  if (parsed.size > kMaxManifestBytes)  // R5, before the data is read
    return with_rule("R5", malformed("manifest.json: " + std::to_string(parsed.size) +
                                     " bytes, more than the limit of " + std::to_string(kMaxManifestBytes)));
  h.size = parsed.size;
  return h;
}

// Step 2.
Result<std::string> read_manifest_bytes(PackageSource& in, const ManifestHeader& header) {
  FWSEAL_ASSIGN(std::string bytes, in.read(static_cast<std::size_t>(header.size), "manifest.json"));
  FWSEAL_TRY(skip_padding(in, header.size, kManifestEntry));
  return bytes;
}

// Step 4.
Status check_manifest_header(const ManifestHeader& header, const UnverifiedManifest& manifest) {
  FWSEAL_ASSIGN(std::string expected, tar_header(kManifestEntry, header.size, manifest.content.created));
  return compare_header(header.block, expected, kManifestEntry, 0);
}

// Step 5, one entry.
Status read_entry(PackageSource& in, const EntryLayout& e, std::int64_t created,
                  const std::function<Status(std::string_view chunk)>& consume) {
  FWSEAL_ASSIGN(std::string expected, tar_header(e.name, e.data_size, created));
  FWSEAL_ASSIGN(std::string header, in.read(expected.size(), "the header of " + e.name));
  FWSEAL_TRY(compare_header(header, expected, e.name, e.header_offset));
  FWSEAL_TRY(in.stream(e.data_size, e.name, consume));
  return skip_padding(in, e.data_size, e.name);
}

// Step 6.
Result<std::vector<SignatureEnvelope>> read_signatures(PackageSource& in, const UnverifiedManifest& manifest) {
  std::vector<SignatureEnvelope> envelopes;
  for (;;) {
    const std::uint64_t at = in.offset();
    FWSEAL_ASSIGN(std::string block, in.read_up_to(kBlock));
    if (block.empty())  // R4
      return with_rule("R4", malformed("package ends at offset " + std::to_string(at) +
                                       " where a signature entry or the end-of-archive marker must start (truncated): "
                                       "it has " + std::to_string(at) + " bytes, at least " +
                                       std::to_string(at + 2 * kBlock) + " expected"));
    if (block.size() < kBlock)
      return truncated_package(in.offset(), "the block at offset " + std::to_string(at), at + kBlock);

    if (is_zero(block)) {
      FWSEAL_TRY(finish_end_of_archive(in, at));
      return envelopes;
    }

    if (envelopes.size() >= kMaxSignatures)  // R5
      return with_rule("R5", malformed("offset " + std::to_string(at) + ": more than " +
                                       std::to_string(kMaxSignatures) + " signature entries"));
    // A block that is neither zero nor a header here is a damaged end-of-archive marker (R4).
    FWSEAL_ASSIGN(ParsedHeader parsed,
                  parse_plain_header(block, at, "a signature entry or the end of the archive", "R4"));
    FWSEAL_ASSIGN(KeyId name_id, signature_entry_key_id(parsed.name, at));
    const std::string& name = parsed.name;
    if (parsed.size > kMaxSignatureEntryBytes)  // R5, before the data is read
      return with_rule("R5", malformed(name + ": " + std::to_string(parsed.size) + " bytes, more than the limit of " +
                                       std::to_string(kMaxSignatureEntryBytes)));
    FWSEAL_ASSIGN(std::string expected, tar_header(name, parsed.size, manifest.content.created));
    FWSEAL_TRY(compare_header(block, expected, name, at));
    FWSEAL_ASSIGN(std::string data, in.read(static_cast<std::size_t>(parsed.size), name));
    FWSEAL_TRY(skip_padding(in, parsed.size, name));

    FWSEAL_ASSIGN(SignatureEnvelope env, parse_envelope(data, name));
    // Certificates are structure too: bytes that are not a DER certificate are
    // malformed whoever signed, before any decision looks at them (R15).
    for (std::size_t i = 0; i < env.certificates.size(); ++i)
      FWSEAL_TRY(with_rule("R15", certificate_from_der(env.certificates[i], index_path(name + ".certificates", i))));
    if (env.key_id != name_id)  // R16
      return with_rule("R16", malformed(name + ": the envelope's key_id " + to_hex(env.key_id) +
                                        " is not the one in the entry name"));
    for (const auto& other : envelopes)
      if (other.key_id == env.key_id)  // R16
        return with_rule("R16", malformed(name + ": a second signature by the same key (offset " +
                                          std::to_string(at) + ")"));
    envelopes.push_back(std::move(env));
  }
}

// Version 2, step 5.
Result<std::vector<SignatureEnvelope>> read_signature_area(PackageSource& in, const UnverifiedManifest& manifest) {
  const Manifest& m = manifest.content;
  if (m.format_version < kManifestFormatVersion)
    return make_error(Code::internal, "read_signature_area on a version-1 package");
  EntryLayout e;
  e.name = std::string(kSignaturesEntry);
  e.header_offset = in.offset();
  e.data_size = m.signature_space;
  std::string area;
  area.reserve(static_cast<std::size_t>(m.signature_space));
  // R24: signatures.json's canonical header (a header of another entry too),
  // its signature_space bytes in full.
  if (Status read = read_entry(in, e, m.created,
                               [&](std::string_view chunk) {
                                 area.append(chunk);
                                 return ok_status();
                               });
      !read.ok())
    return replace_rule("R24", std::move(read).error());
  const std::uint64_t data_offset = in.offset() - padded_size(m.signature_space);
  FWSEAL_ASSIGN(std::vector<SignatureEnvelope> envelopes, parse_signature_area(area, data_offset));
  // Certificates are structure too: bytes that are not a DER certificate are
  // malformed whoever signed, before any decision looks at them (R24).
  std::string signatures(kSignaturesEntry);
  signatures += ".signatures";
  for (std::size_t i = 0; i < envelopes.size(); ++i)
    for (std::size_t c = 0; c < envelopes[i].certificates.size(); ++c)
      FWSEAL_TRY(with_rule("R24", certificate_from_der(envelopes[i].certificates[c],
                                                       index_path(index_path(signatures, i) + ".certificates", c))));
  return envelopes;
}

Status read_end_of_archive(PackageSource& in) {
  const std::uint64_t at = in.offset();
  FWSEAL_ASSIGN(std::string block, in.read(kBlock, "the end-of-archive marker"));
  if (!is_zero(block)) {
    if (auto parsed = parse_tar_header(block, "header"); parsed.ok())  // R3: no entry after the last image
      return with_rule("R3", malformed("offset " + std::to_string(at) + ": entry " + quote(parsed->name) +
                                       " after the last image, where the end of the archive must be"));
    // R4: a damaged end-of-archive marker.
    return with_rule("R4", malformed("end-of-archive marker: byte at offset " +
                                     std::to_string(at + first_nonzero(block)) + " is not zero"));
  }
  return finish_end_of_archive(in, at);
}

// --- Without the decision -------------------------------------------------------

Result<UnverifiedPackage> read_unverified_package(const std::string& path) {
  FWSEAL_ASSIGN(Fd fd, open_read(path));
  // A signer appends under an exclusive lock (signer/src/sign.cpp); the
  // shared one keeps this read from seeing the package half-appended.
  int rc = 0;
  do rc = ::flock(fd.get(), LOCK_SH);
  while (rc != 0 && errno == EINTR);
  return read_unverified_package(fd.get(), path);
}

Result<UnverifiedPackage> read_unverified_package(int fd, const std::string& path) {
  // "R2: cam.fwpkg: image/kernel: ...": the rule first, as fwseal-verify says it.
  auto named = [&](const Error& e) { return with_context(path, e); };
  auto read = [&]() -> Result<UnverifiedPackage> {
    FWSEAL_ASSIGN(FileSource in, FileSource::open(fd, path));
    FWSEAL_ASSIGN(ManifestHeader header, read_manifest_header(in));
    FWSEAL_ASSIGN(std::string bytes, read_manifest_bytes(in, header));
    UnverifiedPackage out;
    FWSEAL_ASSIGN(out.manifest, parse_manifest(bytes));
    FWSEAL_TRY(check_manifest_header(header, out.manifest));
    const Manifest& m = out.manifest.content;
    FWSEAL_ASSIGN(std::vector<EntryLayout> layout, compute_layout(m, bytes.size()));
    if (m.format_version >= kManifestFormatVersion) {
      out.signature_area_offset = layout[1].data_offset;
      FWSEAL_ASSIGN(out.signatures, read_signature_area(in, out.manifest));
      for (std::size_t i = 2; i < layout.size(); ++i) FWSEAL_TRY(read_entry(in, layout[i], m.created, nullptr));
      out.end_offset = in.offset();
      FWSEAL_TRY(read_end_of_archive(in));
      return out;
    }
    for (std::size_t i = 1; i < layout.size(); ++i) FWSEAL_TRY(read_entry(in, layout[i], m.created, nullptr));
    out.end_offset = layout.back().end_offset;
    FWSEAL_ASSIGN(out.signatures, read_signatures(in, out.manifest));
    out.end_offset = in.offset() - 2 * kBlock;
    return out;
  };
  auto r = read();
  if (!r.ok()) return r.error().code == Code::io ? r.error() : named(r.error());
  return r;
}

}  // namespace fwseal

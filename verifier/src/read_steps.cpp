// Steps 1-6: reading the package. Every byte is checked against the one value
// the format allows for it; what the bytes claim is not yet trusted.
#include <algorithm>

#include "fwseal/base/digest.h"
#include "fwseal/format/canonical_json.h"
#include "fwseal/format/layout.h"
#include "fwseal/format/x509.h"
#include "fwseal/base/text.h"
#include "steps.h"

namespace fwseal::verifier::steps {
namespace {

Error malformed(std::string message) { return make_error(Code::malformed, std::move(message)); }

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
// changed mode, owner, mtime or checksum is caught as surely as a changed size.
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
  return malformed(std::string(entry) + ": the header at offset " + std::to_string(at) +
                   " is not the canonical one: first difference at offset " + std::to_string(at + i) + " (byte " +
                   std::to_string(i) + " of the header)" + found);
}

bool is_zero(std::string_view block) { return first_nonzero(block) == std::string_view::npos; }

// parse_tar_header sees one block alone, so libarchive reports an extension
// header there as a damaged archive or as its end, and a link as "not a
// regular file". Say what it is instead.
Result<ParsedHeader> parse_plain_header(std::string_view block, std::uint64_t at, std::string_view must_be) {
  const std::string where = "offset " + std::to_string(at);
  auto parsed = parse_tar_header(block, where);
  if (parsed.ok()) return parsed;
  std::string kind = special_kind(block);
  if (kind.empty()) return parsed;
  return malformed(where + ": " + kind + " where " + std::string(must_be) +
                   " must be (fwseal packages hold plain files only)");
}

// "signature/<64 lowercase hex>.json" -> the key id.
Result<KeyId> signature_entry_key_id(std::string_view name, std::uint64_t at) {
  auto wrong = [&] {
    return malformed("offset " + std::to_string(at) + ": entry " + quote(name) +
                     " where a signature entry (signature/<64 lowercase hex digits>.json) or the end of the "
                     "archive must be");
  };
  constexpr std::string_view kSuffix = ".json";
  if (!name.starts_with(kSignaturePrefix) || !name.ends_with(kSuffix) ||
      name.size() != kSignaturePrefix.size() + 64 + kSuffix.size())
    return wrong();
  auto id = sha256_from_hex(name.substr(kSignaturePrefix.size(), 64), name);
  if (!id.ok()) return wrong();
  return *id;
}

}  // namespace

std::string short_hex(const Sha256& digest) { return to_hex(digest).substr(0, 16) + "…"; }


// Step 1.
Result<ManifestHeader> read_manifest_header(PackageStream& in) {
  ManifestHeader h;
  FWSEAL_ASSIGN(h.block, in.read(kBlock, "the header of manifest.json"));
  FWSEAL_ASSIGN(ParsedHeader parsed, parse_plain_header(h.block, 0, "the header of manifest.json"));
  if (parsed.name != kManifestEntry)
    return malformed("offset 0: the first entry must be manifest.json, found " + quote(parsed.name) +
                     " (is this an fwseal package?)");
  if (parsed.size > kMaxManifestBytes)
    return malformed("manifest.json: " + std::to_string(parsed.size) + " bytes, more than the limit of " +
                     std::to_string(kMaxManifestBytes));
  h.size = parsed.size;
  return h;
}

// Step 2.
Result<std::string> read_manifest_bytes(PackageStream& in, const ManifestHeader& header) {
  FWSEAL_ASSIGN(std::string bytes, in.read(static_cast<std::size_t>(header.size), "manifest.json"));
  FWSEAL_TRY(in.skip_padding(header.size, kManifestEntry));
  return bytes;
}

// Step 3.
Result<UnverifiedManifest> parse_unverified_manifest(std::string_view bytes) { return parse_manifest(bytes); }

// Step 4.
Status check_manifest_header(const ManifestHeader& header, const UnverifiedManifest& manifest) {
  FWSEAL_ASSIGN(std::string expected, tar_header(kManifestEntry, header.size, manifest.content.created));
  return compare_header(header.block, expected, kManifestEntry, 0);
}

// Step 5.
Result<Contents> read_contents(PackageStream& in, const UnverifiedManifest& manifest, PackageSink* sink) {
  const Manifest& m = manifest.content;
  if (m.sbom && m.sbom->size > kMaxSbomBytes)
    return malformed("manifest.sbom.size: " + std::to_string(m.sbom->size) + " bytes, more than the limit of " +
                     std::to_string(kMaxSbomBytes));
  FWSEAL_ASSIGN(std::vector<EntryLayout> layout, compute_layout(m, manifest.bytes.size()));
  if (layout.empty() || in.offset() != layout.front().end_offset)
    return make_error(Code::internal, "verifier lost its place after manifest.json");
  if (sink) FWSEAL_TRY(sink->begin(manifest));

  Contents out;
  Hasher hasher = Hasher::sha256();
  for (std::size_t i = 1; i < layout.size(); ++i) {
    const EntryLayout& e = layout[i];
    // compute_layout lists the SBOM first when there is one, then the images.
    const bool is_sbom = m.sbom.has_value() && i == 1;
    const ImageInfo* image = is_sbom ? nullptr : &m.images[i - (m.sbom ? 2 : 1)];

    FWSEAL_ASSIGN(std::string expected, tar_header(e.name, e.data_size, m.created));
    FWSEAL_ASSIGN(std::string header, in.read(expected.size(), "the header of " + e.name));
    FWSEAL_TRY(compare_header(header, expected, e.name, e.header_offset));

    if (is_sbom) out.sbom.emplace().reserve(static_cast<std::size_t>(e.data_size));
    if (sink && image) FWSEAL_TRY(sink->begin_image(*image));
    FWSEAL_TRY(in.stream(e.data_size, e.name, [&](std::string_view chunk) -> Status {
      hasher.update(chunk);
      if (is_sbom) out.sbom->append(chunk);
      if (sink && image) return sink->image_data(chunk);
      return ok_status();
    }));
    if (sink && image) FWSEAL_TRY(sink->end_image());
    FWSEAL_TRY(in.skip_padding(e.data_size, e.name));

    EntryDigest d;
    d.label = is_sbom ? std::string("sbom") : "image " + image->name;
    d.expected = is_sbom ? m.sbom->sha256 : image->sha256;
    std::string raw = hasher.finish();
    std::copy(raw.begin(), raw.end(), d.actual.begin());
    out.digests.push_back(std::move(d));
  }
  if (in.offset() != layout.back().end_offset)
    return make_error(Code::internal, "verifier lost its place after the images");
  return out;
}

// Step 6.
Result<std::vector<SignatureEnvelope>> read_signatures(PackageStream& in, const UnverifiedManifest& manifest) {
  std::vector<SignatureEnvelope> envelopes;
  for (;;) {
    const std::uint64_t at = in.offset();
    FWSEAL_ASSIGN(std::string block, in.read_up_to(kBlock));
    if (block.empty())
      return malformed("package ends at offset " + std::to_string(at) +
                       " where a signature entry or the end-of-archive marker must start (truncated)");
    if (block.size() < kBlock)
      return malformed("package ends at offset " + std::to_string(in.offset()) + " inside the block at offset " +
                       std::to_string(at) + " (truncated)");

    if (is_zero(block)) {
      // The end of the archive: exactly two zero blocks, then nothing.
      FWSEAL_ASSIGN(std::string second, in.read(kBlock, "the end-of-archive marker"));
      if (std::size_t i = first_nonzero(second); i != std::string::npos)
        return malformed("end-of-archive marker: byte at offset " + std::to_string(at + kBlock + i) +
                         " is not zero");
      FWSEAL_ASSIGN(std::string after, in.read_up_to(1));
      if (!after.empty())
        return malformed("data after the end of the archive at offset " + std::to_string(at + 2 * kBlock));
      return envelopes;
    }

    if (envelopes.size() >= kMaxSignatures)
      return malformed("offset " + std::to_string(at) + ": more than " + std::to_string(kMaxSignatures) +
                       " signature entries");
    FWSEAL_ASSIGN(ParsedHeader parsed, parse_plain_header(block, at, "a signature entry or the end of the archive"));
    FWSEAL_ASSIGN(KeyId name_id, signature_entry_key_id(parsed.name, at));
    const std::string& name = parsed.name;
    if (parsed.size > kMaxSignatureEntryBytes)
      return malformed(name + ": " + std::to_string(parsed.size) + " bytes, more than the limit of " +
                       std::to_string(kMaxSignatureEntryBytes));
    FWSEAL_ASSIGN(std::string expected, tar_header(name, parsed.size, manifest.content.created));
    FWSEAL_TRY(compare_header(block, expected, name, at));
    FWSEAL_ASSIGN(std::string data, in.read(static_cast<std::size_t>(parsed.size), name));
    FWSEAL_TRY(in.skip_padding(parsed.size, name));

    FWSEAL_ASSIGN(SignatureEnvelope env, parse_envelope(data, name));
    // Certificates are structure too: bytes that are not a DER certificate are
    // malformed whoever signed, before any decision looks at them.
    for (std::size_t i = 0; i < env.certificates.size(); ++i)
      FWSEAL_TRY(certificate_from_der(env.certificates[i], index_path(name + ".certificates", i)));
    if (env.key_id != name_id)
      return malformed(name + ": the envelope's key_id " + to_hex(env.key_id) + " is not the one in the entry name");
    for (const auto& other : envelopes)
      if (other.key_id == env.key_id)
        return malformed(name + ": a second signature by the same key (offset " + std::to_string(at) + ")");
    envelopes.push_back(std::move(env));
  }
}

}  // namespace fwseal::verifier::steps

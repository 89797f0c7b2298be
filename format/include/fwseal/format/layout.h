// Where every byte of a package sits. A package is a POSIX (pax) tar archive.
// Version 2 (written by fwseal), signatures first:
//
//   manifest.json                  the canonical manifest
//   signatures.json                the signature area: manifest.signature_space bytes
//   sbom.cdx.json                  only if the manifest names an SBOM
//   image/<name>                   one per image, in manifest order
//   two zero blocks                end of archive, nothing after it
//
// Version 1 (still verified), signatures last:
//
//   manifest.json, sbom.cdx.json, image/<name>...
//   signature/<key id hex>.json    zero or more signature envelopes
//   two zero blocks
//
// Every header is the one libarchive writes for (name, size, created) with mode
// 0644, owner 0:0, no user or group names; tar_header() is the single source of
// those bytes for the packager, the signer and the verifier. Data is followed
// by zero padding to the next 512-byte boundary.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/format/manifest.h"

namespace fwseal {

inline constexpr std::uint64_t kBlock = 512;
inline constexpr std::string_view kManifestEntry = "manifest.json";
inline constexpr std::string_view kSbomEntry = "sbom.cdx.json";
inline constexpr std::string_view kImagePrefix = "image/";
inline constexpr std::string_view kSignaturePrefix = "signature/";
inline constexpr std::string_view kSignaturesEntry = "signatures.json";
inline constexpr std::size_t kMaxSignatures = 32;
inline constexpr std::size_t kMaxSignatureEntryBytes = 256 * 1024;
inline constexpr std::size_t kMaxSbomBytes = 64u << 20;

std::string image_entry_name(std::string_view image_name);
std::string signature_entry_name(std::string_view key_id_hex);

inline constexpr std::uint64_t padded_size(std::uint64_t n) { return (n + kBlock - 1) / kBlock * kBlock; }

// The exact header bytes (a multiple of 512: one ustar block, or a pax
// extended header plus a ustar block when the size needs it).
Result<std::string> tar_header(std::string_view name, std::uint64_t size, std::int64_t mtime);

// Two zero blocks.
std::string end_of_archive();

struct ParsedHeader {
  std::string name;
  std::uint64_t size = 0;
};

// Reads one 512-byte ustar header block with libarchive. Code::malformed if it
// is not a plain regular-file ustar header (pax, GNU and other extensions are
// refused here: fwseal writes them only for images, whose headers the reader
// knows in advance). `where` names the offset for messages. The message starts
// with R3 for a zero block (a missing entry) and for headers of another kind
// or type, R5 for a size beyond 2^63; a block that is no header at all, or a
// damaged one, is left to the caller's rule (R1, or R4 where the end of the
// archive may stand).
Result<ParsedHeader> parse_tar_header(std::string_view block, std::string_view where);

struct EntryLayout {
  enum class Kind { manifest, signatures, sbom, image };
  Kind kind = Kind::manifest;
  std::size_t image = 0;  // the index in manifest.images, for Kind::image
  std::string name;
  std::uint64_t header_offset = 0;
  std::uint64_t header_size = 0;
  std::uint64_t data_offset = 0;
  std::uint64_t data_size = 0;
  std::uint64_t end_offset = 0;  // after padding
};

// Offsets of the manifest, the signature area (version 2), the SBOM and the
// images for a manifest of `manifest_size` bytes; `back().end_offset` is where
// the end of archive (version 2) or the signature entries (version 1) begin.
Result<std::vector<EntryLayout>> compute_layout(const Manifest& m, std::uint64_t manifest_size);

}  // namespace fwseal

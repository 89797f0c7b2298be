// Byte-for-byte comparison of two builds of one package: the signed package
// without its signature entries (docs/FORMAT.md: the unsigned package is the
// signed one up to its first signature entry, followed by the two end blocks)
// against a rebuilt unsigned package.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fwseal/base/digest.h"
#include "fwseal/base/error.h"
#include "fwseal/format/layout.h"
#include "fwseal/format/manifest.h"

namespace fwseal::pipeline {

// Where a byte offset of a package sits, by the layout of format/layout.h.
struct Location {
  std::uint64_t offset = 0;
  std::string entry;  // "manifest.json", "image/rootfs", ... or "end of archive"
  std::string part;   // "header", "pax header", "data", "padding", "end of archive"
  std::string field;  // tar header field ("mtime", "size", ...), manifest member ("images[1].sha256"),
                      // or "byte N" of an entry's data; may be empty
  std::string describe() const;  // "image/rootfs data (byte 4096) at offset 5632"
};

// The tar header field at `offset_in_block` (0-511) of a ustar header block:
// "name", "mode", "uid", "gid", "size", "mtime", "chksum", "typeflag",
// "linkname", "magic", "version", "uname", "gname", "devmajor", "devminor",
// "prefix", "pad".
std::string ustar_field(std::uint64_t offset_in_block);

// The first member in which two manifests differ, in the order of their
// canonical JSON ("created", "hardware", "images[2].sha256", "sbom.size", ...);
// "" if they are equal.
std::string first_manifest_difference(const Manifest& a, const Manifest& b);

// Maps `offset` of a package laid out as `layout` to an entry, part and field.
// `manifests` (optional) name the manifest member for offsets in manifest data.
Location locate(const std::vector<EntryLayout>& layout, std::uint64_t offset, const Manifest* a = nullptr,
                const Manifest* b = nullptr);

struct CompareResult {
  bool identical = false;
  Sha256 manifest_digest_signed{};   // of the package that was released
  Sha256 manifest_digest_rebuilt{};  // of the rebuild
  std::uint64_t unsigned_size_signed = 0;   // bytes of the unsigned form
  std::uint64_t unsigned_size_rebuilt = 0;
  std::optional<Location> first_difference;      // in the released package's layout
  std::vector<std::string> differing_entries;    // every entry whose header, data or padding differs, in order
  std::string message() const;  // one line: what differs and where
};

// Compares the unsigned form of `signed_package` with `rebuilt_package`
// (which must carry no signatures). Code::io if a file cannot be read,
// Code::malformed if either is not a well-formed package (naming it).
// A difference is not an error: it is in the result.
Result<CompareResult> compare_unsigned(const std::string& signed_package, const std::string& rebuilt_package);

}  // namespace fwseal::pipeline

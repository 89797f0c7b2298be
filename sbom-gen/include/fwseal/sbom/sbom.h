// CycloneDX 1.6 SBOM generation for firmware releases.
//
// The caller (the `fwseal sbom generate` command, the pipeline) fills an
// SbomConfig and gets the BOM's bytes back: nothing here reads argv or the
// environment, prints, or writes files. sbom-gen/README.md describes what is
// discovered and how, and the accepted input formats.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/digest.h"
#include "fwseal/base/error.h"
#include "fwseal/base/file.h"

namespace fwseal::sbom {

// One firmware image to describe. `path` is a regular file or a directory:
// a directory tree is walked (symlinks are never followed); a file that
// libarchive reads (tar, cpio, zip, ISO 9660, 7-Zip, ar, optionally gzip, bzip2,
// xz, lzma, zstd, lz4 or compress) is read as an archive, streaming, never
// extracted; any other file is one raw image (a kernel, a bootloader, a
// filesystem image fwseal does not open).
struct ImageSpec {
  std::string name;  // as in the package manifest: 1-64 of [A-Za-z0-9._-]
  std::string type;  // manifest image type: rootfs, kernel, bootloader, ...
  std::string path;
};

// An organisation as CycloneDX's organizationalEntity: name, URLs, contact.
struct Organisation {
  std::string name;               // 1-128 bytes of text; "" means none given
  std::vector<std::string> urls;  // absolute URLs, at most 16
  std::string contact_name, contact_email;  // optional
};

// A person or team that made the SBOM's data (CycloneDX organizationalContact).
struct Author {
  std::string name;   // 1-128 bytes of text
  std::string email;  // optional
};

struct SbomConfig {
  std::string product;   // metadata.component.name
  std::string version;   // metadata.component.version
  std::string supplier;  // metadata.supplier and metadata.component.supplier; may be empty
  // The organisation that made the product and this BOM: metadata.manufacturer
  // and metadata.component.manufacturer. May be empty.
  Organisation manufacturer;
  // metadata.authors. Empty: the manufacturer (its name and contact email),
  // else the supplier, as the organisation that made the BOM's data; nothing
  // when neither is given (sbom-gen/README.md, "Metadata").
  std::vector<Author> authors;
  std::vector<ImageSpec> images;
  // Components declared by the build: fwseal components JSON, Buildroot
  // legal-info manifest.csv or Yocto license.manifest, told apart by content.
  std::vector<std::string> components_files;
  // How the BOM names each components file (as a spec wrote it, say, so that
  // the BOM does not depend on where the build ran); empty: by its path.
  std::vector<std::string> components_labels;
  std::int64_t timestamp = 0;  // seconds since the epoch (SOURCE_DATE_EPOCH)
  // Images always get a SHA-256 (the digest the package manifest binds);
  // SHA-512 too when asked for, as some SBOM policies (BSI TR-03183-2) want.
  // It costs about twice the SHA-256's time.
  bool sha512 = false;
  std::string tool_version;    // fwseal's version, named in metadata.tools
};

struct SbomOutput {
  std::string json;  // the CycloneDX 1.6 BOM: sorted keys, 2-space indent, final newline
  // Things an auditor should look at, one line each, sorted; also recorded in
  // the BOM as metadata.properties named "fwseal:warning". E.g. two versions
  // of one component, a file that looks like OpenSSL without a version.
  std::vector<std::string> warnings;
};

// Identical configs and image contents give identical bytes.
// Errors: Code::usage for a bad config (names, duplicate images, timestamp),
// Code::io when an image or components file cannot be read, Code::malformed
// for hostile or broken input (archive, components file, package database,
// limits exceeded), each naming the image, path and field.
Result<SbomOutput> generate_sbom(const SbomConfig& config);

// A BOM waiting for its file images' SHA-256 digests, for a caller that reads
// and hashes every image anyway: `fwseal package` copies each image into the
// package and hashes it on the way, so the scan needs no hashing of its own.
// Cheap to copy (the state is shared and never changes).
class SbomDraft {
 public:
  struct State;

  // The size of every BOM render() gives: the layout of a package can be
  // planned before the digests exist.
  std::size_t size() const;
  // Per image, in config order: the file the scan read, for the caller to
  // check that it reads the same file, unchanged.
  const std::vector<FileStamp>& scanned() const;
  const std::vector<std::string>& warnings() const;
  // The BOM with these digests, one per image in config order: the bytes
  // generate_sbom gives for images with these contents. Code::internal for a
  // wrong count.
  Result<SbomOutput> render(const std::vector<Sha256>& image_sha256) const;

 private:
  friend Result<SbomDraft> draft_sbom(const SbomConfig& config);
  std::shared_ptr<State> state_;
};

// Scans like generate_sbom without hashing the images. Code::usage besides
// generate_sbom's errors: config.sha512 set, or an image that is a directory.
Result<SbomDraft> draft_sbom(const SbomConfig& config);


}  // namespace fwseal::sbom

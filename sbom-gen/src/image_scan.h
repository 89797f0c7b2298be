// Reading one image: a directory tree, an archive, or a raw file, each byte
// once, and everything the discovery sources need from it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fwseal/base/digest.h"
#include "fwseal/base/error.h"
#include "fwseal/base/file.h"
#include "file_scanner.h"
#include "fwseal/sbom/sbom.h"
#include "model.h"
#include "package_db.h"

namespace fwseal::sbom {

struct ImageScan {
  std::string sha256_hex, sha512_hex;
  // "file": digests of the image file's bytes; "tree-listing-v1": digests of
  // the directory listing README.md describes (paths, sizes, SHA-256 of
  // each file, link targets).
  std::string digest_of;
  std::uint64_t files = 0;
  std::vector<Finding> findings;  // ELF notes and fingerprints
  std::vector<std::string> warnings;
  std::vector<StatusFile> status_files;
  std::map<std::string, std::string> dpkg_owner, opkg_owner;  // path -> package, from info/*.list
  std::map<std::string, CopyrightLicences> copyrights;         // package -> its copyright file
  std::map<std::string, std::string> doc_links;                // usr/share/doc/A -> B (symlinked doc dirs)
  std::string os_release;
  // A file image: the file that was read (the same before and after).
  std::optional<FileStamp> stamp;
};

// Reads `spec.path`; `sha512`: also the image's SHA-512 (else sha512_hex
// stays empty); `hash` false: a file image's digests are left to the caller
// (both stay empty). Code::io if it cannot be read or a file image changes
// while it is read, Code::malformed for a broken archive, a package database
// over its limit, or too many entries.
Result<ImageScan> scan_image(const ImageSpec& spec, bool sha512 = false, bool hash = true);

// The image's digests: SHA-256, and SHA-512 when asked for; none with `hash`
// false (finish() then gives two empty strings).
class ImageHashers {
 public:
  explicit ImageHashers(bool sha512, bool hash = true);
  void update(std::string_view bytes);
  // Raw digest bytes; the SHA-512 is empty when it was not asked for.
  std::pair<std::string, std::string> finish();

 private:
  std::optional<Hasher> h256_, h512_;
};

// Fills `buf` with up to `cap` bytes; 0 at the end of the file.
using ReadFn = std::function<Result<std::size_t>(char* buf, std::size_t cap)>;

// What the walkers hand each entry to.
class ImageSink {
 public:
  ImageSink(const ImageSpec& spec, bool tree_listing, bool sha512);
  // A regular file at `path` (as the directory or archive names it) of
  // announced `size`, read through `read` until it returns 0.
  Status file(std::string_view path, std::uint64_t size, const ReadFn& read, std::string_view raw_image_type = {});
  Status symlink(std::string_view path, std::string_view target);
  Status directory(std::string_view path);
  // Counts entries the walkers skip (devices, fifos, hard links without data).
  Status other();
  void warn(std::string message);
  // Directory images: the digests of the tree listing. Others: the caller's.
  ImageScan finish(std::optional<std::pair<std::string, std::string>> file_digests);

 private:
  Status count();
  Status take_special(const std::string& path, FileScanResult& r);
  void list(std::string_view line);

  const ImageSpec& spec_;
  bool tree_;
  std::optional<ImageHashers> tree_hashers_;
  std::uint64_t entries_ = 0;
  std::uint64_t listed_paths_ = 0;
  bool dropped_warnings_ = false;
  std::vector<char> buf_;
  ImageScan scan_;
};

// Walkers: each feeds every entry of the image to `sink`.
Status walk_directory(const std::string& root, ImageSink& sink);
// Returns false (and has consumed nothing of `sink`) if `path` is not an
// archive libarchive recognises; the file digests are of every byte of it.
Result<bool> walk_archive(const std::string& path, ImageSink& sink, ImageHashers& digests);
Status walk_raw_file(const std::string& path, std::string_view image_type, ImageSink& sink, ImageHashers& digests);

}  // namespace fwseal::sbom

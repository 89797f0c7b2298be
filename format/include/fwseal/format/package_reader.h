// The one reader of a package's structure (docs/FORMAT.md, steps 1-6): every
// header, padding byte and signature entry is checked against the one value
// the format allows, in file order, bounds-checked against the limits of R3,
// R5 and R16. Nothing it returns is trusted: the verifier decides (step 7);
// `inspect`, `sign` and `compare` read an UnverifiedPackage and say so.
//
// The reader works on a PackageSource: the verifier's is a stream (a pipe
// works), read once, front to back; FileSource reads a regular file and skips
// image data it is not asked for without reading it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/format/layout.h"
#include "fwseal/format/manifest.h"
#include "fwseal/format/signature.h"

namespace fwseal {

// The error of a package that ends early (Code::malformed, R4): where it ended
// (the bytes it has), what it was in the middle of, and the least size the
// bytes read so far require, e.g. "R4: package ends at offset 100000 inside
// image/kernel (truncated): it has 100000 bytes, at least 168448 expected".
Error truncated_package(std::uint64_t ended, std::string_view inside, std::uint64_t needed);

// Where package bytes come from, front to back.
class PackageSource {
 public:
  virtual ~PackageSource() = default;
  // Bytes consumed so far: the offset of the next byte.
  virtual std::uint64_t offset() const = 0;
  // Up to `n` bytes: fewer only at the end of the input. Code::io on errors.
  virtual Result<std::string> read_up_to(std::size_t n) = 0;
  // The next `n` bytes, passed to `consume` in bounded chunks; with no
  // `consume`, a source may skip them without reading. Code::malformed
  // "package ends at offset N inside <inside> (truncated)" at the end.
  virtual Status stream(std::uint64_t n, std::string_view inside,
                        const std::function<Status(std::string_view chunk)>& consume) = 0;

  // Exactly `n` bytes, or the truncation error naming `inside`.
  Result<std::string> read(std::size_t n, std::string_view inside);
};

// A regular file read with pread: the data of entries nobody consumes is
// skipped, so reading the structure of a 10 GiB package costs a few reads.
class FileSource final : public PackageSource {
 public:
  // Code::io if `fd` is not a regular file.
  static Result<FileSource> open(int fd, std::string path);
  std::uint64_t offset() const override { return offset_; }
  Result<std::string> read_up_to(std::size_t n) override;
  Status stream(std::uint64_t n, std::string_view inside,
                const std::function<Status(std::string_view chunk)>& consume) override;
  std::uint64_t size() const { return size_; }

 private:
  FileSource(int fd, std::string path, std::uint64_t size) : fd_(fd), path_(std::move(path)), size_(size) {}
  int fd_;
  std::string path_;
  std::uint64_t size_;
  std::uint64_t offset_ = 0;
};

// The index of the first non-zero byte, or npos.
std::size_t first_nonzero(std::string_view bytes);

// Step 1 (R1, R3, R5): block 0 is the plain header of "manifest.json", at most
// kMaxManifestBytes.
struct ManifestHeader {
  std::string block;  // the 512 bytes as read; compared in step 4
  std::uint64_t size = 0;
};
Result<ManifestHeader> read_manifest_header(PackageSource& in);

// Step 2 (R2): the manifest bytes and their zero padding.
Result<std::string> read_manifest_bytes(PackageSource& in, const ManifestHeader& header);

// Step 4 (R1): the manifest's header is byte for byte tar_header("manifest.json",
// size, created).
Status check_manifest_header(const ManifestHeader& header, const UnverifiedManifest& manifest);

// Step 5, one entry (R1, R2, R4): its canonical header at `e.header_offset`,
// then its data (to `consume`, or skipped), then zero padding.
Status read_entry(PackageSource& in, const EntryLayout& e, std::int64_t created,
                  const std::function<Status(std::string_view chunk)>& consume);

// Step 6 (R1, R2, R4, R5, R15, R16): signature entries until the end of the
// archive, then exactly two zero blocks and nothing after them. Embedded
// certificates must be DER X.509; one entry per key.
Result<std::vector<SignatureEnvelope>> read_signatures(PackageSource& in, const UnverifiedManifest& manifest);

// Version 2, step 5 (R1, R2, R24): the canonical header of signatures.json with
// the manifest's signature_space, the area's bytes, parsed; certificates must
// be DER X.509. Nothing is verified yet.
Result<std::vector<SignatureEnvelope>> read_signature_area(PackageSource& in, const UnverifiedManifest& manifest);

// Version 2, after the last image (R4): exactly two zero blocks, then nothing.
Status read_end_of_archive(PackageSource& in);

// Steps 1-6 without the decision, image data skipped: what `inspect`, `sign`,
// `provenance` and `pipeline compare` read. Unverified: the signatures have
// not been checked and the images not hashed.
struct UnverifiedPackage {
  UnverifiedManifest manifest;
  std::vector<SignatureEnvelope> signatures;
  std::uint64_t end_offset = 0;             // where the end-of-archive blocks start
  std::uint64_t signature_area_offset = 0;  // version 2: the first byte of signatures.json's data
};
// Errors name `path`: Code::io (3) if it cannot be read, Code::malformed (10)
// naming the rule, then `path`, the entry and offset otherwise ("R2: cam.fwpkg:
// image/kernel: padding byte at offset 1842 is not zero").
Result<UnverifiedPackage> read_unverified_package(const std::string& path);
Result<UnverifiedPackage> read_unverified_package(int fd, const std::string& path);

}  // namespace fwseal

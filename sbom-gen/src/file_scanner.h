// Everything sbom-gen learns from one file, in one front-to-back pass over
// its bytes: an optional SHA-256 (for directory images), ELF package notes,
// fingerprints, and the whole text of the few small files the package
// databases live in. Memory stays bounded whatever the file's size.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "elf_note.h"
#include "fingerprint.h"
#include "fwseal/base/digest.h"
#include "model.h"

namespace fwseal::sbom {

struct ScanOptions {
  bool hash = false;              // compute the file's SHA-256
  std::size_t capture_limit = 0;  // keep the whole file if it is at most this many bytes (0: never)
  std::string raw_image_type;     // set when the file is a whole raw image
};

struct FileScanResult {
  std::uint64_t size = 0;
  std::string sha256;  // raw digest bytes, if requested
  std::optional<std::string> captured;  // the whole file, if requested and within the limit
  bool capture_overflow = false;
  std::vector<Finding> findings;
  std::vector<std::string> warnings;
};

class FileScanner {
 public:
  // `size` is the size the directory entry or archive header announces; the
  // ELF reader checks offsets against it.
  FileScanner(Occurrence where, std::uint64_t size, ScanOptions options);
  void feed(std::string_view chunk);
  FileScanResult finish();

 private:
  struct Capture {
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
    std::uint64_t align = 4;
    std::string data;
    int stage = 0;  // 1: program header table, 2: note segment
  };
  void on_head_complete();
  void request(std::uint64_t offset, std::uint64_t size, std::uint64_t align, int stage);
  void deliver(Capture& c);
  void take(std::string_view chunk, std::uint64_t at);

  Occurrence where_;
  std::uint64_t size_;
  ScanOptions options_;
  std::optional<Hasher> hasher_;
  std::string head_;
  bool head_done_ = false;
  std::uint64_t pos_ = 0;
  std::string captured_;
  bool capture_overflow_ = false;
  std::optional<elf::Header> elf_;
  std::vector<Capture> pending_;
  FingerprintScanner fingerprints_;
  FileScanResult result_;
};

}  // namespace fwseal::sbom

#include "file_scanner.h"

#include <algorithm>

#include "sbom_limits.h"

namespace fwseal::sbom {
namespace {
// ELF and program headers, the notes right after them, and the x86 boot
// header of a bzImage all sit in the first 64 KiB of real files.
constexpr std::size_t kHeadBytes = 64 * 1024;
}  // namespace

FileScanner::FileScanner(Occurrence where, std::uint64_t size, ScanOptions options)
    : where_(std::move(where)), size_(size), options_(std::move(options)),
      fingerprints_(where_.path, options_.raw_image_type) {
  if (options_.hash) hasher_.emplace(Hasher::sha256());
  result_.size = size;
}

void FileScanner::feed(std::string_view chunk) {
  if (chunk.empty()) return;
  if (hasher_) hasher_->update(chunk);
  if (options_.capture_limit > 0 && !capture_overflow_) {
    if (captured_.size() + chunk.size() > options_.capture_limit) {
      capture_overflow_ = true;
      captured_.clear();
      captured_.shrink_to_fit();
    } else {
      captured_.append(chunk);
    }
  }
  fingerprints_.feed(chunk);
  // pos_ still names the chunk's first byte here, so captures requested while
  // this chunk is handled may be served from it.
  if (!head_done_) {
    std::size_t want = std::min(kHeadBytes - head_.size(), chunk.size());
    head_.append(chunk.substr(0, want));
    if (head_.size() == kHeadBytes) on_head_complete();
  }
  if (!pending_.empty()) take(chunk, pos_);
  pos_ += chunk.size();
}

// Copies the parts of `chunk` (which starts at file offset `at`) that pending
// captures want; completed captures are acted on, which may add more.
void FileScanner::take(std::string_view chunk, std::uint64_t at) {
  for (std::size_t i = 0; i < pending_.size();) {
    Capture& c = pending_[i];
    std::uint64_t want_from = c.offset + c.data.size();
    std::uint64_t want_to = c.offset + c.size;
    std::uint64_t from = std::max(want_from, at), to = std::min(want_to, at + chunk.size());
    if (from < to && from == want_from)
      c.data.append(chunk.substr(static_cast<std::size_t>(from - at), static_cast<std::size_t>(to - from)));
    if (c.data.size() == c.size) {
      Capture done = std::move(c);
      pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(i));
      deliver(done);
      i = 0;  // deliver may have added captures the rest of this chunk serves
      continue;
    }
    ++i;
  }
}

void FileScanner::request(std::uint64_t offset, std::uint64_t size, std::uint64_t align, int stage) {
  Capture c{offset, size, align, {}, stage};
  if (offset + size <= head_.size()) {
    c.data = head_.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(size));
    deliver(c);
    return;
  }
  if (offset < pos_) {
    // Only possible when the table or a note lies outside the head and before
    // bytes already streamed past: a layout linkers do not produce.
    result_.warnings.push_back(where_.image + ":" + where_.path + ": ELF notes at offset " + std::to_string(offset) +
                               " lie behind data already read; not examined");
    return;
  }
  pending_.push_back(std::move(c));
}

void FileScanner::deliver(Capture& c) {
  std::string what = where_.image + ":" + where_.path;
  if (c.stage == 1) {
    auto segments = elf::note_segments(*elf_, c.data, size_, what);
    if (!segments.ok()) {
      result_.warnings.push_back(segments.error().message);
      return;
    }
    for (const auto& s : *segments) request(s.offset, s.size, s.align, 2);
    return;
  }
  auto notes = elf::package_notes(*elf_, c.data, c.align, what);
  if (!notes.ok()) {
    result_.warnings.push_back(notes.error().message);
    return;
  }
  for (const auto& json : *notes) {
    auto finding = elf::finding_from_note(json, where_);
    if (finding.ok()) result_.findings.push_back(std::move(finding).value());
    else result_.warnings.push_back(finding.error().message);
  }
}

void FileScanner::on_head_complete() {
  head_done_ = true;
  if (!elf::has_elf_magic(head_)) return;
  auto header = elf::parse_header(head_, size_, where_.image + ":" + where_.path);
  if (!header.ok()) {
    result_.warnings.push_back(header.error().message);
    return;
  }
  elf_ = *header;
  if (elf_->phdrs.size > 0) request(elf_->phdrs.offset, elf_->phdrs.size, 0, 1);
}

FileScanResult FileScanner::finish() {
  if (!head_done_) on_head_complete();
  if (pos_ != size_) {
    result_.warnings.push_back(where_.image + ":" + where_.path + ": announced " + std::to_string(size_) +
                               " bytes but " + std::to_string(pos_) + " were read");
  }
  result_.size = pos_;
  if (hasher_) result_.sha256 = hasher_->finish();
  if (options_.capture_limit > 0) {
    result_.capture_overflow = capture_overflow_;
    if (!capture_overflow_) result_.captured = std::move(captured_);
  }
  fingerprints_.finish(head_, elf::has_elf_magic(head_), where_, result_.findings, result_.warnings);
  return std::move(result_);
}

}  // namespace fwseal::sbom

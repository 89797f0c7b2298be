// Reads a package front to back from a file descriptor, once, keeping count of
// the offset so that every message can say where it is. Works on pipes: it
// never seeks and never asks for the size. Until start_read_ahead() it reads
// only the bytes asked for (a version-2 package's manifest and signatures, a
// few kilobytes, decide whether the rest is read at all); after it the bytes
// arrive through a ReadAhead, which reads the next blocks while the current
// one is hashed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "fwseal/base/error.h"
#include "fwseal/base/progress.h"
#include "fwseal/format/package_reader.h"
#include "read_ahead.h"

namespace fwseal::verifier {

class PackageStream final : public PackageSource {
 public:
  // The largest chunk image data streams in: memory stays bounded (the
  // read-ahead's blocks) whatever the package claims about its sizes.
  static constexpr std::size_t kBufferSize = ReadAhead::kBlockSize;

  explicit PackageStream(int fd) : fd_(fd) {}

  // From here on, read ahead. A regular file is first read up to a 4096-byte
  // boundary, so that the rest can bypass the page cache (read_ahead.h).
  Status start_read_ahead();

  std::uint64_t offset() const override { return offset_; }

  // Told of the bytes as they are handed out; null: nobody.
  void set_progress(ProgressSink* progress) { progress_ = progress; }

  // Up to `n` bytes: fewer only at the end of the input. Code::io on errors.
  Result<std::string> read_up_to(std::size_t n) override;

  // Passes `n` bytes to `consume` (if any: a stream reads what it skips) in
  // chunks of at most kBufferSize.
  Status stream(std::uint64_t n, std::string_view inside,
                const std::function<Status(std::string_view chunk)>& consume) override;

 private:
  // The next bytes, at most `max`; empty only at the end of the input.
  Result<std::string_view> next(std::size_t max);

  int fd_;
  std::optional<ReadAhead> input_;
  std::string pending_;  // read before the read-ahead started, not yet handed out
  std::size_t pending_at_ = 0;
  std::string buffer_;   // of the last synchronous read
  std::uint64_t offset_ = 0;
  ProgressSink* progress_ = nullptr;
};

}  // namespace fwseal::verifier

// Reads a package front to back from a file descriptor, once, keeping count of
// the offset so that every message can say where it is. Works on pipes: it
// never seeks and never asks for the size.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "fwseal/format/error.h"

namespace fwseal {

class PackageStream {
 public:
  // The one buffer through which image data streams: memory stays bounded
  // whatever the package claims about its sizes.
  static constexpr std::size_t kBufferSize = 1 << 20;

  // Not zero-filled: only the pages a package actually uses get touched.
  explicit PackageStream(int fd) : fd_(fd), buffer_(std::make_unique_for_overwrite<char[]>(kBufferSize)) {}

  std::uint64_t offset() const { return offset_; }

  // Exactly `n` bytes. At the end of the input: Code::malformed "package ends
  // at offset N inside <inside>". Read errors: Code::io.
  Result<std::string> read(std::size_t n, std::string_view inside);

  // Up to `n` bytes: fewer only at the end of the input. Code::io on errors.
  Result<std::string> read_up_to(std::size_t n);

  // Passes `n` bytes to `consume` in chunks of at most kBufferSize.
  Status stream(std::uint64_t n, std::string_view inside,
                const std::function<Status(std::string_view chunk)>& consume);

  // The zero padding after `data_size` bytes of data up to the next block.
  // Code::malformed naming `entry` and the offset of the first non-zero byte.
  Status skip_padding(std::uint64_t data_size, std::string_view entry);

 private:
  Result<std::size_t> fill(std::size_t n);  // into buffer_, returns bytes read

  int fd_;
  std::unique_ptr<char[]> buffer_;
  std::uint64_t offset_ = 0;
};

// The index of the first non-zero byte, or npos.
std::size_t first_nonzero(std::string_view bytes);

}  // namespace fwseal

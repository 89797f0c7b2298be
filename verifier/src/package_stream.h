// Reads a package front to back from a file descriptor, once, keeping count of
// the offset so that every message can say where it is. Works on pipes: it
// never seeks and never asks for the size. The bytes arrive through a
// ReadAhead, which reads the next blocks while the current one is hashed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "fwseal/base/error.h"
#include "fwseal/format/package_reader.h"
#include "read_ahead.h"

namespace fwseal::verifier {

class PackageStream final : public PackageSource {
 public:
  // The largest chunk image data streams in: memory stays bounded (the
  // read-ahead's blocks) whatever the package claims about its sizes.
  static constexpr std::size_t kBufferSize = ReadAhead::kBlockSize;

  explicit PackageStream(int fd) : input_(fd) {}

  std::uint64_t offset() const override { return offset_; }

  // Up to `n` bytes: fewer only at the end of the input. Code::io on errors.
  Result<std::string> read_up_to(std::size_t n) override;

  // Passes `n` bytes to `consume` (if any: a stream reads what it skips) in
  // chunks of at most kBufferSize.
  Status stream(std::uint64_t n, std::string_view inside,
                const std::function<Status(std::string_view chunk)>& consume) override;

 private:
  ReadAhead input_;
  std::uint64_t offset_ = 0;
};

}  // namespace fwseal::verifier

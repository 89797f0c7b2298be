#include "package_stream.h"

#include "fwseal/format/file.h"
#include "fwseal/format/layout.h"

namespace fwseal {

std::size_t first_nonzero(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size(); ++i)
    if (bytes[i] != '\0') return i;
  return std::string_view::npos;
}

Result<std::size_t> PackageStream::fill(std::size_t n) {
  FWSEAL_ASSIGN(std::size_t got, read_full(fd_, buffer_.get(), n, "package"));
  offset_ += got;
  return got;
}

Result<std::string> PackageStream::read_up_to(std::size_t n) {
  std::string out;
  while (out.size() < n) {
    std::size_t want = std::min(n - out.size(), kBufferSize);
    FWSEAL_ASSIGN(std::size_t got, fill(want));
    out.append(buffer_.get(), got);
    if (got < want) break;
  }
  return out;
}

Result<std::string> PackageStream::read(std::size_t n, std::string_view inside) {
  FWSEAL_ASSIGN(std::string out, read_up_to(n));
  if (out.size() < n)
    return make_error(Code::malformed, "package ends at offset " + std::to_string(offset_) + " inside " +
                                           std::string(inside) + " (truncated)");
  return out;
}

Status PackageStream::stream(std::uint64_t n, std::string_view inside,
                             const std::function<Status(std::string_view chunk)>& consume) {
  while (n > 0) {
    std::size_t want = n < kBufferSize ? static_cast<std::size_t>(n) : kBufferSize;
    FWSEAL_ASSIGN(std::size_t got, fill(want));
    if (got > 0) FWSEAL_TRY(consume(std::string_view(buffer_.get(), got)));
    if (got < want)
      return make_error(Code::malformed, "package ends at offset " + std::to_string(offset_) + " inside " +
                                             std::string(inside) + " (truncated)");
    n -= got;
  }
  return ok_status();
}

Status PackageStream::skip_padding(std::uint64_t data_size, std::string_view entry) {
  auto n = static_cast<std::size_t>(padded_size(data_size) - data_size);
  if (n == 0) return ok_status();
  std::uint64_t start = offset_;
  FWSEAL_ASSIGN(std::string pad, read(n, "the padding of " + std::string(entry)));
  if (std::size_t at = first_nonzero(pad); at != std::string::npos)
    return make_error(Code::malformed, std::string(entry) + ": padding byte at offset " + std::to_string(start + at) +
                                           " is not zero");
  return ok_status();
}

}  // namespace fwseal

#include "package_stream.h"

#include "fwseal/format/layout.h"

namespace fwseal::verifier {

std::size_t first_nonzero(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size(); ++i)
    if (bytes[i] != '\0') return i;
  return std::string_view::npos;
}

Result<std::string> PackageStream::read_up_to(std::size_t n) {
  std::string out;
  while (out.size() < n) {
    FWSEAL_ASSIGN(std::string_view got, input_.next(n - out.size(), "package"));
    if (got.empty()) break;
    out.append(got);
    offset_ += got.size();
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
    FWSEAL_ASSIGN(std::string_view got, input_.next(want, "package"));
    if (got.empty())
      return make_error(Code::malformed, "package ends at offset " + std::to_string(offset_) + " inside " +
                                             std::string(inside) + " (truncated)");
    offset_ += got.size();
    FWSEAL_TRY(consume(got));
    n -= got.size();
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

}  // namespace fwseal::verifier

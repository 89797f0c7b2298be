#include "package_stream.h"

#include "fwseal/format/layout.h"
#include "fwseal/format/package_reader.h"

namespace fwseal::verifier {

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

Status PackageStream::stream(std::uint64_t n, std::string_view inside,
                             const std::function<Status(std::string_view chunk)>& consume) {
  const std::uint64_t entry_end = offset_ + n;
  while (n > 0) {
    std::size_t want = n < kBufferSize ? static_cast<std::size_t>(n) : kBufferSize;
    FWSEAL_ASSIGN(std::string_view got, input_.next(want, "package"));
    if (got.empty()) return truncated_package(offset_, inside, entry_end);
    offset_ += got.size();
    if (consume) FWSEAL_TRY(consume(got));
    n -= got.size();
  }
  return ok_status();
}

}  // namespace fwseal::verifier

#include "package_stream.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "fwseal/base/file.h"
#include "fwseal/format/layout.h"
#include "fwseal/format/package_reader.h"

namespace fwseal::verifier {
namespace {

constexpr std::size_t kSyncChunk = 64 * 1024;
constexpr std::uint64_t kAlign = 4096;

// One read(2) of at most `n` bytes into `buf`; 0 at the end of the input.
Result<std::size_t> read_once(int fd, char* buf, std::size_t n) {
  for (;;) {
    ssize_t r = ::read(fd, buf, n);
    if (r >= 0) return static_cast<std::size_t>(r);
    if (errno != EINTR) return make_error(Code::io, "package: read failed: " + errno_text(errno));
  }
}

}  // namespace

Status PackageStream::start_read_ahead() {
  if (input_) return ok_status();
  struct stat st {};
  const off_t at = ::lseek(fd_, 0, SEEK_CUR);
  if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode) && at >= 0 && static_cast<std::uint64_t>(at) % kAlign != 0) {
    std::string head(static_cast<std::size_t>(kAlign - static_cast<std::uint64_t>(at) % kAlign), '\0');
    std::size_t got = 0;
    while (got < head.size()) {
      FWSEAL_ASSIGN(std::size_t n, read_once(fd_, head.data() + got, head.size() - got));
      if (n == 0) break;
      got += n;
    }
    head.resize(got);
    pending_ = pending_.substr(pending_at_) + head;
    pending_at_ = 0;
  }
  input_.emplace(fd_);
  return ok_status();
}

Result<std::string_view> PackageStream::next(std::size_t max) {
  if (pending_at_ < pending_.size()) {
    std::string_view out = std::string_view(pending_).substr(pending_at_, max);
    pending_at_ += out.size();
    return out;
  }
  if (input_) return input_->next(max, "package");
  buffer_.resize(std::min(max, kSyncChunk));
  FWSEAL_ASSIGN(std::size_t n, read_once(fd_, buffer_.data(), buffer_.size()));
  return std::string_view(buffer_.data(), n);
}

Result<std::string> PackageStream::read_up_to(std::size_t n) {
  std::string out;
  while (out.size() < n) {
    FWSEAL_ASSIGN(std::string_view got, next(n - out.size()));
    if (got.empty()) break;
    out.append(got);
    offset_ += got.size();
    if (progress_) progress_->add_bytes(got.size());
  }
  return out;
}

Status PackageStream::stream(std::uint64_t n, std::string_view inside,
                             const std::function<Status(std::string_view chunk)>& consume) {
  const std::uint64_t entry_end = offset_ + n;
  while (n > 0) {
    std::size_t want = n < kBufferSize ? static_cast<std::size_t>(n) : kBufferSize;
    FWSEAL_ASSIGN(std::string_view got, next(want));
    if (got.empty()) return truncated_package(offset_, inside, entry_end);
    offset_ += got.size();
    if (progress_) progress_->add_bytes(got.size());
    if (consume) FWSEAL_TRY(consume(got));
    n -= got.size();
  }
  return ok_status();
}

}  // namespace fwseal::verifier

#include "fwseal/base/direct_write.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace fwseal {
namespace {

std::string_view as_text(std::span<const std::uint8_t> data) {
  return {reinterpret_cast<const char*>(data.data()), data.size()};
}

}  // namespace

Fd open_direct(int fd) {
  const std::string self = "/proc/self/fd/" + std::to_string(fd);
  return Fd(::open(self.c_str(), O_WRONLY | O_DIRECT | O_DSYNC | O_CLOEXEC));
}

PageWriter::PageWriter(int fd, bool direct) : fd_(fd), direct_(direct ? open_direct(fd) : Fd()), use_direct_(direct) {}

Status PageWriter::write(std::span<const std::uint8_t> data, std::uint64_t offset, const std::string& name) {
  const std::size_t len = data.size();
  const auto address = reinterpret_cast<std::uintptr_t>(data.data());
  const bool aligned = address % kDirectAlign == offset % kDirectAlign;
  // [head, tail) covers the whole pages of the range.
  const std::size_t head = std::min(len, static_cast<std::size_t>((kDirectAlign - offset % kDirectAlign) % kDirectAlign));
  const std::uint64_t last_page = (offset + len) / kDirectAlign * kDirectAlign;
  const std::size_t tail = last_page > offset + head ? static_cast<std::size_t>(last_page - offset) : head;
  std::size_t done = 0;
  if (direct() && aligned && tail > head) {
    FWSEAL_TRY(pwrite_all(fd_, as_text(data.first(head)), offset, name));
    done = head;
    const ssize_t r = ::pwrite(direct_.get(), data.data() + head, tail - head, static_cast<off_t>(offset + head));
    if (r < 0 && errno != EINVAL) return make_error(Code::io, name + ": write failed: " + errno_text(errno));
    // Refused (an alignment the device does not accept) or short: the rest
    // through the page cache, from now on. Those pages are still this writer's.
    if (r != static_cast<ssize_t>(tail - head)) use_direct_ = false;
    if (r > 0) done += static_cast<std::size_t>(r);
  }
  return pwrite_all(fd_, as_text(data.subspan(done)), offset + done, name);
}

AppendWriter::AppendWriter(int fd, std::uint64_t offset, std::string name, bool direct, std::size_t buffer_bytes,
                           std::size_t queued)
    : pages_(fd, direct),
      queued_(queued),
      name_(std::move(name)),
      // Whole pages, so a full buffer ends on a page boundary of the file.
      capacity_((std::max(buffer_bytes, 2 * kDirectAlign) + kDirectAlign - 1) / kDirectAlign * kDirectAlign) {
  current_.offset = offset;
  current_.skew = static_cast<std::size_t>(offset % kDirectAlign);
}

Status AppendWriter::hand_over() {
  if (!worker_)
    worker_.emplace([this](Block& b) { return pages_.write({b.buffer.get() + b.skew, b.len}, b.offset, name_); },
                    queued_);
  const std::uint64_t next = current_.offset + current_.len;
  FWSEAL_ASSIGN(current_, worker_->push(std::move(current_)));
  current_.offset = next;
  current_.skew = static_cast<std::size_t>(next % kDirectAlign);
  current_.len = 0;
  return ok_status();
}

Status AppendWriter::write(std::span<const std::uint8_t> data) {
  while (!data.empty()) {
    if (!current_.buffer) current_.buffer = direct_buffer(capacity_, capacity_ >= (std::size_t{2} << 20));
    const std::size_t n = std::min(data.size(), capacity_ - current_.skew - current_.len);
    std::memcpy(current_.buffer.get() + current_.skew + current_.len, data.data(), n);
    current_.len += n;
    data = data.subspan(n);
    // Full, and so ending on a page boundary: the next starts at a page's start.
    if (current_.skew + current_.len == capacity_) FWSEAL_TRY(hand_over());
  }
  return ok_status();
}

Status AppendWriter::flush() {
  if (current_.len > 0) FWSEAL_TRY(hand_over());
  if (!worker_) return ok_status();
  Status done = worker_->finish();
  worker_.reset();  // it takes no more jobs: a later write starts another
  return done;
}

}  // namespace fwseal

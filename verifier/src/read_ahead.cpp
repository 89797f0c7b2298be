#include "read_ahead.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "fwseal/base/direct_write.h"

namespace fwseal::verifier {
namespace {

// Whether at least half of the pages of `fd` from `from` to `size` are in the
// page cache. mincore looks at the page cache only: nothing is read.
bool mostly_cached(int fd, std::uint64_t from, std::uint64_t size) {
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) return true;  // cannot tell: the page cache, as for any file
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident((size + page - 1) / page);
  const bool known = ::mincore(map, size, resident.data()) == 0;
  ::munmap(map, size);
  if (!known) return true;
  std::size_t in_cache = 0;
  for (std::size_t i = from / page; i < resident.size(); ++i) in_cache += static_cast<std::size_t>(resident[i] & 1u);
  return 2 * in_cache >= resident.size() - from / page;
}

// Huge pages pay off when the buffer fills many times over; for a small
// package, zeroing a 2 MiB page per block on first touch costs more than the
// whole read (fwseal inventory add of many small packages).
bool worth_huge_pages(int fd, std::size_t buffer) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return true;
  return static_cast<std::uint64_t>(st.st_size) >= buffer;
}

}  // namespace

ReadAhead::ReadAhead(int fd, bool direct)
    : fd_(fd),
      wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      memory_(direct_buffer(kBlocks * kBlockSize, worth_huge_pages(fd, kBlocks * kBlockSize))) {
  sizes_.assign(kBlocks, 0);
  struct stat st {};
  off_t at = ::lseek(fd_, 0, SEEK_CUR);
  if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode) && at >= 0) {
    regular_ = true;
    offset_ = static_cast<std::uint64_t>(at);
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (direct && offset_ % kDirectAlign == 0 && size > offset_ && size - offset_ >= kDirectMinimum &&
        !mostly_cached(fd_, offset_, size)) {
      // A descriptor of our own (the caller's keeps its flags); the magic
      // link opens the same file, not whatever its name now points to.
      const std::string self = "/proc/self/fd/" + std::to_string(fd_);
      direct_ = Fd(::open(self.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC));
      started_direct_ = static_cast<bool>(direct_);
    }
  }
  thread_ = std::thread([this] { run(); });
}

ReadAhead::~ReadAhead() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (wake_) {
    std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_.get(), &one, sizeof one);
  }
  thread_.join();
}

ReadAhead::Ready ReadAhead::wait_readable(bool block) {
  if (!wake_ || regular_) return Ready::yes;  // plain blocking reads
  pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_.get(), POLLIN, 0}};
  for (;;) {
    int r = ::poll(fds, 2, block ? -1 : 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Ready::yes;  // let read() report what is wrong
    if (fds[1].revents != 0) return Ready::stop;
    // Readable, at its end, or in error (read() tells which); or nothing yet.
    return r > 0 ? Ready::yes : Ready::not_yet;
  }
}

void ReadAhead::run() {
  for (std::size_t block = 0;; ++block) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || produced_ - consumed_ < kBlocks; });
      if (stop_) return;
    }
    // The slot is free: the consumer handed it back and will not touch it
    // until produced_ says it is filled again.
    char* buf = block_data(block % kBlocks);
    std::size_t filled = 0;
    int error = 0;
    bool end = false;
    while (filled < kBlockSize) {
      // A regular file is always readable: its blocks are full. A pipe that
      // has nothing more for now hands over what it gave, so the consumer
      // never waits for bytes that are already here.
      Ready ready = wait_readable(filled == 0);
      if (ready == Ready::stop) return;
      if (ready == Ready::not_yet) break;
      ssize_t n = regular_ ? pread_next(buf + filled, kBlockSize - filled) : ::read(fd_, buf + filled, kBlockSize - filled);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n < 0) {
        error = errno;
        break;
      }
      if (n == 0) {
        end = true;
        break;
      }
      filled += static_cast<std::size_t>(n);
    }
    {
      std::lock_guard lock(mu_);
      sizes_[block % kBlocks] = filled;
      if (filled > 0) ++produced_;
      if (error != 0 || end) {
        error_ = error;
        done_ = true;
      }
    }
    cv_.notify_all();
    if (error != 0 || end) return;
  }
}

ssize_t ReadAhead::pread_next(char* buf, std::size_t n) {
  if (direct_ && offset_ % kDirectAlign == 0 && reinterpret_cast<std::uintptr_t>(buf) % kDirectAlign == 0 &&
      n % kDirectAlign == 0) {
    ssize_t r = ::pread(direct_.get(), buf, n, static_cast<off_t>(offset_));
    // EINVAL: the file system does not do O_DIRECT (or not at this
    // alignment); the page cache from here on.
    if (r < 0 && errno == EINVAL) {
      direct_ = Fd();
    } else {
      if (r > 0) offset_ += static_cast<std::uint64_t>(r);
      return r;
    }
  }
  ssize_t r = ::pread(fd_, buf, n, static_cast<off_t>(offset_));
  if (r > 0) offset_ += static_cast<std::uint64_t>(r);
  return r;
}

Result<std::string_view> ReadAhead::next(std::size_t max, std::string_view what) {
  std::unique_lock lock(mu_);
  if (holding_) {
    const std::size_t size = sizes_[consumed_ % kBlocks];
    if (pos_ < size) {
      std::size_t n = std::min(max, size - pos_);
      std::string_view out(block_data(consumed_ % kBlocks) + pos_, n);
      pos_ += n;
      return out;
    }
    // The block is used up: hand it back to the reader.
    holding_ = false;
    ++consumed_;
    cv_.notify_all();
  }
  cv_.wait(lock, [&] { return produced_ > consumed_ || done_; });
  if (produced_ == consumed_) {
    if (error_ != 0) return make_error(Code::io, std::string(what) + ": read failed: " + errno_text(error_));
    return std::string_view();
  }
  holding_ = true;
  pos_ = 0;
  const std::size_t size = sizes_[consumed_ % kBlocks];
  std::size_t n = std::min(max, size);
  pos_ = n;
  return std::string_view(block_data(consumed_ % kBlocks), n);
}

}  // namespace fwseal::verifier

#include "read_ahead.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string>

namespace fwseal {

ReadAhead::ReadAhead(int fd) : fd_(fd), wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  for (std::size_t i = 0; i < kBlocks; ++i) blocks_.push_back(std::make_unique_for_overwrite<char[]>(kBlockSize));
  sizes_.assign(kBlocks, 0);
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
  if (!wake_) return Ready::yes;  // no eventfd: plain blocking reads
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
    char* buf = blocks_[block % kBlocks].get();
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
      ssize_t n = ::read(fd_, buf + filled, kBlockSize - filled);
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

Result<std::string_view> ReadAhead::next(std::size_t max, std::string_view what) {
  std::unique_lock lock(mu_);
  if (holding_) {
    const std::size_t size = sizes_[consumed_ % kBlocks];
    if (pos_ < size) {
      std::size_t n = std::min(max, size - pos_);
      std::string_view out(blocks_[consumed_ % kBlocks].get() + pos_, n);
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
  return std::string_view(blocks_[consumed_ % kBlocks].get(), n);
}

}  // namespace fwseal

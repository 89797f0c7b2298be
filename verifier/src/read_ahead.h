// Reads a descriptor front to back on a thread of its own, a few blocks ahead
// of the verifier, so that waiting for the input (a disk, a USB stick, the
// process writing into a pipe) overlaps with hashing. It only moves bytes: what
// they mean is decided by the caller. Memory: kBlocks blocks of kBlockSize,
// whatever the input.
//
// A large regular file that is mostly not in the page cache (a package just
// written by `fwseal package`, which writes with O_DIRECT, or one copied from
// elsewhere) is read with O_DIRECT through a descriptor of the reader's own:
// the bytes go from the disk straight into the blocks, with no page-cache pages
// to allocate, fill and copy out. A file already in the page cache, a pipe and
// a file system without O_DIRECT are read through the page cache.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/base/file.h"

namespace fwseal::verifier {

class ReadAhead {
 public:
  static constexpr std::size_t kBlockSize = std::size_t{1} << 20;
  static constexpr std::size_t kBlocks = 4;
  // Files smaller than this are always read through the page cache.
  static constexpr std::uint64_t kDirectMinimum = std::uint64_t{4} << 20;

  // Starts reading `fd` (not owned) from its current position. `direct`
  // false: never O_DIRECT (tests cover both paths with it).
  explicit ReadAhead(int fd, bool direct = true);
  // Stops the reader, also while it waits for a pipe that gives nothing.
  ~ReadAhead();
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // Whether reading began with O_DIRECT (for tests).
  bool started_direct() const { return started_direct_; }

  // The next bytes of the input, at most `max` of them: empty only at the end
  // of the input. The view stays valid until the next call. Code::io (naming
  // `what`) once every byte read before a read error has been returned.
  Result<std::string_view> next(std::size_t max, std::string_view what);

 private:
  void run();
  enum class Ready { yes, not_yet, stop };
  // Whether `fd_` can be read (or the destructor asks the reader to stop);
  // with `block`, waits until one of them is so.
  Ready wait_readable(bool block);
  // Fills `buf` from a regular file at offset_ (O_DIRECT while possible).
  ssize_t pread_next(char* buf, std::size_t n);

  // Block i of memory_ (aligned for O_DIRECT: kBlockSize is a multiple of the page size).
  char* block_data(std::size_t i) { return reinterpret_cast<char*>(memory_.get()) + i * kBlockSize; }

  int fd_;
  Fd wake_;  // eventfd: the destructor's signal to a reader blocked in poll
  bool regular_ = false;      // read with pread at offset_, never polled
  Fd direct_;                 // O_DIRECT descriptor on fd_'s file, if used
  bool started_direct_ = false;
  std::uint64_t offset_ = 0;  // of a regular file's next read (reader thread only)
  DirectBuffer memory_;  // kBlocks blocks of kBlockSize
  std::vector<std::size_t> sizes_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::size_t produced_ = 0;  // blocks filled, guarded by mu_
  std::size_t consumed_ = 0;  // blocks handed back, guarded by mu_
  bool done_ = false;         // no block will follow, guarded by mu_
  int error_ = 0;             // errno of the read that ended the input, guarded by mu_
  bool stop_ = false;         // guarded by mu_

  // The consumer's place (its thread only).
  bool holding_ = false;
  std::size_t pos_ = 0;

  std::thread thread_;  // last: started once every member above exists
};

}  // namespace fwseal::verifier

// Reads a descriptor front to back on a thread of its own, a few blocks ahead
// of the verifier, so that waiting for the input (a disk, a USB stick, the
// process writing into a pipe) overlaps with hashing. It only moves bytes: what
// they mean is decided by the caller. Memory: kBlocks blocks of kBlockSize,
// whatever the input.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "fwseal/format/error.h"
#include "fwseal/format/file.h"

namespace fwseal {

class ReadAhead {
 public:
  static constexpr std::size_t kBlockSize = std::size_t{1} << 20;
  static constexpr std::size_t kBlocks = 4;

  // Starts reading `fd` (not owned) from its current position.
  explicit ReadAhead(int fd);
  // Stops the reader, also while it waits for a pipe that gives nothing.
  ~ReadAhead();
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

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

  int fd_;
  Fd wake_;  // eventfd: the destructor's signal to a reader blocked in poll
  std::vector<std::unique_ptr<char[]>> blocks_;
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

}  // namespace fwseal

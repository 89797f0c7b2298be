// File helpers with fwseal's error conventions: Code::io naming the path and
// the system's reason.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fwseal/base/error.h"
#include "fwseal/base/interrupt.h"

namespace fwseal {

// What tells, without reading it, that a file is the one seen before with the
// same bytes: the same inode, size and modification time, and the same change
// time, which every write moves (and no user can set back).
struct FileStamp {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};
FileStamp file_stamp(const struct stat& st);

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();
  int get() const { return fd_; }
  int release();
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

Result<Fd> open_read(const std::string& path);

// Memory for O_DIRECT transfers: aligned to 2 MiB, and on transparent huge
// pages where the kernel allows (MADV_HUGEPAGE). A direct transfer then pins a
// few large pages instead of a thousand small ones, and a virtual machine's
// host faults in 2 MiB at a time: `fwseal package` took 0.65 s instead of
// 0.95 s for 1 GiB on the benchmark machine (docs/BENCHMARKS.md).
struct FreeDeleter {
  void operator()(std::uint8_t* p) const;
};
using DirectBuffer = std::unique_ptr<std::uint8_t[], FreeDeleter>;
// `size` rounded up to 2 MiB; `huge` false: page-aligned small pages, `size`
// rounded up to 4 KiB. Throws std::bad_alloc.
DirectBuffer direct_buffer(std::size_t size, bool huge = true);
// Reads a whole (small) file; Code::io if it is larger than `max_bytes`.
Result<std::string> read_file(const std::string& path, std::size_t max_bytes = 64u << 20);
// read_file for a file that must be a regular file: a FIFO or a device is
// refused (Code::io) without blocking, before any byte is read. For files a
// policy names, which must not make fwseal wait on a pipe or read a device.
Result<std::string> read_regular_file(const std::string& path, std::size_t max_bytes);
// Reads exactly `n` bytes, or Code::io naming `what`.
Result<std::string> read_exact(int fd, std::size_t n, std::string_view what);
// Loops over short reads; returns bytes read (< n only at end of file).
Result<std::size_t> read_full(int fd, void* buf, std::size_t n, std::string_view what);
Status write_all(int fd, std::string_view data, std::string_view what);
Status pwrite_all(int fd, std::string_view data, std::uint64_t offset, std::string_view what);

// Writes a file atomically: a temp file beside `path`, fsync, rename, fsync of
// the directory. A failed or killed run leaves nothing at `path`.
// The temporary file is ".NAME.tmp-<16 hex>" beside the target, locked while
// its run lives and removed if SIGINT, SIGTERM or SIGHUP ends the run
// (interrupt.h); create() removes such files of earlier runs that were killed
// (no longer locked) for the same target.
class AtomicFile {
 public:
  static Result<AtomicFile> create(const std::string& path, unsigned mode = 0644);
  AtomicFile(AtomicFile&&) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  ~AtomicFile();  // removes the temp file unless committed
  int fd() const { return fd_.get(); }
  const std::string& temp_path() const { return temp_; }
  Status commit();  // fsync, rename over `path`, fsync the directory
  // The same, but Code::usage (nothing replaced) if `path` exists by then.
  Status commit_no_replace();
  // Gives up the lock on the temporary file, so that another descriptor of
  // this run can lock it (the signer locks what it signs). Until that lock is
  // taken, a create() for the same target could take the file for a killed
  // run's leftover.
  void unlock();

 private:
  AtomicFile(std::string path, std::string temp, Fd fd);
  Status finish(bool replace);
  std::string path_;
  std::string temp_;
  Fd fd_;
  bool committed_ = false;
  RemoveOnInterrupt on_interrupt_;
};

Status write_file_atomic(const std::string& path, std::string_view data, unsigned mode = 0644);

// strerror(errno) text.
std::string errno_text(int err);

}  // namespace fwseal

// Writing large outputs past the page cache. Whole pages go to the file with
// O_DIRECT and O_DSYNC, through a descriptor of the writer's own; the partial
// pages at either end of a range go through the page cache. So several
// writers can fill neighbouring ranges of one file at once (a page one of
// them writes directly is a page no other touches), the CPU copies nothing
// into the cache, and the device writes while the next bytes are computed
// instead of all at the final fsync. O_DSYNC matters on storage with a write
// cache (a virtual machine's disk, a drive's own cache): without it such
// storage takes O_DIRECT writes at once and does the real writing at the
// final fsync while the program waits (0.66 s of a 1.9 s encrypted 1 GiB
// package on the benchmark machine, docs/BENCHMARKS.md). A file system that
// refuses O_DIRECT gets everything through the page cache, silently: the
// bytes are the same.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "fwseal/base/error.h"
#include "fwseal/base/file.h"
#include "fwseal/base/worker.h"

namespace fwseal {

// What O_DIRECT transfers are aligned to, in the file and in memory.
inline constexpr std::size_t kDirectAlign = 4096;

// A descriptor of its own on `fd`'s file with O_DIRECT and O_DSYNC set
// (F_SETFL on `fd` would change it for every thread sharing it); none if that
// is refused.
Fd open_direct(int fd);

// Writes ranges whose memory and file offsets are equal modulo kDirectAlign:
// their whole pages directly, the rest through the page cache.
class PageWriter {
 public:
  // `direct` false: everything through the page cache.
  PageWriter(int fd, bool direct);
  // Writes `data` at `offset` of the file; `data.data()` and `offset` must be
  // equal modulo kDirectAlign for the whole pages to go directly (otherwise
  // they are written through the page cache). Code::io naming `name`.
  Status write(std::span<const std::uint8_t> data, std::uint64_t offset, const std::string& name);
  // Whether whole pages still go directly (false once the file system refused).
  bool direct() const { return direct_.get() >= 0 && use_direct_; }

 private:
  int fd_;
  Fd direct_;
  bool use_direct_;
};

// Appends to a file data that comes in pieces of any size and alignment,
// behind the caller: the pieces are gathered in an aligned buffer of
// `buffer_bytes`, and each full buffer is written with PageWriter on a thread
// of the writer's own while the next one fills (`queued` more may wait: three
// buffers in all by default, two with none queued). So a caller that computes what it writes (hashing,
// decrypting) is not held up by the device. A failed write is returned by
// the next write() or flush(); flush() writes the rest and waits for every
// write. Then the caller fsyncs `fd` as usual.
class AppendWriter {
 public:
  // Buffers of 2 MiB and more sit on transparent huge pages (direct_buffer),
  // which direct transfers want: smaller ones are fine through the cache.
  AppendWriter(int fd, std::uint64_t offset, std::string name, bool direct,
               std::size_t buffer_bytes = std::size_t{2} << 20, std::size_t queued = 1);
  Status write(std::span<const std::uint8_t> data);
  Status flush();

 private:
  struct Block {
    DirectBuffer buffer;
    std::uint64_t offset = 0;  // of its first byte in the file
    std::size_t skew = 0;      // offset % kDirectAlign: where in the buffer it sits
    std::size_t len = 0;
  };
  // Hands `current_` to the writing thread and takes a free buffer.
  Status hand_over();

  PageWriter pages_;  // used by the writing thread only
  std::size_t queued_;
  std::string name_;
  std::size_t capacity_;  // whole pages
  Block current_;
  std::optional<Worker<Block>> worker_;  // last: stops before the members it uses go
};

}  // namespace fwseal

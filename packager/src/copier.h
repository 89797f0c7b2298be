// Internal: copies a file into the package while hashing it, reading each byte
// once. The calling thread reads a chunk and writes it; a second thread hashes
// the same buffer meanwhile, so a copy takes about as long as the hash alone.
// With direct I/O on (large packages), the output is written with PageWriter
// (fwseal/base/direct_write.h): whole pages with O_DIRECT, the partial pages
// at either end through the page cache, so several copiers can fill
// neighbouring entries of one file at once.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fwseal/base/digest.h"
#include "fwseal/base/error.h"
#include "fwseal/base/file.h"
#include "fwseal/base/progress.h"

namespace fwseal::packager {

class Copier {
 public:
  static constexpr std::size_t kChunk = std::size_t{4} << 20;          // with O_DIRECT
  static constexpr std::size_t kBufferedChunk = std::size_t{1} << 20;  // without
  static constexpr std::size_t kBuffers = 4;

  Copier();
  ~Copier();
  Copier(const Copier&) = delete;
  Copier& operator=(const Copier&) = delete;

  // Copies `size` bytes of `in` (from offset 0) to `out` at `out_offset` and
  // returns their SHA-256. Holes of `in` (SEEK_DATA/SEEK_HOLE) are hashed as
  // zeros and not written, so they stay holes in `out`. Code::io naming
  // `in_name` if `in` cannot be read or its size is not `size` (it changed
  // while being read), naming `out_name` if `out` cannot be written;
  // Code::internal if hashing fails. After an error the Copier must not be
  // used again. The last chunk is written with zero padding to 512 bytes.
  Result<Sha256> copy(int in, std::uint64_t size, const std::string& in_name, int out, std::uint64_t out_offset,
                      const std::string& out_name);

  // O_DIRECT is used for whole pages unless the file system refuses it (then
  // buffered from that point on); off: everything through the page cache.
  // Set before the first copy.
  void set_direct_io(bool on) { direct_ = on; }

  // Told of every chunk once it is hashed (holes included), from the hashing
  // thread. Set before the first copy.
  void set_progress(ProgressSink* progress) { progress_ = progress; }

 private:
  struct Job {
    enum Kind { data, zeros, finish } kind = data;
    std::size_t slot = 0;
    std::size_t skew = 0;  // for data: where in the buffer the bytes start
    std::size_t len = 0;   // for data and zeros
  };

  void hash_loop();
  void submit(Job job);
  // Waits until `slot` is free for the next data chunk (its last hash is done).
  Status wait_slot(std::uint64_t buffer_job);
  Result<Sha256> wait_digest();

  DirectBuffer buffer();  // one of chunk_ bytes

  std::size_t chunk_ = 0;              // kChunk or kBufferedChunk, fixed by the first copy
  std::vector<DirectBuffer> buffers_;  // kBuffers of chunk_, allocated on first use
  DirectBuffer zeros_;                 // chunk_ zeros, allocated at the first hole
  ProgressSink* progress_ = nullptr;
  bool direct_ = true;  // false once O_DIRECT was refused: buffered from then on

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  std::uint64_t data_jobs_submitted_ = 0;  // caller side, only touched by the caller
  std::uint64_t data_jobs_done_ = 0;       // guarded by mu_
  bool digest_ready_ = false;
  Sha256 digest_{};
  bool failed_ = false;
  std::string failure_;
  bool stop_ = false;
  std::thread thread_;  // last: started after every member above exists
};

}  // namespace fwseal::packager

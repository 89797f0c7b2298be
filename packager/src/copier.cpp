#include "copier.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>

#include "fwseal/format/file.h"
#include "fwseal/format/layout.h"

namespace fwseal::packager {
namespace {

// pread until `n` bytes or end of file; returns the count read.
Result<std::size_t> pread_full(int fd, std::uint8_t* buf, std::size_t n, std::uint64_t offset,
                               const std::string& what) {
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd, buf + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return make_error(Code::io, what + ": read failed: " + errno_text(errno));
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return got;
}

constexpr std::size_t kDirectAlign = 4096;
// Tar puts every entry at a multiple of 512: the offsets O_DIRECT needs on
// devices with 512-byte logical blocks.
constexpr std::uint64_t kDirectUnit = 512;

// Sets or clears O_DIRECT; false if the file system refuses it.
bool set_direct(int fd, bool on) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return false;
  int want = on ? (flags | O_DIRECT) : (flags & ~O_DIRECT);
  return want == flags || ::fcntl(fd, F_SETFL, want) == 0;
}

Error changed(const std::string& what, std::uint64_t size) {
  return make_error(Code::io, what + ": changed size while being read (it was " + std::to_string(size) +
                                  " bytes); make sure nothing writes the image during packaging");
}

// Page-aligned, as O_DIRECT wants.
std::uint8_t* aligned_buffer() {
  void* p = std::aligned_alloc(kDirectAlign, Copier::kChunk);
  if (!p) throw std::bad_alloc();
  return static_cast<std::uint8_t*>(p);
}

}  // namespace

void Copier::Free::operator()(std::uint8_t* p) const { std::free(p); }

Copier::Copier() : zeros_(aligned_buffer()) {
  std::memset(zeros_.get(), 0, kChunk);
  for (std::size_t i = 0; i < kBuffers; ++i) buffers_.emplace_back(aligned_buffer());
  thread_ = std::thread([this] { hash_loop(); });
}

Copier::~Copier() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Copier::hash_loop() {
  std::optional<Hasher> hasher;
  try {
    hasher.emplace(Hasher::sha256());
  } catch (const std::exception& e) {
    std::lock_guard lock(mu_);
    failed_ = true;
    failure_ = std::string("SHA-256 failed: ") + e.what();
  }
  cv_.notify_all();
  if (!hasher) return;
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      job = queue_.front();
      queue_.pop_front();
    }
    try {
      switch (job.kind) {
        case Job::data: hasher->update(std::span<const std::uint8_t>(buffers_[job.slot].get(), job.len)); break;
        case Job::zeros:
          for (std::size_t left = job.len; left > 0;) {
            std::size_t n = std::min(left, kChunk);
            hasher->update(std::span<const std::uint8_t>(zeros_.get(), n));
            left -= n;
          }
          break;
        case Job::finish: {
          std::string raw = hasher->finish();
          std::lock_guard lock(mu_);
          std::memcpy(digest_.data(), raw.data(), std::min(raw.size(), digest_.size()));
          digest_ready_ = true;
          break;
        }
      }
    } catch (const std::exception& e) {
      std::lock_guard lock(mu_);
      failed_ = true;
      failure_ = std::string("SHA-256 failed: ") + e.what();
    }
    {
      std::lock_guard lock(mu_);
      if (job.kind == Job::data) ++data_jobs_done_;
    }
    cv_.notify_all();
  }
}

void Copier::submit(Job job) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(job);
  }
  cv_.notify_all();
}

Status Copier::wait_slot(std::uint64_t buffer_job) {
  std::unique_lock lock(mu_);
  // Data jobs are hashed in order, so the slot's previous user, job
  // buffer_job - kBuffers, is done once that many jobs are.
  cv_.wait(lock, [&] { return failed_ || data_jobs_done_ + kBuffers > buffer_job; });
  if (failed_) return make_error(Code::internal, failure_);
  return ok_status();
}

Result<Sha256> Copier::wait_digest() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return failed_ || digest_ready_; });
  if (failed_) return make_error(Code::internal, failure_);
  digest_ready_ = false;
  return digest_;
}

Status Copier::write_chunk(int out, const std::uint8_t* buf, std::size_t len, std::uint64_t offset,
                           const std::string& out_name) {
  std::string_view bytes(reinterpret_cast<const char*>(buf), len);
  if (direct_ && offset % kDirectUnit == 0 && len % kDirectUnit == 0) {
    // Direct I/O skips the page cache: no copy into it, and the data is on
    // disk by the time the final fsync runs.
    if (!set_direct(out, true)) {
      direct_ = false;
    } else {
      ssize_t r = ::pwrite(out, bytes.data(), bytes.size(), static_cast<off_t>(offset));
      if (r == static_cast<ssize_t>(len)) return ok_status();
      if (r < 0 && errno != EINVAL) {
        int err = errno;
        set_direct(out, false);
        return make_error(Code::io, out_name + ": write failed: " + errno_text(err));
      }
      // Refused (alignment the device does not accept) or short: the rest buffered.
      direct_ = false;
      if (r > 0) {
        bytes.remove_prefix(static_cast<std::size_t>(r));
        offset += static_cast<std::uint64_t>(r);
      }
    }
  }
  if (!set_direct(out, false)) return make_error(Code::io, out_name + ": cannot turn off O_DIRECT: " + errno_text(errno));
  return pwrite_all(out, bytes, offset, out_name);
}

Result<Sha256> Copier::copy(int in, std::uint64_t size, const std::string& in_name, int out,
                            std::uint64_t out_offset, const std::string& out_name) {
  // The caller writes headers through the same descriptor with buffered I/O
  // from unaligned memory: O_DIRECT is off again whichever way this returns.
  struct DirectOff {
    int fd;
    ~DirectOff() { set_direct(fd, false); }
  } direct_off{out};
  ::posix_fadvise(in, 0, 0, POSIX_FADV_SEQUENTIAL);
  bool seek_holes = true;
  std::uint64_t pos = 0;
  while (pos < size) {
    // Where the next data region starts and ends; without SEEK_DATA support
    // the rest of the file is one data region.
    std::uint64_t data_start = pos;
    std::uint64_t data_end = size;
    if (seek_holes) {
      off_t d = ::lseek(in, static_cast<off_t>(pos), SEEK_DATA);
      if (d < 0 && errno == ENXIO) {
        data_start = size;  // only a hole is left (or the file shrank: checked below)
      } else if (d < 0 && (errno == EINVAL || errno == EOPNOTSUPP)) {
        seek_holes = false;
      } else if (d < 0) {
        return make_error(Code::io, in_name + ": cannot seek: " + errno_text(errno));
      } else {
        data_start = std::min(static_cast<std::uint64_t>(d), size);
        if (data_start < size) {
          off_t h = ::lseek(in, d, SEEK_HOLE);
          if (h < 0 && errno != ENXIO) return make_error(Code::io, in_name + ": cannot seek: " + errno_text(errno));
          if (h > d) data_end = std::min(static_cast<std::uint64_t>(h), size);
        }
      }
    }
    if (data_start > pos) {
      // A hole: hash its zeros, write nothing. The output is a new file, so
      // the range reads as zeros without ever being written.
      for (std::uint64_t left = data_start - pos; left > 0;) {
        auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, std::uint64_t{1} << 30));
        submit(Job{Job::zeros, 0, n});
        left -= n;
      }
      pos = data_start;
      continue;
    }
    while (pos < data_end) {
      std::uint64_t job = data_jobs_submitted_++;
      std::size_t slot = job % kBuffers;
      FWSEAL_TRY(wait_slot(job));
      auto want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, data_end - pos));
      std::uint8_t* buf = buffers_[slot].get();
      FWSEAL_ASSIGN(std::size_t got, pread_full(in, buf, want, pos, in_name));
      if (got != want) return changed(in_name, size);
      // The hasher reads the buffer while we write it: both only read the
      // first `got` bytes; the padding after them is not hashed.
      // The last chunk is written with its zero padding, so that O_DIRECT
      // writes stay whole 512-byte blocks; the padding is zero anyway.
      std::size_t len = got;
      if (pos + got == size) {
        len = static_cast<std::size_t>(padded_size(got));
        std::memset(buf + got, 0, len - got);
      }
      submit(Job{Job::data, slot, got});
      FWSEAL_TRY(write_chunk(out, buf, len, out_offset + pos, out_name));
      pos += got;
    }
  }
  // The size must still be what the layout was computed for, and nothing may
  // follow it (files like those in /proc report 0 and still have data).
  struct stat st {};
  if (::fstat(in, &st) != 0) return make_error(Code::io, in_name + ": cannot stat: " + errno_text(errno));
  std::uint8_t extra = 0;
  FWSEAL_ASSIGN(std::size_t more, pread_full(in, &extra, 1, size, in_name));
  if (static_cast<std::uint64_t>(st.st_size) != size || more != 0) return changed(in_name, size);
  submit(Job{Job::finish, 0, 0});
  return wait_digest();
}

}  // namespace fwseal::packager

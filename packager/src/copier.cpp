#include "copier.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <optional>

#include "fwseal/base/direct_write.h"
#include "fwseal/base/file.h"
#include "image_read.h"

namespace fwseal::packager {
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

Error changed_while_read(const std::string& what, std::uint64_t size) {
  return make_error(Code::io, what + ": changed size while being read (it was " + std::to_string(size) +
                                  " bytes); make sure nothing writes the image during packaging");
}

Status check_ends_at(int fd, std::uint64_t size, const std::string& what) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return make_error(Code::io, what + ": cannot stat: " + errno_text(errno));
  std::uint8_t extra = 0;
  FWSEAL_ASSIGN(std::size_t more, pread_full(fd, &extra, 1, size, what));
  if (static_cast<std::uint64_t>(st.st_size) != size || more != 0) return changed_while_read(what, size);
  return ok_status();
}

Copier::Copier() : buffers_(kBuffers) {
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
        case Job::data:
          hasher->update(std::span<const std::uint8_t>(buffers_[job.slot].get() + job.skew, job.len));
          if (progress_) progress_->add_bytes(job.len);
          break;
        case Job::zeros:
          for (std::size_t left = job.len; left > 0;) {
            std::size_t n = std::min(left, chunk_);
            hasher->update(std::span<const std::uint8_t>(zeros_.get(), n));
            if (progress_) progress_->add_bytes(n);
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

DirectBuffer Copier::buffer() { return direct_buffer(chunk_, chunk_ == kChunk); }

Result<Sha256> Copier::copy(int in, std::uint64_t size, const std::string& in_name, int out,
                            std::uint64_t out_offset, const std::string& out_name) {
  PageWriter writer(out, direct_);
  // Direct transfers want large chunks on huge pages; through the page cache
  // smaller ones do as well, and a small image does not fault in megabytes.
  if (chunk_ == 0) chunk_ = direct_ ? kChunk : kBufferedChunk;
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
      if (!zeros_) {
        zeros_ = buffer();
        std::memset(zeros_.get(), 0, chunk_);
      }
      for (std::uint64_t left = data_start - pos; left > 0;) {
        auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, std::uint64_t{1} << 30));
        submit(Job{Job::zeros, 0, 0, n});
        left -= n;
      }
      pos = data_start;
      continue;
    }
    while (pos < data_end) {
      std::uint64_t job = data_jobs_submitted_++;
      std::size_t slot = job % kBuffers;
      FWSEAL_TRY(wait_slot(job));
      // The chunk sits in its buffer at the offset within a page that it has
      // in the output, so its whole pages are aligned in memory too; only the
      // first chunk of an entry can start inside a page.
      const auto skew = static_cast<std::size_t>((out_offset + pos) % kDirectAlign);
      auto want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_ - skew, data_end - pos));
      // Buffers come as they are needed: a small image takes one.
      if (!buffers_[slot]) buffers_[slot] = buffer();
      std::uint8_t* buf = buffers_[slot].get() + skew;
      FWSEAL_ASSIGN(std::size_t got, pread_full(in, buf, want, pos, in_name));
      if (got != want) return changed_while_read(in_name, size);
      // The hasher reads the buffer while we write it; both only read it.
      submit(Job{Job::data, slot, skew, got});
      FWSEAL_TRY(writer.write({buf, got}, out_offset + pos, out_name));
      direct_ = writer.direct();  // false once refused: buffered from then on
      pos += got;
    }
  }
  // The size must still be what the layout was computed for, and nothing may
  // follow it (files like those in /proc report 0 and still have data).
  FWSEAL_TRY(check_ends_at(in, size, in_name));
  submit(Job{Job::finish, 0, 0, 0});
  return wait_digest();
}

}  // namespace fwseal::packager

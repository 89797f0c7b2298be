#include "encrypting_copy.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "fwseal/base/file.h"

namespace fwseal::packager {
namespace {

// Plaintext goes through in buffers of whole chunks of about this size; with
// kInFlight buffers queued before each of the two worker threads, the copy
// holds about 8 buffers, as much memory as a plain copy (Copier) does.
constexpr std::size_t kBufferBytes = std::size_t{2} << 20;
constexpr std::size_t kInFlight = 2;

// One worker thread fed through a bounded queue: push() hands it a job and
// gets back a finished one to refill (or a new one), so buffers are reused.
// The first failure stops the worker; push() and finish() then return it.
template <typename Job>
class Worker {
 public:
  using Fn = std::function<Status(Job&)>;
  explicit Worker(Fn fn) : fn_(std::move(fn)), thread_([this] { run(); }) {}
  ~Worker() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  Result<Job> push(Job job) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return queue_.size() < kInFlight || failure_; });
    if (failure_) return *failure_;
    queue_.push_back(std::move(job));
    Job next{};
    if (!spare_.empty()) {
      next = std::move(spare_.back());
      spare_.pop_back();
    }
    lock.unlock();
    cv_.notify_all();
    return next;
  }

  // Waits until every job pushed is done.
  Status finish() {
    std::unique_lock lock(mu_);
    closed_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return done_; });
    if (failure_) return *failure_;
    return ok_status();
  }

 private:
  void run() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stop_ || closed_ || !queue_.empty(); });
        if (stop_ || failure_ || queue_.empty()) break;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      cv_.notify_all();
      Status s = ok_status();
      try {
        s = fn_(job);
      } catch (const std::exception& e) {  // Hasher's allocation failure
        s = make_error(Code::internal, std::string("encryption worker failed: ") + e.what());
      }
      std::lock_guard lock(mu_);
      if (!s.ok() && !failure_) failure_ = std::move(s).error();
      spare_.push_back(std::move(job));
    }
    std::lock_guard lock(mu_);
    done_ = true;
    cv_.notify_all();
  }

  Fn fn_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  std::vector<Job> spare_;
  std::optional<Error> failure_;
  bool closed_ = false;  // no more jobs: finish the queue
  bool stop_ = false;    // the copy is abandoned: stop now
  bool done_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

// Whole chunks of plaintext, with the nonce the reader derived for each.
struct SealJob {
  std::vector<std::uint8_t> plain;
  std::vector<enc::ChunkNonce> nonces;
};

}  // namespace

Result<EncryptedDigests> encrypt_copy(int in, const std::string& in_name, const enc::DataKey& key,
                                      const enc::ImageContext& context, int out, std::uint64_t out_offset,
                                      const std::string& out_name, ProgressSink* progress) {
  FWSEAL_ASSIGN(enc::ChunkNoncer noncer, enc::ChunkNoncer::create(key, context));
  FWSEAL_ASSIGN(enc::ChunkSealer sealer, enc::ChunkSealer::create(key, context));
  Hasher ciphertext_hash = Hasher::sha256();

  // Third stage: hash the ciphertext and write it.
  std::uint64_t write_at = out_offset;
  Worker<std::vector<std::uint8_t>> writer([&](std::vector<std::uint8_t>& buf) -> Status {
    ciphertext_hash.update(std::span<const std::uint8_t>(buf));
    FWSEAL_TRY(pwrite_all(out, std::string_view(reinterpret_cast<const char*>(buf.data()), buf.size()), write_at,
                          out_name));
    write_at += buf.size();
    buf.clear();
    return ok_status();
  });
  // Second stage: encrypt each chunk with its nonce.
  std::vector<std::uint8_t> sealed;
  Worker<SealJob> encrypter([&](SealJob& job) -> Status {
    std::size_t at = 0;
    for (const auto& n : job.nonces) {
      const std::size_t len = std::min<std::size_t>(context.chunk_size, job.plain.size() - at);
      FWSEAL_TRY(sealer.seal(n, std::span<const std::uint8_t>(job.plain).subspan(at, len), sealed));
      at += len;
    }
    FWSEAL_ASSIGN(sealed, writer.push(std::move(sealed)));
    return ok_status();
  });

  // First stage, this thread: read whole chunks, hash them and derive their
  // nonces (each depends on the plaintext before it).
  const std::size_t chunk = context.chunk_size;
  const std::size_t job_bytes = std::max<std::size_t>(1, kBufferBytes / chunk) * chunk;
  SealJob job;
  std::uint64_t offset = 0;
  while (!noncer.done()) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(job_bytes, context.plaintext_size - offset));
    job.plain.resize(want);
    job.nonces.clear();
    for (std::size_t got = 0; got < want;) {
      const ssize_t r = ::pread(in, job.plain.data() + got, want - got, static_cast<off_t>(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        return make_error(Code::io, in_name + ": read failed: " + errno_text(errno));
      }
      if (r == 0)
        return make_error(Code::io, in_name + ": changed size while being read (it was " +
                                        std::to_string(context.plaintext_size) +
                                        " bytes); make sure nothing writes the image during packaging");
      got += static_cast<std::size_t>(r);
    }
    for (std::size_t at = 0; at < want || (want == 0 && job.nonces.empty());) {  // an empty image: one empty chunk
      const std::size_t len = noncer.next_length();
      FWSEAL_ASSIGN(enc::ChunkNonce n, noncer.next(std::span<const std::uint8_t>(job.plain).subspan(at, len)));
      job.nonces.push_back(n);
      at += len;
    }
    offset += want;
    if (progress) progress->add_bytes(want);
    FWSEAL_ASSIGN(job, encrypter.push(std::move(job)));
  }
  // The file must end where it was measured: a file that grew is refused too.
  char extra = 0;
  if (::pread(in, &extra, 1, static_cast<off_t>(offset)) > 0)
    return make_error(Code::io, in_name + ": changed size while being read (it was " +
                                    std::to_string(context.plaintext_size) +
                                    " bytes); make sure nothing writes the image during packaging");
  FWSEAL_TRY(encrypter.finish());
  FWSEAL_TRY(writer.finish());
  EncryptedDigests d;
  FWSEAL_ASSIGN(d.plaintext, noncer.finish());
  const std::string raw = ciphertext_hash.finish();
  std::copy(raw.begin(), raw.end(), d.ciphertext.begin());
  return d;
}

}  // namespace fwseal::packager

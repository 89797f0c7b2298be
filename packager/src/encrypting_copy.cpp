#include "encrypting_copy.h"

#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "fwseal/base/file.h"

namespace fwseal::packager {
namespace {

constexpr std::size_t kReadSize = std::size_t{1} << 20;
constexpr std::size_t kWriteSize = std::size_t{4} << 20;
constexpr std::size_t kInFlight = 3;  // ciphertext buffers queued for the writer

// The writer thread: hashes each buffer of ciphertext, then writes it.
class HashingWriter {
 public:
  HashingWriter(int out, std::uint64_t offset, const std::string& out_name)
      : out_(out), offset_(offset), out_name_(out_name), thread_([this] { run(); }) {}
  ~HashingWriter() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  HashingWriter(const HashingWriter&) = delete;
  HashingWriter& operator=(const HashingWriter&) = delete;

  // Queues `buf` (taken); returns an empty buffer to fill next. Waits while
  // kInFlight buffers are queued.
  Result<std::vector<std::uint8_t>> push(std::vector<std::uint8_t> buf) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return queue_.size() < kInFlight || failure_; });
    if (failure_) return *failure_;
    queue_.push_back(std::move(buf));
    std::vector<std::uint8_t> next;
    if (!spare_.empty()) {
      next = std::move(spare_.back());
      spare_.pop_back();
    }
    lock.unlock();
    cv_.notify_all();
    next.clear();
    return next;
  }

  // Waits for every queued buffer; the ciphertext's SHA-256.
  Result<Sha256> finish() {
    std::unique_lock lock(mu_);
    closed_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return done_; });
    if (failure_) return *failure_;
    return digest_;
  }

 private:
  void run() {
    std::optional<Hasher> hasher;
    try {
      hasher.emplace(Hasher::sha256());
    } catch (const std::exception& e) {
      fail(make_error(Code::internal, std::string("SHA-256 failed: ") + e.what()));
    }
    for (;;) {
      std::vector<std::uint8_t> buf;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return closed_ || !queue_.empty(); });
        if (queue_.empty() || failure_) break;
        buf = std::move(queue_.front());
        queue_.pop_front();
      }
      cv_.notify_all();
      if (hasher) hasher->update(std::span<const std::uint8_t>(buf));
      Status w = pwrite_all(out_, std::string_view(reinterpret_cast<const char*>(buf.data()), buf.size()), offset_,
                            out_name_);
      if (!w.ok()) fail(std::move(w).error());
      offset_ += buf.size();
      std::lock_guard lock(mu_);
      spare_.push_back(std::move(buf));
    }
    std::lock_guard lock(mu_);
    if (hasher && !failure_) {
      const std::string raw = hasher->finish();
      std::copy(raw.begin(), raw.end(), digest_.begin());
    }
    done_ = true;
    cv_.notify_all();
  }

  void fail(Error e) {
    std::lock_guard lock(mu_);
    if (!failure_) failure_ = std::move(e);
    cv_.notify_all();
  }

  int out_;
  std::uint64_t offset_;
  const std::string& out_name_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<std::uint8_t>> queue_;
  std::vector<std::vector<std::uint8_t>> spare_;
  std::optional<Error> failure_;
  bool closed_ = false;
  bool done_ = false;
  Sha256 digest_{};
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace

Result<EncryptedDigests> encrypt_copy(int in, const std::string& in_name, const enc::DataKey& key,
                                      const enc::ImageContext& context, int out, std::uint64_t out_offset,
                                      const std::string& out_name, ProgressSink* progress) {
  HashingWriter writer(out, out_offset, out_name);
  std::vector<std::uint8_t> pending;
  pending.reserve(kWriteSize + kReadSize + 4096);
  FWSEAL_ASSIGN(enc::ChunkEncryptor encryptor,
                enc::ChunkEncryptor::create(key, context, [&](std::span<const std::uint8_t> chunk) -> Status {
                  pending.insert(pending.end(), chunk.begin(), chunk.end());
                  if (pending.size() < kWriteSize) return ok_status();
                  FWSEAL_ASSIGN(std::vector<std::uint8_t> next, writer.push(std::move(pending)));
                  pending = std::move(next);
                  pending.reserve(kWriteSize + kReadSize + 4096);
                  return ok_status();
                }));
  std::vector<std::uint8_t> buf(kReadSize);
  std::uint64_t offset = 0;
  while (offset < context.plaintext_size) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kReadSize, context.plaintext_size - offset));
    const ssize_t r = ::pread(in, buf.data(), want, static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      return make_error(Code::io, in_name + ": read failed: " + errno_text(errno));
    }
    if (r == 0)
      return make_error(Code::io, in_name + ": changed size while being read (it was " +
                                      std::to_string(context.plaintext_size) +
                                      " bytes); make sure nothing writes the image during packaging");
    FWSEAL_TRY(encryptor.update(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(r))));
    offset += static_cast<std::uint64_t>(r);
    if (progress) progress->add_bytes(static_cast<std::uint64_t>(r));
  }
  EncryptedDigests d;
  FWSEAL_ASSIGN(d.plaintext, encryptor.finish());
  if (!pending.empty()) FWSEAL_TRY(writer.push(std::move(pending)));
  FWSEAL_ASSIGN(d.ciphertext, writer.finish());
  return d;
}

}  // namespace fwseal::packager

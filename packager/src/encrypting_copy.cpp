#include "encrypting_copy.h"

#include <algorithm>
#include <vector>

#include "fwseal/base/direct_write.h"
#include "fwseal/base/file.h"
#include "fwseal/base/worker.h"
#include "image_read.h"

namespace fwseal::packager {
namespace {

// Plaintext goes through in jobs of whole chunks, about this many bytes.
constexpr std::size_t kJobBytes = std::size_t{1} << 20;
// Ciphertext is written in pieces of up to this many bytes (more if one
// sealed chunk needs more): each O_DSYNC write waits about as long for the
// device whatever its size, so larger writes go faster (as Copier's 4 MiB).
// With one plaintext job queued before the sealing thread and one buffer
// before the writing thread, the copy holds 3 MiB of plaintext and 12 MiB of
// ciphertext: a little less memory than a plain copy's 4 buffers of 4 MiB.
constexpr std::size_t kWriteBytes = std::size_t{4} << 20;
// The reader takes the plaintext in pieces of this size (at least a chunk),
// small enough to stay in a core's cache until each chunk in it is hashed.
constexpr std::size_t kReadBytes = std::size_t{256} << 10;

// Whole chunks of plaintext, with the nonce the reader derived for each.
struct SealJob {
  std::vector<std::uint8_t> plain;
  std::vector<enc::ChunkNonce> nonces;
};

// Sealed chunks, placed in an aligned buffer at the offset within a page that
// they have in the package, so that their whole pages can go with O_DIRECT.
struct CipherJob {
  DirectBuffer buffer;
  std::size_t skew = 0;  // where in `buffer` the bytes start
  std::size_t len = 0;
};

}  // namespace

Result<EncryptedDigests> encrypt_copy(int in, const std::string& in_name, const enc::DataKey& key,
                                      const enc::ImageContext& context, int out, std::uint64_t out_offset,
                                      const std::string& out_name, bool direct, ProgressSink* progress) {
  FWSEAL_ASSIGN(enc::ChunkNoncer noncer, enc::ChunkNoncer::create(key, context));
  FWSEAL_ASSIGN(enc::ChunkSealer sealer, enc::ChunkSealer::create(key, context));
  Hasher ciphertext_hash = Hasher::sha256();

  // Whole chunks per job; a write buffer holds at least one sealed chunk
  // after the skew.
  const std::size_t chunk = context.chunk_size;
  const std::size_t job_bytes = std::max<std::size_t>(1, kJobBytes / chunk) * chunk;
  const std::size_t cipher_bytes = std::max(kWriteBytes, kDirectAlign + chunk + enc::kChunkOverhead);

  // Third stage: write. An O_DIRECT write waits for the device, so it has
  // this thread to itself while the others compute the next bytes.
  PageWriter pages(out, direct);
  std::uint64_t write_at = out_offset;
  Worker<CipherJob> writer(
      [&](CipherJob& job) -> Status {
        FWSEAL_TRY(pages.write({job.buffer.get() + job.skew, job.len}, write_at, out_name));
        write_at += job.len;
        return ok_status();
      },
      1);
  // Second stage: encrypt each chunk with its nonce into the writer's next
  // buffer, and hash the ciphertext; a full buffer goes to the writer.
  std::uint64_t sealed_at = out_offset;  // where `sealed` starts in the package
  CipherJob sealed;
  Worker<SealJob> encrypter(
      [&](SealJob& job) -> Status {
        std::size_t at = 0;
        for (const auto& n : job.nonces) {
          const std::size_t len = std::min<std::size_t>(chunk, job.plain.size() - at);
          if (sealed.len > 0 && sealed.skew + sealed.len + len + enc::kChunkOverhead > cipher_bytes) {
            sealed_at += sealed.len;
            FWSEAL_ASSIGN(sealed, writer.push(std::move(sealed)));
            sealed.len = 0;
          }
          if (!sealed.buffer) sealed.buffer = direct_buffer(cipher_bytes, direct);
          if (sealed.len == 0) sealed.skew = static_cast<std::size_t>(sealed_at % kDirectAlign);
          const std::span<std::uint8_t> dst(sealed.buffer.get() + sealed.skew + sealed.len, len + enc::kChunkOverhead);
          FWSEAL_TRY(sealer.seal(n, std::span<const std::uint8_t>(job.plain).subspan(at, len), dst));
          ciphertext_hash.update(dst);  // while the chunk is still in this core's cache
          at += len;
          sealed.len += dst.size();
        }
        return ok_status();
      },
      1);

  // First stage, this thread: read whole chunks, hash them and derive their
  // nonces (each depends on the plaintext before it).
  SealJob job;
  std::uint64_t offset = 0;
  while (!noncer.done()) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(job_bytes, context.plaintext_size - offset));
    job.plain.resize(want);
    job.nonces.clear();
    std::size_t got = 0;
    for (std::size_t at = 0; at < want || (want == 0 && job.nonces.empty());) {  // an empty image: one empty chunk
      const std::size_t len = noncer.next_length();
      // Read a few chunks at a time and hash each at once, while it is still
      // in this core's cache.
      if (got < at + len) {
        const std::size_t until = std::min(want, at + std::max(len, kReadBytes));
        FWSEAL_ASSIGN(std::size_t n, pread_full(in, job.plain.data() + got, until - got, offset + got, in_name));
        if (n != until - got) return changed_while_read(in_name, context.plaintext_size);
        got = until;
      }
      FWSEAL_ASSIGN(enc::ChunkNonce n, noncer.next(std::span<const std::uint8_t>(job.plain).subspan(at, len)));
      job.nonces.push_back(n);
      at += len;
    }
    offset += want;
    if (progress) progress->add_bytes(want);
    FWSEAL_ASSIGN(job, encrypter.push(std::move(job)));
  }
  FWSEAL_TRY(check_ends_at(in, context.plaintext_size, in_name));
  FWSEAL_TRY(encrypter.finish());
  if (sealed.len > 0) FWSEAL_TRY(writer.push(std::move(sealed)));
  FWSEAL_TRY(writer.finish());
  EncryptedDigests d;
  FWSEAL_ASSIGN(d.plaintext, noncer.finish());
  const std::string raw = ciphertext_hash.finish();
  std::copy(raw.begin(), raw.end(), d.ciphertext.begin());
  return d;
}

}  // namespace fwseal::packager

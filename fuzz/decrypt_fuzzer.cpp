// Decryption of an encrypted image (docs/FORMAT.md "Encrypted images", R27) on
// arbitrary ciphertext, with a fixed data key.
//
// The first two input bytes choose the plaintext size the context declares
// (0 to 65535 bytes, in chunks of 4096); the rest is the ciphertext, fed in
// pieces whose sizes come from the input too.
//
// Invariants, for every input:
//   - a refusal is Code::decryption, never another code, and no plaintext
//     is released after it;
//   - what is released never exceeds the declared plaintext size;
//   - an input that decrypts is exactly what encrypting its plaintext gives
//     (encryption is deterministic: there is one valid ciphertext per
//     plaintext), and finish() returns the plaintext's SHA-256.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "fwseal/format/encryption.h"

using namespace fwseal;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const enc::ImageContext c = fuzz::decrypt_context(static_cast<std::uint64_t>(data[0]) << 8 | data[1]);
  const std::uint8_t step = data[2];
  const std::string_view ct(reinterpret_cast<const char*>(data + 3), size - 3);
  const enc::DataKey key = fuzz::fixed_data_key();

  std::string released;
  bool failed = false;
  auto d = enc::ChunkDecryptor::create(key, c, "image/rootfs", [&](std::span<const std::uint8_t> b) {
    FUZZ_CHECK(!failed, "plaintext released after a failure");
    released.append(reinterpret_cast<const char*>(b.data()), b.size());
    FUZZ_CHECK(released.size() <= c.plaintext_size, "more plaintext released than declared");
    return Status{};
  });
  FUZZ_CHECK(d.ok(), fuzz::describe(d));
  const std::size_t piece = std::size_t{step} * 61 + 1;
  for (std::size_t at = 0; at < ct.size() && !failed; at += piece) {
    const std::string_view part = ct.substr(at, piece);
    Status s = d->update({reinterpret_cast<const std::uint8_t*>(part.data()), part.size()});
    if (!s.ok()) {
      FUZZ_CHECK(s.error().code == Code::decryption, fuzz::describe(s));
      failed = true;
    }
  }
  if (failed) return 0;
  auto digest = d->finish();
  if (!digest.ok()) {
    FUZZ_CHECK(digest.error().code == Code::decryption, fuzz::describe(digest));
    return 0;
  }
  FUZZ_CHECK(*digest == sha256(released), "finish() does not return the plaintext's SHA-256");
  std::string again;
  auto e = enc::ChunkEncryptor::create(key, c, [&](std::span<const std::uint8_t> b) {
    again.append(reinterpret_cast<const char*>(b.data()), b.size());
    return Status{};
  });
  FUZZ_CHECK(e.ok(), fuzz::describe(e));
  FUZZ_CHECK(e->update({reinterpret_cast<const std::uint8_t*>(released.data()), released.size()}).ok(), "encrypt");
  FUZZ_CHECK(e->finish().ok(), "encrypt finish");
  FUZZ_CHECK(again == ct, "a ciphertext decrypted that encryption would not have made");
  return 0;
}

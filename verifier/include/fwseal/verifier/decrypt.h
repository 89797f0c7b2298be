// Decryption of encrypted images (docs/FORMAT.md "Encrypted images"), as a
// PackageSink around another: the package is verified exactly as without a
// key (ciphertext sizes and digests, R19), and, with a recipient's key,
// every encrypted image is decrypted while it streams past:
//
//   R27  the key is a recipient of each encrypted image, its wrapped data key
//        unwraps, and every chunk authenticates at its place, with the nonce
//        its plaintext derives                                     -> 17
//   R28  the plaintext's SHA-256 is the manifest's plaintext_sha256 -> 11
//
// A failure of R27 or R28 is recorded, not returned at once, so the
// package's own verdict (10 to 15) comes first; result() gives it after
// verify_package has passed. Plaintext reaches the inner sink only from
// chunks that authenticated; the inner sink stages it like any image.
//
// Decryption runs on a thread of its own (AES-GCM, the plaintext's SHA-256 and
// the inner sink's writes), beside the verifier's thread hashing the
// ciphertext: the ciphertext is gathered into jobs of kJobBytes, one queued
// while another decrypts (1.5 MiB in all, whatever the image's size). The
// inner sink's image_data is then called from that thread, its begin_image
// and end_image from the caller's, never at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fwseal/base/worker.h"
#include "fwseal/format/encryption.h"
#include "fwseal/verifier/verify.h"

namespace fwseal::verifier {

class DecryptingSink final : public PackageSink {
 public:
  // `key`: the recipient's private key; null to check ciphertext only (then
  // an inner sink, which would receive ciphertext, is refused for an
  // encrypted image). `inner` may be null: decrypt to check, write nothing.
  DecryptingSink(const enc::RecipientKey* key, PackageSink* inner) : key_(key), inner_(inner) {}
  DecryptingSink(const DecryptingSink&) = delete;
  DecryptingSink& operator=(const DecryptingSink&) = delete;

  static constexpr std::size_t kJobBytes = std::size_t{512} << 10;

  Status begin(const UnverifiedManifest& manifest) override;
  Status begin_image(const ImageInfo& unverified_image) override;
  Status image_data(std::string_view chunk) override;
  Status end_image() override;

  // After verify_package passed: the first R27/R28 failure, or ok. Also
  // Code::usage if a key was given and no image is encrypted.
  Status result() const;
  // The images decrypted and checked, in package order.
  const std::vector<std::string>& decrypted() const { return decrypted_; }

 private:
  void record(Error e) {
    if (!failure_) failure_ = std::move(e);
  }
  // Hands the gathered ciphertext to the decrypting thread.
  Status push_pending();
  // The decrypting thread stopped with `e`: an R27 failure is recorded and the
  // image's remaining bytes are dropped; any other (the inner sink's) is returned.
  Status stopped(Error e);

  const enc::RecipientKey* key_;
  PackageSink* inner_;
  std::string product_, version_;
  bool any_encrypted_ = false;
  // The image being read: its decryptor while it decrypts, its expected plaintext.
  std::optional<enc::ChunkDecryptor> decryptor_;
  // Ciphertext for the decrypting thread: kJobBytes of room, `len` used.
  struct Job {
    std::unique_ptr<std::uint8_t[]> bytes;
    std::size_t len = 0;
  };
  Job pending_;                      // not yet handed over
  std::optional<Worker<Job>> worker_;  // after decryptor_: stops before it goes
  std::string where_;
  Sha256 expected_{};
  std::optional<Error> failure_;
  std::vector<std::string> decrypted_;
};

}  // namespace fwseal::verifier

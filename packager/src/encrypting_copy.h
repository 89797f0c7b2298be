// Internal: writes an image into the package encrypted (docs/FORMAT.md
// "Encrypted images"), reading each plaintext byte once, in three stages on
// three threads: the calling thread reads and hashes the plaintext and
// derives each chunk's nonce from it (enc::ChunkNoncer), a second encrypts
// the chunks (enc::ChunkSealer) and hashes the ciphertext, a third writes it.
// So the two SHA-256 passes run side by side, and the computing goes on
// while the device writes. With `direct`, the ciphertext's whole pages are
// written with O_DIRECT (PageWriter), as Copier writes a plain image's.
#pragma once

#include <cstdint>
#include <string>

#include "fwseal/base/digest.h"
#include "fwseal/base/error.h"
#include "fwseal/base/progress.h"
#include "fwseal/format/encryption.h"

namespace fwseal::packager {

struct EncryptedDigests {
  Sha256 ciphertext{};  // the entry's sha256 in the manifest
  Sha256 plaintext{};   // encryption.plaintext_sha256
};

// Encrypts the `context.plaintext_size` bytes of `in` (from offset 0) and
// writes the ciphertext to `out` at `out_offset`. Code::io naming `in_name` if
// `in` cannot be read or ends early (it changed while being read), naming
// `out_name` if `out` cannot be written.
// Each plaintext byte read is reported to `progress` (may be null).
Result<EncryptedDigests> encrypt_copy(int in, const std::string& in_name, const enc::DataKey& key,
                                      const enc::ImageContext& context, int out, std::uint64_t out_offset,
                                      const std::string& out_name, bool direct, ProgressSink* progress = nullptr);

}  // namespace fwseal::packager

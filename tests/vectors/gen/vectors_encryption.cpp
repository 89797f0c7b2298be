// Encrypted images (docs/FORMAT.md "Encrypted images"): the manifest's
// encryption member (R26), decryption with a device class's key (R27) and the
// plaintext's digest (R28). The packages are signed over what they state, so
// only decryption can find what is wrong with R27 and R28's vectors; without
// a key they are valid. The recipients' keys are recipient-keys/*.pem (test
// only), the release secret a fixed 32 bytes.
#include <algorithm>
#include <array>
#include <stdexcept>

#include "catalogue.h"
#include "fwseal/base/digest.h"
#include "fwseal/format/encryption.h"

namespace fwseal::vectors {
namespace {

constexpr std::uint32_t kChunk = 4096;
constexpr std::size_t kRootfs = 1;  // the index of rootfs in base_spec's manifest

std::unique_ptr<enc::SoftwareSecret> secret() {
  return must(enc::SoftwareSecret::create(std::string(32, 'v'), "the vectors' secret"), "secret");
}

std::vector<enc::Recipient> recipients(const std::string& dir) {
  std::vector<enc::Recipient> out;
  for (const char* name : {"device-p256", "device-x25519"})
    out.push_back(must(enc::load_recipient_pem(dir + "/recipient-keys/" + name + ".pub.pem"), name));
  return out;
}

struct Encrypted {
  std::string ciphertext;
  enc::ImageEncryption encryption;
};

Encrypted encrypt(const Manifest& m, const std::string& image, const std::string& plain,
                  const std::vector<enc::Recipient>& to) {
  const enc::ImageContext c{m.product, m.version, image, plain.size(), kChunk};
  const auto s = secret();
  const enc::DataKey key = must(enc::derive_data_key(*s, c), "data key");
  Encrypted out;
  auto e = must(enc::ChunkEncryptor::create(key, c,
                                            [&](std::span<const std::uint8_t> b) {
                                              out.ciphertext.append(reinterpret_cast<const char*>(b.data()), b.size());
                                              return Status{};
                                            }),
                "encryptor");
  require(e.update({reinterpret_cast<const std::uint8_t*>(plain.data()), plain.size()}).ok(), "encrypt");
  out.encryption.plaintext_sha256 = must(e.finish(), "encrypt");
  out.encryption.chunk_size = kChunk;
  out.encryption.plaintext_size = plain.size();
  for (const auto& r : to) out.encryption.recipients.push_back(must(enc::wrap_data_key(key, r, c), "wrap"));
  std::sort(out.encryption.recipients.begin(), out.encryption.recipients.end(),
            [](const auto& a, const auto& b) { return a.recipient < b.recipient; });
  return out;
}

// base_spec_v2 with rootfs encrypted: `plain` as given, or 3 chunks and 100 bytes.
Spec encrypted_spec(const std::string& dir, std::string plain = pattern(3 * kChunk + 100, 71)) {
  Spec s = base_spec_v2();
  Encrypted e = encrypt(s.manifest, "rootfs", plain, recipients(dir));
  s.images[kRootfs] = std::move(e.ciphertext);
  s.manifest.images[kRootfs].encryption = std::move(e.encryption);
  return s;
}

std::string chunk(const std::string& ciphertext, std::size_t i) {
  return ciphertext.substr(i * (kChunk + enc::kChunkOverhead), kChunk + enc::kChunkOverhead);
}

}  // namespace

void encryption_vectors(Ctx& c, const std::string& dir) {
  const Device with_key{"trust.json", {"--decrypt-key", "recipient-keys/device-x25519.pem"}};
  const Spec base = encrypted_spec(dir);
  const std::string plain = pattern(3 * kChunk + 100, 71);
  const std::string ct = base.images[kRootfs];

  c.out.valid("encrypted", "rootfs encrypted for two device classes (P-256, X25519): valid without any key",
              assemble(base, c.keys).bytes(), "VALID: acme-cam 1.4.2");
  c.out.again("valid", "encrypted-decrypted-x25519", "the same, decrypted with the X25519 device key: plaintext checked",
              "valid/encrypted.fwpkg", 0, "decrypted: image/rootfs with ", with_key);
  c.out.again("valid", "encrypted-decrypted-p256", "the same, decrypted with the P-256 device key: plaintext checked",
              "valid/encrypted.fwpkg", 0, "decrypted: image/rootfs with ",
              Device{"trust.json", {"--decrypt-key", "recipient-keys/device-p256.pem"}});
  c.out.again("R27", "r27-not-a-recipient", "decrypted with a key the image was not encrypted for",
              "valid/encrypted.fwpkg", 17, "image/rootfs: not encrypted for key ",
              Device{"trust.json", {"--decrypt-key", "recipient-keys/stranger-x25519.pem"}});

  // R26: what the manifest says of the encryption.
  {
    const std::string mb = Spec(base).manifest_bytes();
    const std::string size = "\"size\":" + std::to_string(ct.size());
    Spec s = base;
    s.manifest_bytes_override = replaced(mb, size, "\"size\":" + std::to_string(ct.size() + 1));
    s.keep_digests = true;
    s.images[kRootfs] += '\0';
    c.out.invalid("R26", "r26-size-not-the-chunks", "rootfs's entry is a byte longer than its chunks can be",
                  assemble(s, c.keys).bytes(), 10,
                  "manifest.images[1].size: " + std::to_string(ct.size() + 1) + " is not the size of " +
                      std::to_string(plain.size()) + " bytes encrypted in chunks of 4096 (" +
                      std::to_string(ct.size()) + ")");
    s = base;
    s.manifest_bytes_override = replaced(mb, "aes-256-gcm-chunked-v1", "aes-256-gcm-chunked-v9");
    c.out.invalid("R26", "r26-unknown-cipher", "a cipher this format does not define", assemble(s, c.keys).bytes(), 10,
                  "manifest.images[1].encryption.cipher: expected \"aes-256-gcm-chunked-v1\", found "
                  "\"aes-256-gcm-chunked-v9\"");
    s = base;
    s.manifest_bytes_override = replaced(mb, "\"chunk_size\":4096", "\"chunk_size\":4000");
    c.out.invalid("R26", "r26-chunk-size", "chunk_size 4000, not a power of two", assemble(s, c.keys).bytes(), 10,
                  "manifest.images[1].encryption.chunk_size: 4000 is not a power of two from 4096 to 16777216");
  }

  // R27: each chunk at its place, from this image of this package.
  {
    Spec s = base;
    s.images[kRootfs] = chunk(ct, 1) + chunk(ct, 0) + ct.substr(2 * (kChunk + enc::kChunkOverhead));
    c.out.invalid("R27", "r27-chunks-swapped", "rootfs's first two chunks swapped (the digests made to match)",
                  assemble(s, c.keys).bytes(), 17,
                  "image/rootfs: chunk 1 of 4 does not authenticate (altered, moved, cut short, or from another "
                  "image or package)",
                  with_key);
  }
  {
    // The last chunk dropped and the sizes made to match: the context (its
    // plaintext size) is another, so the wrapped key does not unwrap.
    Spec s = base;
    s.images[kRootfs] = ct.substr(0, 3 * (kChunk + enc::kChunkOverhead));
    s.manifest.images[kRootfs].encryption->plaintext_size = 3 * kChunk;
    s.manifest.images[kRootfs].encryption->plaintext_sha256 = sha256(plain.substr(0, 3 * kChunk));
    c.out.invalid("R27", "r27-last-chunk-dropped", "rootfs cut after its third chunk, sizes and digests made to match",
                  assemble(s, c.keys).bytes(), 17, "image/rootfs: the data key wrapped for ", with_key);
  }
  {
    Spec other = base_spec_v2();
    const Encrypted app = encrypt(other.manifest, "app", plain, recipients(dir));
    Spec s = base;
    s.images[kRootfs] = chunk(ct, 0) + chunk(app.ciphertext, 1) + ct.substr(2 * (kChunk + enc::kChunkOverhead));
    c.out.invalid("R27", "r27-chunk-of-another-image", "rootfs's second chunk taken from image app of the same release",
                  assemble(s, c.keys).bytes(), 17, "image/rootfs: chunk 2 of 4 does not authenticate", with_key);
  }
  {
    std::string plain2 = plain;
    plain2[kChunk + 7] ^= 0x20;
    const Spec build2 = encrypted_spec(dir, plain2);
    Spec s = base;
    s.images[kRootfs] = chunk(ct, 0) + chunk(build2.images[kRootfs], 1) + ct.substr(2 * (kChunk + enc::kChunkOverhead));
    c.out.invalid("R27", "r27-chunk-of-another-build",
                  "rootfs's second chunk taken from another build of the same image (same key): the next chunk's "
                  "nonce does not follow",
                  assemble(s, c.keys).bytes(), 17,
                  "image/rootfs: chunk 3 of 4: its nonce does not follow from the plaintext so far", with_key);
  }
  {
    Spec v143 = base_spec_v2();
    v143.manifest.version = "1.4.3";
    const Encrypted later = encrypt(v143.manifest, "rootfs", plain, recipients(dir));
    Spec s = base;
    s.manifest.images[kRootfs].encryption->recipients = later.encryption.recipients;
    c.out.invalid("R27", "r27-wrapped-keys-of-another-package", "rootfs's wrapped keys taken from version 1.4.3's package",
                  assemble(s, c.keys).bytes(), 17, "image/rootfs: the data key wrapped for ", with_key);
  }

  // R28: the plaintext is what the manifest says.
  {
    Spec s = base;
    s.manifest.images[kRootfs].encryption->plaintext_sha256 = sha256("another plaintext");
    c.out.invalid("R28", "r28-plaintext-digest", "plaintext_sha256 is not the plaintext's", assemble(s, c.keys).bytes(),
                  11,
                  "image/rootfs: the decrypted image's SHA-256 is " + sha256_hex(plain) +
                      ", the manifest's plaintext_sha256 is " + sha256_hex("another plaintext"),
                  with_key);
  }
}

}  // namespace fwseal::vectors

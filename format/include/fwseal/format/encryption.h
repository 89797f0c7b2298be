// Encrypted images: the bytes of an encrypted image entry, the derivation of
// its keys and nonces, and the wrapping of its data key for each recipient.
// docs/FORMAT.md section "Encrypted images" is the prose form of this file.
//
// An encrypted image is a sequence of chunks. Chunk i holds `chunk_size`
// bytes of plaintext (the last one what is left: 0 … chunk_size bytes, and
// there is always at least one chunk) and is stored as
//
//   nonce (12 bytes) | AES-256-GCM ciphertext (as long as the plaintext) | tag (16 bytes)
//
// with additional data "fwseal-chunk-v1" | binding | u64be(i) | u8(last).
// The binding is SHA-256 of the image's context (product, version, image
// name, plaintext size, chunk size), so a chunk moved to another place,
// another image or another package, or an image cut after any chunk, fails
// authentication before a byte of its plaintext is released.
//
// Keys are derived, never drawn at random, so the same inputs give the same
// bytes: the image's data key is HMAC-SHA-256 of its context under the
// release's encryption secret (a key in a PKCS#11 token, or a file), and
// chunk i's nonce is HMAC-SHA-256, under a key derived from the data key, of
// i, the last-chunk flag and the SHA-256 of the plaintext up to the end of
// chunk i. A nonce repeats under one data key only where that whole prefix
// repeats, which makes the chunk's plaintext the same: no nonce is ever used
// for two different plaintexts (up to SHA-256 and HMAC collisions).
//
// The data key is wrapped for each recipient (a device class's public key,
// P-256 or X25519): ECDH with an ephemeral key derived from the data key and
// the recipient, HKDF-SHA-256 of the shared secret, and AES-256-GCM of the
// data key with the context as additional data (Debian 12's OpenSSL 3.0 has no
// HPKE; this is the same construction, DH-KEM then HKDF then an AEAD, without
// HPKE's labels).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/digest.h"
#include "fwseal/base/error.h"
#include "fwseal/base/openssl.h"
#include "fwseal/format/signature.h"

namespace fwseal::enc {

inline constexpr std::string_view kCipher = "aes-256-gcm-chunked-v1";
inline constexpr std::size_t kNonceBytes = 12;
inline constexpr std::size_t kTagBytes = 16;
inline constexpr std::size_t kChunkOverhead = kNonceBytes + kTagBytes;
inline constexpr std::size_t kDataKeyBytes = 32;
inline constexpr std::uint32_t kDefaultChunkSize = 64 * 1024;
inline constexpr std::uint32_t kMinChunkSize = 4 * 1024;
inline constexpr std::uint32_t kMaxChunkSize = 16 * 1024 * 1024;
inline constexpr std::size_t kMaxRecipients = 32;

// The key agreement of a recipient's key.
enum class KeyAgreement { p256, x25519 };
std::string_view key_agreement_name(KeyAgreement k);  // "ecdh-p256", "x25519"
Result<KeyAgreement> key_agreement_from_name(std::string_view name, std::string_view where);

// What an image's keys and chunks are bound to.
struct ImageContext {
  std::string product;
  std::string version;
  std::string image;
  std::uint64_t plaintext_size = 0;
  std::uint32_t chunk_size = kDefaultChunkSize;
};

// The bytes HMAC'd into the data key, and their SHA-256 (the binding).
std::string context_bytes(const ImageContext& c);
Sha256 binding_of(const ImageContext& c);

// Chunk count (at least 1) and the size of the encrypted entry.
std::uint64_t chunk_count(std::uint64_t plaintext_size, std::uint32_t chunk_size);
std::uint64_t ciphertext_size(std::uint64_t plaintext_size, std::uint32_t chunk_size);
// A power of two from kMinChunkSize to kMaxChunkSize, else Code::malformed naming `where`.
Status check_chunk_size(std::uint64_t chunk_size, std::string_view where);

// An image's data key. Only this file's functions read its bytes.
class DataKey {
 public:
  // For tests and the vectors: a key given as bytes.
  static DataKey from_bytes(const std::array<std::uint8_t, kDataKeyBytes>& bytes) { return DataKey(bytes); }
  bool operator==(const DataKey& o) const = default;

 private:
  explicit DataKey(const std::array<std::uint8_t, kDataKeyBytes>& b) : bytes_(b) {}
  std::array<std::uint8_t, kDataKeyBytes> bytes_{};
  friend struct DataKeyAccess;
};

// The release's encryption secret: a PRF from context bytes to 32 bytes,
// HMAC-SHA-256. The same secret gives the same data keys whether it is a
// file or a key inside a token (hsm::TokenSecret).
class EncryptionSecret {
 public:
  virtual ~EncryptionSecret() = default;
  virtual Result<std::array<std::uint8_t, 32>> hmac_sha256(std::string_view message) const = 0;
  // What messages call it ("encryption secret FILE", "pkcs11:…").
  virtual std::string describe() const = 0;
};

// A secret held in memory: a file's 32 to 64 bytes (fwseal reads it with the
// same care as a PIN file).
class SoftwareSecret final : public EncryptionSecret {
 public:
  static Result<std::unique_ptr<SoftwareSecret>> create(std::string bytes, std::string description);
  ~SoftwareSecret() override;
  Result<std::array<std::uint8_t, 32>> hmac_sha256(std::string_view message) const override;
  std::string describe() const override { return description_; }

 private:
  SoftwareSecret(std::string bytes, std::string description)
      : bytes_(std::move(bytes)), description_(std::move(description)) {}
  std::string bytes_;
  std::string description_;
};

// An encryption secret from a file of 32 to 64 bytes that only its owner may
// read (like a PIN file or an ssh key): Code::usage naming the file otherwise.
Result<std::unique_ptr<SoftwareSecret>> load_secret_file(const std::string& path);

Result<DataKey> derive_data_key(const EncryptionSecret& secret, const ImageContext& c);

// A recipient's public key: P-256 or X25519, named by the SHA-256 of its
// SubjectPublicKeyInfo (as signing keys are).
struct Recipient {
  KeyAgreement agreement = KeyAgreement::x25519;
  KeyId key_id{};
  ossl::PKey public_key;
};
Result<Recipient> recipient_from_public_key(const EVP_PKEY* key, std::string_view where);
Result<Recipient> load_recipient_pem(const std::string& path);

// The data key wrapped for one recipient, as the manifest records it.
struct WrappedKey {
  KeyAgreement agreement = KeyAgreement::x25519;
  KeyId recipient{};
  std::string ephemeral_public;  // P-256: 65-byte uncompressed point; X25519: 32 bytes
  std::string wrapped;           // AES-256-GCM of the data key and its tag: 48 bytes
};

// What the manifest records of an encrypted image (R26): the image entry's
// own size and sha256 are the ciphertext's, checked by every verifier; these
// are checked after decryption.
struct ImageEncryption {
  std::uint32_t chunk_size = kDefaultChunkSize;
  std::uint64_t plaintext_size = 0;
  Sha256 plaintext_sha256{};
  std::vector<WrappedKey> recipients;  // sorted by key id, unique, 1 to kMaxRecipients
};

Result<WrappedKey> wrap_data_key(const DataKey& key, const Recipient& recipient, const ImageContext& c);

// Code::decryption naming `where` unless `raw` is a valid public point of
// `agreement` (P-256: on the curve, uncompressed; X25519: 32 bytes). A token
// is never asked to derive with a point that fails this.
Status check_public_point(KeyAgreement agreement, std::string_view raw, std::string_view where);

// The private half of a recipient: ECDH inside a token (hsm::TokenRecipient),
// or a PEM file for devices that keep it so and for tests.
class RecipientKey {
 public:
  virtual ~RecipientKey() = default;
  virtual KeyAgreement agreement() const = 0;
  virtual const KeyId& key_id() const = 0;
  // The raw ECDH shared secret with `peer` (encoded as WrappedKey's ephemeral_public).
  virtual Result<std::string> agree(std::string_view peer) const = 0;
  virtual std::string describe() const = 0;
};

// A PEM private key (PKCS#8, P-256 or X25519).
Result<std::unique_ptr<RecipientKey>> load_recipient_private_pem(const std::string& path);

// The data key for `key` among `wrapped`: Code::decryption if none of them is
// for this key ("not a recipient") or the one that is does not unwrap with
// this context (another image or package, or tampered).
Result<DataKey> unwrap_data_key(const std::vector<WrappedKey>& wrapped, const RecipientKey& key, const ImageContext& c,
                                std::string_view where);

// The two halves of encryption, for a caller that runs them on two threads
// (the packager): a ChunkNoncer hashes the plaintext chunk after chunk and
// gives each chunk's nonce; a ChunkSealer encrypts a chunk with the nonce the
// noncer gave for exactly those bytes. ChunkEncryptor is both on one thread.
struct ChunkNonce {
  std::uint64_t index = 0;
  std::array<unsigned char, kNonceBytes> nonce{};
};

class ChunkNoncer {
 public:
  static Result<ChunkNoncer> create(const DataKey& key, const ImageContext& c);
  ChunkNoncer(ChunkNoncer&&) noexcept;
  ChunkNoncer& operator=(ChunkNoncer&&) noexcept;
  ~ChunkNoncer();
  // The plaintext length of the next chunk (0 once every chunk had its nonce;
  // an empty image is one chunk of 0 bytes).
  std::size_t next_length() const;
  bool done() const;
  // The next chunk's nonce; `chunk` must be next_length() bytes (Code::internal otherwise).
  Result<ChunkNonce> next(std::span<const std::uint8_t> chunk);
  // The plaintext's SHA-256, once done(); Code::internal before.
  Result<Sha256> finish();

 private:
  struct State;
  explicit ChunkNoncer(std::unique_ptr<State> s);
  std::unique_ptr<State> s_;
};

class ChunkSealer {
 public:
  static Result<ChunkSealer> create(const DataKey& key, const ImageContext& c);
  ChunkSealer(ChunkSealer&&) noexcept;
  ChunkSealer& operator=(ChunkSealer&&) noexcept;
  ~ChunkSealer();
  // Appends nonce | ciphertext | tag of the chunk `n` was made for to `out`.
  // Code::internal if `chunk` is not that chunk's length.
  Status seal(const ChunkNonce& n, std::span<const std::uint8_t> chunk, std::vector<std::uint8_t>& out);
  // The same into `out`, which must be exactly chunk.size() + kChunkOverhead
  // bytes (Code::internal otherwise): for callers that place the sealed
  // chunks in buffers of their own.
  Status seal(const ChunkNonce& n, std::span<const std::uint8_t> chunk, std::span<std::uint8_t> out);

 private:
  struct State;
  explicit ChunkSealer(std::unique_ptr<State> s);
  std::unique_ptr<State> s_;
};

// Encrypts a plaintext stream of exactly c.plaintext_size bytes: update() any
// number of times, then finish(). Output goes to `sink` chunk by chunk.
class ChunkEncryptor {
 public:
  using Sink = std::function<Status(std::span<const std::uint8_t>)>;
  static Result<ChunkEncryptor> create(const DataKey& key, const ImageContext& c, Sink sink);
  ChunkEncryptor(ChunkEncryptor&&) noexcept;
  ChunkEncryptor& operator=(ChunkEncryptor&&) noexcept;
  ~ChunkEncryptor();
  Status update(std::span<const std::uint8_t> plaintext);
  // The plaintext's SHA-256. Code::internal if fewer or more bytes came than declared.
  Result<Sha256> finish();

 private:
  struct State;
  explicit ChunkEncryptor(std::unique_ptr<State> s);
  std::unique_ptr<State> s_;
};

// Decrypts an encrypted image's bytes: update() with any split of the
// ciphertext, plaintext goes to `sink` only after its chunk authenticated;
// finish() checks that the image ended where it should and returns the
// plaintext's SHA-256. Failures are Code::decryption naming `where` and the chunk.
class ChunkDecryptor {
 public:
  using Sink = std::function<Status(std::span<const std::uint8_t>)>;
  static Result<ChunkDecryptor> create(const DataKey& key, const ImageContext& c, std::string where, Sink sink);
  ChunkDecryptor(ChunkDecryptor&&) noexcept;
  ChunkDecryptor& operator=(ChunkDecryptor&&) noexcept;
  ~ChunkDecryptor();
  Status update(std::span<const std::uint8_t> ciphertext);
  Result<Sha256> finish();

 private:
  struct State;
  explicit ChunkDecryptor(std::unique_ptr<State> s);
  std::unique_ptr<State> s_;
};

}  // namespace fwseal::enc

#include "fwseal/format/encryption.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "fwseal/base/file.h"

namespace fwseal::enc {

// The one place that reads a data key's bytes.
struct DataKeyAccess {
  static const std::array<std::uint8_t, kDataKeyBytes>& bytes(const DataKey& k) { return k.bytes_; }
  static DataKey make(const std::array<std::uint8_t, kDataKeyBytes>& b) { return DataKey::from_bytes(b); }
};

namespace {

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, ossl::Deleter<EVP_CIPHER_CTX_free>>;
using BigNum = std::unique_ptr<BIGNUM, ossl::Deleter<BN_clear_free>>;
using BnCtx = std::unique_ptr<BN_CTX, ossl::Deleter<BN_CTX_free>>;
using EcGroup = std::unique_ptr<EC_GROUP, ossl::Deleter<EC_GROUP_free>>;
using EcPoint = std::unique_ptr<EC_POINT, ossl::Deleter<EC_POINT_free>>;
using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, ossl::Deleter<OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, ossl::Deleter<OSSL_PARAM_free>>;
using Kdf = std::unique_ptr<EVP_KDF, ossl::Deleter<EVP_KDF_free>>;
using KdfCtx = std::unique_ptr<EVP_KDF_CTX, ossl::Deleter<EVP_KDF_CTX_free>>;

using Bytes32 = std::array<std::uint8_t, 32>;

// Labels: each derivation has its own, so no two share an input.
constexpr std::string_view kContextLabel = "fwseal-image-context-v1";
constexpr std::string_view kDataKeyLabel = "fwseal-data-key-v1";
constexpr std::string_view kAesKeyLabel = "fwseal-aes-key-v1";
constexpr std::string_view kNonceKeyLabel = "fwseal-nonce-key-v1";
constexpr std::string_view kNonceLabel = "fwseal-chunk-nonce-v1";
constexpr std::string_view kChunkLabel = "fwseal-chunk-v1";
constexpr std::string_view kEphemeralLabel = "fwseal-ephemeral-v1";
constexpr std::string_view kWrapLabel = "fwseal-wrap-v1";

Error crypto_error(std::string_view what) {
  return make_error(Code::internal, std::string(what) + ": " + ossl::last_error());
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>((v >> s) & 0xff));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<char>((v >> s) & 0xff));
}
void put_field(std::string& out, std::string_view s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}
std::string_view as_view(std::span<const std::uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

Result<Bytes32> hmac(std::span<const std::uint8_t> key, std::string_view message) {
  Bytes32 out{};
  std::size_t len = 0;
  if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                 reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(), out.size(), &len) ||
      len != out.size())
    return crypto_error("HMAC-SHA-256");
  return out;
}

// HKDF-SHA-256 (RFC 5869), extract and expand, 32 bytes.
Result<Bytes32> hkdf(std::string_view ikm, std::string_view salt, std::string_view info) {
  Kdf kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) return crypto_error("HKDF");
  KdfCtx ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return crypto_error("HKDF");
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(ikm.data()), ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()), salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size()),
      OSSL_PARAM_construct_end()};
  Bytes32 out{};
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) return crypto_error("HKDF");
  return out;
}

std::string raw_public(const EVP_PKEY* key) {
  std::size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0, &len) != 1) return {};
  std::string out(len, '\0');
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                      reinterpret_cast<unsigned char*>(out.data()), out.size(), &len) != 1)
    return {};
  out.resize(len);
  return out;
}

Result<KeyAgreement> agreement_of(const EVP_PKEY* key, std::string_view where) {
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_X25519) return KeyAgreement::x25519;
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
    char group[64] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) == 1 &&
        std::string_view(group) == "prime256v1")
      return KeyAgreement::p256;
    return make_error(Code::malformed, std::string(where) + ": an EC key on " +
                                           (len ? std::string(group) : std::string("an unknown curve")) +
                                           "; a recipient key is P-256 or X25519");
  }
  return make_error(Code::malformed, std::string(where) + ": a " + EVP_PKEY_get0_type_name(key) +
                                         " key; a recipient key is P-256 or X25519");
}

std::size_t raw_public_size(KeyAgreement a) { return a == KeyAgreement::p256 ? 65 : 32; }

// A public key of `agreement` from its raw encoding, checked (on the curve, not the identity).
Result<ossl::PKey> public_from_raw(KeyAgreement agreement, std::string_view raw, std::string_view where) {
  const auto bad = [&] {
    return make_error(Code::decryption, std::string(where) + ": the ephemeral public key is not a valid " +
                                            std::string(key_agreement_name(agreement)) + " point");
  };
  if (raw.size() != raw_public_size(agreement)) return bad();
  if (agreement == KeyAgreement::x25519) {
    ossl::PKey k(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr,
                                             reinterpret_cast<const unsigned char*>(raw.data()), raw.size()));
    if (!k) return bad();
    return k;
  }
  ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, raw.data(), raw.size()))
    return crypto_error("P-256 public key");
  Params params(OSSL_PARAM_BLD_to_param(bld.get()));
  ossl::PKeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* out = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &out, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ERR_clear_error();
    return bad();
  }
  ossl::PKey key(out);
  ossl::PKeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    ERR_clear_error();
    return bad();
  }
  return key;
}

Result<std::string> ecdh(const EVP_PKEY* own, const EVP_PKEY* peer, std::string_view where) {
  ossl::PKeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, const_cast<EVP_PKEY*>(own), nullptr));
  std::size_t len = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), const_cast<EVP_PKEY*>(peer)) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1) {
    ERR_clear_error();
    return make_error(Code::decryption, std::string(where) + ": ECDH with the ephemeral public key failed");
  }
  std::string z(len, '\0');
  if (EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(z.data()), &len) != 1) {
    // X25519 refuses a low-order peer (an all-zero shared secret).
    ERR_clear_error();
    return make_error(Code::decryption, std::string(where) + ": ECDH with the ephemeral public key failed");
  }
  z.resize(len);
  return z;
}

// The ephemeral key pair for wrapping `key` for `recipient`: derived, so a
// rebuild writes the same bytes.
Result<ossl::PKey> ephemeral_key(const DataKey& key, KeyAgreement agreement, const KeyId& recipient,
                                 const Sha256& binding) {
  std::string msg(kEphemeralLabel);
  msg.append(key_agreement_name(agreement));
  msg.append(as_view(recipient));
  msg.append(as_view(binding));
  FWSEAL_ASSIGN(Bytes32 seed, hmac(DataKeyAccess::bytes(key), msg));
  if (agreement == KeyAgreement::x25519) {
    ossl::PKey k(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, seed.data(), seed.size()));
    OPENSSL_cleanse(seed.data(), seed.size());
    if (!k) return crypto_error("X25519 ephemeral key");
    return k;
  }
  // P-256: the scalar d = seed mod (n - 1) + 1, in [1, n - 1]; the public point d·G.
  EcGroup group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  BnCtx bn_ctx(BN_CTX_new());
  BigNum d(BN_bin2bn(seed.data(), static_cast<int>(seed.size()), nullptr));
  OPENSSL_cleanse(seed.data(), seed.size());
  BigNum n_minus_1(BN_new());
  if (!group || !bn_ctx || !d || !n_minus_1 || !BN_copy(n_minus_1.get(), EC_GROUP_get0_order(group.get())) ||
      !BN_sub_word(n_minus_1.get(), 1) || !BN_mod(d.get(), d.get(), n_minus_1.get(), bn_ctx.get()) ||
      !BN_add_word(d.get(), 1))
    return crypto_error("P-256 ephemeral key");
  EcPoint pub(EC_POINT_new(group.get()));
  unsigned char pub_raw[65];
  if (!pub || !EC_POINT_mul(group.get(), pub.get(), d.get(), nullptr, nullptr, bn_ctx.get()) ||
      EC_POINT_point2oct(group.get(), pub.get(), POINT_CONVERSION_UNCOMPRESSED, pub_raw, sizeof pub_raw,
                         bn_ctx.get()) != sizeof pub_raw)
    return crypto_error("P-256 ephemeral key");
  ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub_raw, sizeof pub_raw))
    return crypto_error("P-256 ephemeral key");
  Params params(OSSL_PARAM_BLD_to_param(bld.get()));
  ossl::PKeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* out = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &out, EVP_PKEY_KEYPAIR, params.get()) != 1)
    return crypto_error("P-256 ephemeral key");
  return ossl::PKey(out);
}

// The key-encryption key and the additional data of one wrapped key.
struct WrapParams {
  Bytes32 kek{};
  std::string aad;
};

Result<WrapParams> wrap_params(std::string_view shared, std::string_view ephemeral_public, KeyAgreement agreement,
                               const KeyId& recipient, const Sha256& binding) {
  WrapParams p;
  p.aad.assign(kWrapLabel);
  p.aad.append(key_agreement_name(agreement));
  p.aad.append(as_view(recipient));
  p.aad.append(as_view(binding));
  std::string info = p.aad;
  info.append(ephemeral_public);
  FWSEAL_ASSIGN(p.kek, hkdf(shared, kWrapLabel, info));
  return p;
}

// AES-256-GCM with a 12-byte nonce: encrypts `in` into `out` (same length) and writes the tag.
Status gcm_seal(EVP_CIPHER_CTX* ctx, const unsigned char* nonce, std::string_view aad, const std::uint8_t* in,
                std::size_t len, std::uint8_t* out, std::uint8_t* tag) {
  int n = 0;
  if (EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce) != 1 ||
      EVP_EncryptUpdate(ctx, nullptr, &n, reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) != 1)
    return crypto_error("AES-256-GCM");
  std::size_t done = 0;
  while (done < len) {  // EVP takes int lengths
    const int step = static_cast<int>(std::min<std::size_t>(len - done, 1 << 30));
    if (EVP_EncryptUpdate(ctx, out + done, &n, in + done, step) != 1) return crypto_error("AES-256-GCM");
    done += static_cast<std::size_t>(n);
  }
  if (EVP_EncryptFinal_ex(ctx, out + done, &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes), tag) != 1)
    return crypto_error("AES-256-GCM");
  return {};
}

// The inverse: false if the tag does not match (nothing of `out` may then be used).
Result<bool> gcm_open(EVP_CIPHER_CTX* ctx, const unsigned char* nonce, std::string_view aad, const std::uint8_t* in,
                      std::size_t len, const std::uint8_t* tag, std::uint8_t* out) {
  int n = 0;
  if (EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce) != 1 ||
      EVP_DecryptUpdate(ctx, nullptr, &n, reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) != 1)
    return crypto_error("AES-256-GCM");
  std::size_t done = 0;
  while (done < len) {
    const int step = static_cast<int>(std::min<std::size_t>(len - done, 1 << 30));
    if (EVP_DecryptUpdate(ctx, out + done, &n, in + done, step) != 1) return crypto_error("AES-256-GCM");
    done += static_cast<std::size_t>(n);
  }
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes), const_cast<std::uint8_t*>(tag)) != 1)
    return crypto_error("AES-256-GCM");
  const bool ok = EVP_DecryptFinal_ex(ctx, out + done, &n) == 1;
  ERR_clear_error();
  return ok;
}

Result<CipherCtx> gcm_context(std::span<const std::uint8_t> key, bool encrypt) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr, encrypt ? 1 : 0) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceBytes), nullptr) != 1 ||
      EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, key.data(), nullptr, encrypt ? 1 : 0) != 1)
    return crypto_error("AES-256-GCM");
  return ctx;
}

std::string hex_id(const KeyId& id) { return to_hex(id); }

class PemRecipient final : public RecipientKey {
 public:
  PemRecipient(ossl::PKey key, KeyAgreement agreement, KeyId id, std::string path)
      : key_(std::move(key)), agreement_(agreement), id_(id), path_(std::move(path)) {}
  KeyAgreement agreement() const override { return agreement_; }
  const KeyId& key_id() const override { return id_; }
  Result<std::string> agree(std::string_view peer) const override {
    FWSEAL_ASSIGN(ossl::PKey p, public_from_raw(agreement_, peer, path_));
    return ecdh(key_.get(), p.get(), path_);
  }
  std::string describe() const override { return path_; }

 private:
  ossl::PKey key_;
  KeyAgreement agreement_;
  KeyId id_;
  std::string path_;
};

// SHA-256 of what `ctx` has hashed so far, without ending it.
Result<Sha256> prefix_digest(const EVP_MD_CTX* ctx) {
  ossl::MdCtx copy(EVP_MD_CTX_new());
  Sha256 out{};
  unsigned int len = 0;
  if (!copy || EVP_MD_CTX_copy_ex(copy.get(), ctx) != 1 || EVP_DigestFinal_ex(copy.get(), out.data(), &len) != 1)
    return crypto_error("SHA-256");
  return out;
}

Result<ossl::MdCtx> sha256_context() {
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return crypto_error("SHA-256");
  return ctx;
}

}  // namespace

// Not in the unnamed namespace: the encryptors' states hold one.
// Per-image keys and the running state both directions share.
struct ChunkKeys {
  Bytes32 aes{};
  Bytes32 nonce{};
  Sha256 binding{};
  std::uint64_t chunks = 0;
  ImageContext context;

  static Result<ChunkKeys> derive(const DataKey& key, const ImageContext& c) {
    FWSEAL_TRY(check_chunk_size(c.chunk_size, "chunk_size"));
    ChunkKeys k;
    FWSEAL_ASSIGN(k.aes, hmac(DataKeyAccess::bytes(key), kAesKeyLabel));
    FWSEAL_ASSIGN(k.nonce, hmac(DataKeyAccess::bytes(key), kNonceKeyLabel));
    k.binding = binding_of(c);
    k.chunks = chunk_count(c.plaintext_size, c.chunk_size);
    k.context = c;
    return k;
  }
  ~ChunkKeys() {
    OPENSSL_cleanse(aes.data(), aes.size());
    OPENSSL_cleanse(nonce.data(), nonce.size());
  }
  ChunkKeys() = default;
  ChunkKeys(const ChunkKeys&) = default;
  ChunkKeys& operator=(const ChunkKeys&) = default;

  std::size_t plaintext_len(std::uint64_t i) const {
    if (i + 1 < chunks) return context.chunk_size;
    return static_cast<std::size_t>(context.plaintext_size - (chunks - 1) * context.chunk_size);
  }
  std::string aad(std::uint64_t i) const {
    std::string a(kChunkLabel);
    a.append(as_view(binding));
    put_u64(a, i);
    a.push_back(i + 1 == chunks ? '\x01' : '\x00');
    return a;
  }
  // Nonce of chunk i from the SHA-256 of the plaintext up to its end.
  Result<std::array<unsigned char, kNonceBytes>> nonce_for(std::uint64_t i, const Sha256& prefix) const {
    std::string msg(kNonceLabel);
    put_u64(msg, i);
    msg.push_back(i + 1 == chunks ? '\x01' : '\x00');
    msg.append(as_view(prefix));
    FWSEAL_ASSIGN(Bytes32 mac, hmac(nonce, msg));
    std::array<unsigned char, kNonceBytes> out{};
    std::copy_n(mac.begin(), kNonceBytes, out.begin());
    return out;
  }
};


std::string_view key_agreement_name(KeyAgreement k) { return k == KeyAgreement::p256 ? "ecdh-p256" : "x25519"; }

Result<KeyAgreement> key_agreement_from_name(std::string_view name, std::string_view where) {
  if (name == "ecdh-p256") return KeyAgreement::p256;
  if (name == "x25519") return KeyAgreement::x25519;
  return make_error(Code::malformed, std::string(where) + ": unknown key agreement \"" + std::string(name) +
                                         "\" (known: ecdh-p256, x25519)");
}

std::string context_bytes(const ImageContext& c) {
  std::string out(kContextLabel);
  put_field(out, c.product);
  put_field(out, c.version);
  put_field(out, c.image);
  put_u64(out, c.plaintext_size);
  put_u32(out, c.chunk_size);
  return out;
}

Sha256 binding_of(const ImageContext& c) { return sha256(context_bytes(c)); }

std::uint64_t chunk_count(std::uint64_t plaintext_size, std::uint32_t chunk_size) {
  if (plaintext_size == 0 || chunk_size == 0) return 1;
  return (plaintext_size - 1) / chunk_size + 1;
}

std::uint64_t ciphertext_size(std::uint64_t plaintext_size, std::uint32_t chunk_size) {
  return plaintext_size + chunk_count(plaintext_size, chunk_size) * kChunkOverhead;
}

Status check_chunk_size(std::uint64_t chunk_size, std::string_view where) {
  if (chunk_size < kMinChunkSize || chunk_size > kMaxChunkSize || (chunk_size & (chunk_size - 1)) != 0)
    return make_error(Code::malformed, std::string(where) + ": " + std::to_string(chunk_size) +
                                           " is not a power of two from " + std::to_string(kMinChunkSize) + " to " +
                                           std::to_string(kMaxChunkSize));
  return {};
}

Result<std::unique_ptr<SoftwareSecret>> SoftwareSecret::create(std::string bytes, std::string description) {
  if (bytes.size() < 32 || bytes.size() > 64) {
    const std::size_t n = bytes.size();
    OPENSSL_cleanse(bytes.data(), bytes.size());
    return make_error(Code::malformed, description + ": holds " + std::to_string(n) +
                                           " bytes; an encryption secret is 32 to 64 random bytes "
                                           "(e.g. head -c 32 /dev/urandom)");
  }
  return std::unique_ptr<SoftwareSecret>(new SoftwareSecret(std::move(bytes), std::move(description)));
}

SoftwareSecret::~SoftwareSecret() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

Result<std::array<std::uint8_t, 32>> SoftwareSecret::hmac_sha256(std::string_view message) const {
  return hmac({reinterpret_cast<const std::uint8_t*>(bytes_.data()), bytes_.size()}, message);
}

Result<std::unique_ptr<SoftwareSecret>> load_secret_file(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return make_error(Code::io, "cannot read encryption secret " + path + ": " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return make_error(Code::io, "cannot stat encryption secret " + path + ": " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) return make_error(Code::usage, "encryption secret " + path + " is not a regular file");
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return make_error(Code::usage, "encryption secret " + path + " is open to group or others (mode " + mode +
                                       "); make it readable by its owner only: chmod 600 " + path);
  }
  std::string bytes(65, '\0');
  FWSEAL_ASSIGN(std::size_t n, read_full(fd.get(), reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(),
                                         "encryption secret " + path));
  bytes.resize(n);
  return SoftwareSecret::create(std::move(bytes), "encryption secret " + path);
}

Result<DataKey> derive_data_key(const EncryptionSecret& secret, const ImageContext& c) {
  std::string msg(kDataKeyLabel);
  msg.append(context_bytes(c));
  FWSEAL_ASSIGN(Bytes32 k, secret.hmac_sha256(msg));
  DataKey key = DataKeyAccess::make(k);
  OPENSSL_cleanse(k.data(), k.size());
  return key;
}

Status check_public_point(KeyAgreement agreement, std::string_view raw, std::string_view where) {
  FWSEAL_TRY(public_from_raw(agreement, raw, where));
  return ok_status();
}

Result<Recipient> recipient_from_public_key(const EVP_PKEY* key, std::string_view where) {
  FWSEAL_ASSIGN(KeyAgreement a, agreement_of(key, where));
  Recipient r;
  r.agreement = a;
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(const_cast<EVP_PKEY*>(key), &der);
  if (len <= 0) return crypto_error(std::string(where) + ": public key");
  r.key_id = sha256(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  // A copy holding the public half only.
  const std::string raw = raw_public(key);
  FWSEAL_ASSIGN(r.public_key, public_from_raw(a, raw, where));
  return r;
}

Result<Recipient> load_recipient_pem(const std::string& path) {
  FWSEAL_ASSIGN(std::string text, read_file(path, 64 * 1024));
  ossl::Bio bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  ossl::PKey key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) {
    ERR_clear_error();
    return make_error(Code::malformed, path + ": not a PEM public key (-----BEGIN PUBLIC KEY-----)");
  }
  return recipient_from_public_key(key.get(), path);
}

Result<WrappedKey> wrap_data_key(const DataKey& key, const Recipient& recipient, const ImageContext& c) {
  const Sha256 binding = binding_of(c);
  FWSEAL_ASSIGN(ossl::PKey eph, ephemeral_key(key, recipient.agreement, recipient.key_id, binding));
  WrappedKey w;
  w.agreement = recipient.agreement;
  w.recipient = recipient.key_id;
  w.ephemeral_public = raw_public(eph.get());
  if (w.ephemeral_public.size() != raw_public_size(recipient.agreement)) return crypto_error("ephemeral public key");
  FWSEAL_ASSIGN(std::string z, ecdh(eph.get(), recipient.public_key.get(), "recipient " + hex_id(recipient.key_id)));
  auto p = wrap_params(z, w.ephemeral_public, w.agreement, w.recipient, binding);
  OPENSSL_cleanse(z.data(), z.size());
  if (!p.ok()) return std::move(p).error();
  FWSEAL_ASSIGN(CipherCtx ctx, gcm_context(p->kek, true));
  OPENSSL_cleanse(p->kek.data(), p->kek.size());
  const unsigned char zero_nonce[kNonceBytes] = {};  // each key-encryption key is used once
  w.wrapped.assign(kDataKeyBytes + kTagBytes, '\0');
  auto* out = reinterpret_cast<std::uint8_t*>(w.wrapped.data());
  FWSEAL_TRY(gcm_seal(ctx.get(), zero_nonce, p->aad, DataKeyAccess::bytes(key).data(), kDataKeyBytes, out,
                      out + kDataKeyBytes));
  return w;
}

Result<std::unique_ptr<RecipientKey>> load_recipient_private_pem(const std::string& path) {
  FWSEAL_ASSIGN(std::string text, read_file(path, 64 * 1024));
  ossl::Bio bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  ossl::PKey key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  OPENSSL_cleanse(text.data(), text.size());
  if (!key) {
    ERR_clear_error();
    return make_error(Code::malformed, path + ": not an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----)");
  }
  FWSEAL_ASSIGN(Recipient pub, recipient_from_public_key(key.get(), path));
  return std::unique_ptr<RecipientKey>(new PemRecipient(std::move(key), pub.agreement, pub.key_id, path));
}

Result<DataKey> unwrap_data_key(const std::vector<WrappedKey>& wrapped, const RecipientKey& key, const ImageContext& c,
                                std::string_view where) {
  const WrappedKey* mine = nullptr;
  std::string ids;
  for (const auto& w : wrapped) {
    if (w.recipient == key.key_id()) mine = &w;
    ids += (ids.empty() ? "" : ", ") + hex_id(w.recipient).substr(0, 16);
  }
  if (!mine)
    return make_error(Code::decryption, std::string(where) + ": not encrypted for key " +
                                            hex_id(key.key_id()).substr(0, 16) + " (" + key.describe() +
                                            "); its recipients are " + ids);
  if (mine->agreement != key.agreement())
    return make_error(Code::decryption, std::string(where) + ": wrapped for " +
                                            std::string(key_agreement_name(mine->agreement)) + ", but " +
                                            key.describe() + " is a " +
                                            std::string(key_agreement_name(key.agreement())) + " key");
  if (mine->wrapped.size() != kDataKeyBytes + kTagBytes)
    return make_error(Code::decryption, std::string(where) + ": the wrapped key is not " +
                                            std::to_string(kDataKeyBytes + kTagBytes) + " bytes");
  FWSEAL_ASSIGN(std::string z, key.agree(mine->ephemeral_public));
  auto p = wrap_params(z, mine->ephemeral_public, mine->agreement, mine->recipient, binding_of(c));
  OPENSSL_cleanse(z.data(), z.size());
  if (!p.ok()) return std::move(p).error();
  FWSEAL_ASSIGN(CipherCtx ctx, gcm_context(p->kek, false));
  OPENSSL_cleanse(p->kek.data(), p->kek.size());
  const unsigned char zero_nonce[kNonceBytes] = {};
  std::array<std::uint8_t, kDataKeyBytes> out{};
  const auto* in = reinterpret_cast<const std::uint8_t*>(mine->wrapped.data());
  FWSEAL_ASSIGN(bool ok, gcm_open(ctx.get(), zero_nonce, p->aad, in, kDataKeyBytes, in + kDataKeyBytes, out.data()));
  if (!ok) {
    OPENSSL_cleanse(out.data(), out.size());
    return make_error(Code::decryption, std::string(where) + ": the data key wrapped for " +
                                            hex_id(key.key_id()).substr(0, 16) +
                                            " does not unwrap: it was wrapped for another image or package, or altered");
  }
  DataKey dk = DataKeyAccess::make(out);
  OPENSSL_cleanse(out.data(), out.size());
  return dk;
}

// ---- chunks ----

struct ChunkNoncer::State {
  ChunkKeys keys;
  ossl::MdCtx hash;
  std::uint64_t index = 0;
};

ChunkNoncer::ChunkNoncer(std::unique_ptr<State> s) : s_(std::move(s)) {}
ChunkNoncer::ChunkNoncer(ChunkNoncer&&) noexcept = default;
ChunkNoncer& ChunkNoncer::operator=(ChunkNoncer&&) noexcept = default;
ChunkNoncer::~ChunkNoncer() = default;

Result<ChunkNoncer> ChunkNoncer::create(const DataKey& key, const ImageContext& c) {
  auto s = std::make_unique<State>();
  FWSEAL_ASSIGN(s->keys, ChunkKeys::derive(key, c));
  FWSEAL_ASSIGN(s->hash, sha256_context());
  return ChunkNoncer(std::move(s));
}

bool ChunkNoncer::done() const { return s_->index == s_->keys.chunks; }
std::size_t ChunkNoncer::next_length() const { return done() ? 0 : s_->keys.plaintext_len(s_->index); }

Result<ChunkNonce> ChunkNoncer::next(std::span<const std::uint8_t> chunk) {
  State& s = *s_;
  if (done() || chunk.size() != next_length())
    return make_error(Code::internal, "image \"" + s.keys.context.image + "\": chunk " + std::to_string(s.index) +
                                          " of " + std::to_string(s.keys.chunks) + " has " +
                                          std::to_string(chunk.size()) + " bytes");
  if (EVP_DigestUpdate(s.hash.get(), chunk.data(), chunk.size()) != 1) return crypto_error("SHA-256");
  FWSEAL_ASSIGN(Sha256 prefix, prefix_digest(s.hash.get()));
  ChunkNonce n;
  n.index = s.index;
  FWSEAL_ASSIGN(n.nonce, s.keys.nonce_for(s.index, prefix));
  ++s.index;
  return n;
}

Result<Sha256> ChunkNoncer::finish() {
  State& s = *s_;
  if (!done())
    return make_error(Code::internal, "image \"" + s.keys.context.image + "\": " + std::to_string(s.index) + " of " +
                                          std::to_string(s.keys.chunks) + " chunks encrypted");
  Sha256 d{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(s.hash.get(), d.data(), &len) != 1) return crypto_error("SHA-256");
  return d;
}

struct ChunkSealer::State {
  ChunkKeys keys;
  CipherCtx gcm;
};

ChunkSealer::ChunkSealer(std::unique_ptr<State> s) : s_(std::move(s)) {}
ChunkSealer::ChunkSealer(ChunkSealer&&) noexcept = default;
ChunkSealer& ChunkSealer::operator=(ChunkSealer&&) noexcept = default;
ChunkSealer::~ChunkSealer() = default;

Result<ChunkSealer> ChunkSealer::create(const DataKey& key, const ImageContext& c) {
  auto s = std::make_unique<State>();
  FWSEAL_ASSIGN(s->keys, ChunkKeys::derive(key, c));
  FWSEAL_ASSIGN(s->gcm, gcm_context(s->keys.aes, true));
  return ChunkSealer(std::move(s));
}

Status ChunkSealer::seal(const ChunkNonce& n, std::span<const std::uint8_t> chunk, std::vector<std::uint8_t>& out) {
  const std::size_t at = out.size();
  out.resize(at + kNonceBytes + chunk.size() + kTagBytes);
  Status s = seal(n, chunk, std::span<std::uint8_t>(out).subspan(at));
  if (!s.ok()) out.resize(at);
  return s;
}

Status ChunkSealer::seal(const ChunkNonce& n, std::span<const std::uint8_t> chunk, std::span<std::uint8_t> out) {
  State& s = *s_;
  if (n.index >= s.keys.chunks || chunk.size() != s.keys.plaintext_len(n.index))
    return make_error(Code::internal, "image \"" + s.keys.context.image + "\": chunk " + std::to_string(n.index) +
                                          " to seal has " + std::to_string(chunk.size()) + " bytes");
  if (out.size() != kNonceBytes + chunk.size() + kTagBytes)
    return make_error(Code::internal, "image \"" + s.keys.context.image + "\": chunk " + std::to_string(n.index) +
                                          " sealed into " + std::to_string(out.size()) + " bytes, it takes " +
                                          std::to_string(kNonceBytes + chunk.size() + kTagBytes));
  std::uint8_t* dst = out.data();
  std::copy(n.nonce.begin(), n.nonce.end(), dst);
  return gcm_seal(s.gcm.get(), n.nonce.data(), s.keys.aad(n.index), chunk.data(), chunk.size(), dst + kNonceBytes,
                  dst + kNonceBytes + chunk.size());
}

struct ChunkEncryptor::State {
  ChunkNoncer noncer;
  ChunkSealer sealer;
  Sink sink;
  std::string image;
  std::uint64_t plaintext_size = 0;
  std::uint64_t fed = 0;
  std::vector<std::uint8_t> pending;  // plaintext of the current chunk, when it came in pieces
  std::vector<std::uint8_t> out;      // nonce | ciphertext | tag

  Status seal(std::span<const std::uint8_t> chunk) {
    FWSEAL_ASSIGN(ChunkNonce n, noncer.next(chunk));
    out.clear();
    FWSEAL_TRY(sealer.seal(n, chunk, out));
    return sink(out);
  }
};

ChunkEncryptor::ChunkEncryptor(std::unique_ptr<State> s) : s_(std::move(s)) {}
ChunkEncryptor::ChunkEncryptor(ChunkEncryptor&&) noexcept = default;
ChunkEncryptor& ChunkEncryptor::operator=(ChunkEncryptor&&) noexcept = default;
ChunkEncryptor::~ChunkEncryptor() = default;

Result<ChunkEncryptor> ChunkEncryptor::create(const DataKey& key, const ImageContext& c, Sink sink) {
  FWSEAL_ASSIGN(ChunkNoncer noncer, ChunkNoncer::create(key, c));
  FWSEAL_ASSIGN(ChunkSealer sealer, ChunkSealer::create(key, c));
  auto s = std::unique_ptr<State>(new State{std::move(noncer), std::move(sealer), std::move(sink), c.image,
                                            c.plaintext_size, 0, {}, {}});
  return ChunkEncryptor(std::move(s));
}

Status ChunkEncryptor::update(std::span<const std::uint8_t> plaintext) {
  State& s = *s_;
  if (plaintext.size() > s.plaintext_size - s.fed)
    return make_error(Code::internal, "image \"" + s.image + "\": more than the declared " +
                                          std::to_string(s.plaintext_size) + " bytes to encrypt");
  s.fed += plaintext.size();
  while (!plaintext.empty()) {
    const std::size_t need = s.noncer.next_length();
    if (s.pending.empty() && plaintext.size() >= need) {  // a whole chunk in the caller's buffer
      FWSEAL_TRY(s.seal(plaintext.first(need)));
      plaintext = plaintext.subspan(need);
      continue;
    }
    const std::size_t take = std::min(need - s.pending.size(), plaintext.size());
    s.pending.insert(s.pending.end(), plaintext.begin(), plaintext.begin() + static_cast<std::ptrdiff_t>(take));
    plaintext = plaintext.subspan(take);
    if (s.pending.size() == need) {
      FWSEAL_TRY(s.seal(s.pending));
      s.pending.clear();
    }
  }
  return {};
}

Result<Sha256> ChunkEncryptor::finish() {
  State& s = *s_;
  // An empty image is one chunk with no plaintext.
  if (s.plaintext_size == 0 && !s.noncer.done()) FWSEAL_TRY(s.seal({}));
  if (s.fed != s.plaintext_size || !s.noncer.done())
    return make_error(Code::internal, "image \"" + s.image + "\": " + std::to_string(s.fed) + " of " +
                                          std::to_string(s.plaintext_size) + " bytes encrypted");
  return s.noncer.finish();
}

struct ChunkDecryptor::State {
  ChunkKeys keys;
  std::string where;
  Sink sink;
  CipherCtx gcm;
  ossl::MdCtx hash;
  std::uint64_t index = 0;
  std::vector<std::uint8_t> pending;  // nonce | ciphertext | tag of the current chunk
  std::vector<std::uint8_t> plain;
  bool failed = false;

  std::size_t chunk_len() const { return keys.plaintext_len(index) + kChunkOverhead; }
  std::string chunk_name() const {
    return where + ": chunk " + std::to_string(index + 1) + " of " + std::to_string(keys.chunks);
  }

  Status open(const std::uint8_t* chunk, std::size_t len) {
    const std::size_t n = len - kChunkOverhead;
    plain.resize(n);
    FWSEAL_ASSIGN(bool ok, gcm_open(gcm.get(), chunk, keys.aad(index), chunk + kNonceBytes, n,
                                    chunk + kNonceBytes + n, plain.data()));
    if (!ok)
      return make_error(Code::decryption, chunk_name() +
                                              " does not authenticate (altered, moved, cut short, or from "
                                              "another image or package)");
    // The nonce must be the one derived from the plaintext so far: a chunk of
    // another build under the same key, put in this place, is not.
    if (EVP_DigestUpdate(hash.get(), plain.data(), n) != 1) return crypto_error("SHA-256");
    FWSEAL_ASSIGN(Sha256 prefix, prefix_digest(hash.get()));
    FWSEAL_ASSIGN(auto nonce, keys.nonce_for(index, prefix));
    if (!std::equal(nonce.begin(), nonce.end(), chunk))
      return make_error(Code::decryption, chunk_name() +
                                              ": its nonce does not follow from the plaintext so far (this "
                                              "chunk or one before it is from another build of this image)");
    ++index;
    return sink(plain);
  }
};

ChunkDecryptor::ChunkDecryptor(std::unique_ptr<State> s) : s_(std::move(s)) {}
ChunkDecryptor::ChunkDecryptor(ChunkDecryptor&&) noexcept = default;
ChunkDecryptor& ChunkDecryptor::operator=(ChunkDecryptor&&) noexcept = default;
ChunkDecryptor::~ChunkDecryptor() {
  if (s_) OPENSSL_cleanse(s_->plain.data(), s_->plain.size());
}

Result<ChunkDecryptor> ChunkDecryptor::create(const DataKey& key, const ImageContext& c, std::string where, Sink sink) {
  auto s = std::make_unique<State>();
  FWSEAL_ASSIGN(s->keys, ChunkKeys::derive(key, c));
  FWSEAL_ASSIGN(s->gcm, gcm_context(s->keys.aes, false));
  FWSEAL_ASSIGN(s->hash, sha256_context());
  s->where = std::move(where);
  s->sink = std::move(sink);
  return ChunkDecryptor(std::move(s));
}

Status ChunkDecryptor::update(std::span<const std::uint8_t> ciphertext) {
  State& s = *s_;
  if (s.failed) return make_error(Code::internal, s.where + ": decryption continued after a failure");
  while (!ciphertext.empty()) {
    if (s.index >= s.keys.chunks) {
      s.failed = true;
      return make_error(Code::decryption, s.where + ": data after the last of " + std::to_string(s.keys.chunks) +
                                              " chunks");
    }
    const std::size_t need = s.chunk_len();
    Status st;
    if (s.pending.empty() && ciphertext.size() >= need) {
      st = s.open(ciphertext.data(), need);
      ciphertext = ciphertext.subspan(need);
    } else {
      const std::size_t take = std::min(need - s.pending.size(), ciphertext.size());
      s.pending.insert(s.pending.end(), ciphertext.begin(), ciphertext.begin() + static_cast<std::ptrdiff_t>(take));
      ciphertext = ciphertext.subspan(take);
      if (s.pending.size() < need) continue;
      st = s.open(s.pending.data(), need);
      s.pending.clear();
    }
    if (!st.ok()) {
      s.failed = true;
      return st;
    }
  }
  return {};
}

Result<Sha256> ChunkDecryptor::finish() {
  State& s = *s_;
  if (s.failed) return make_error(Code::internal, s.where + ": decryption finished after a failure");
  if (s.index != s.keys.chunks)
    return make_error(Code::decryption, s.where + ": ends inside chunk " + std::to_string(s.index + 1) + " of " +
                                            std::to_string(s.keys.chunks) + " (cut short)");
  Sha256 d{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(s.hash.get(), d.data(), &len) != 1) return crypto_error("SHA-256");
  return d;
}

}  // namespace fwseal::enc

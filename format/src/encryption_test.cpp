#include "fwseal/format/encryption.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <random>

#include "fwseal/testing/matchers.h"
#include "fwseal/testing/temp_dir.h"

namespace fwseal::enc {
namespace {

using test::IsError;
using ::testing::HasSubstr;

using Bytes = std::vector<std::uint8_t>;

Bytes random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  Bytes b(n);
  for (auto& x : b) x = static_cast<std::uint8_t>(rng());
  return b;
}

std::unique_ptr<SoftwareSecret> secret(char fill = 's') {
  return std::move(SoftwareSecret::create(std::string(32, fill), "test secret").value());
}

ImageContext context(std::uint64_t size, std::uint32_t chunk = kMinChunkSize, std::string image = "rootfs") {
  return {"cam", "1.0", std::move(image), size, chunk};
}

Bytes encrypt(const DataKey& key, const ImageContext& c, const Bytes& pt, std::size_t piece = 1000) {
  Bytes out;
  auto e = ChunkEncryptor::create(key, c, [&](std::span<const std::uint8_t> b) {
    out.insert(out.end(), b.begin(), b.end());
    return Status{};
  });
  EXPECT_TRUE(e.ok());
  for (std::size_t i = 0; i < pt.size(); i += piece)
    EXPECT_TRUE(e->update(std::span(pt).subspan(i, std::min(piece, pt.size() - i))).ok());
  auto d = e->finish();
  EXPECT_TRUE(d.ok());
  EXPECT_EQ(*d, sha256(std::string_view(reinterpret_cast<const char*>(pt.data()), pt.size())));
  return out;
}

// Decrypts, recording what was released before a failure.
struct Decrypted {
  Bytes released;
  Result<Sha256> result{Sha256{}};
};

Decrypted decrypt(const DataKey& key, const ImageContext& c, const Bytes& ct, std::size_t piece = 777) {
  Decrypted r;
  auto d = ChunkDecryptor::create(key, c, "image/rootfs", [&](std::span<const std::uint8_t> b) {
    r.released.insert(r.released.end(), b.begin(), b.end());
    return Status{};
  });
  EXPECT_TRUE(d.ok());
  for (std::size_t i = 0; i < ct.size(); i += piece) {
    auto st = d->update(std::span(ct).subspan(i, std::min(piece, ct.size() - i)));
    if (!st.ok()) {
      r.result = std::move(st).error();
      return r;
    }
  }
  r.result = d->finish();
  return r;
}

ossl::PKey generate(KeyAgreement a) {
  return ossl::PKey(a == KeyAgreement::x25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519")
                                              : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
}

std::string write_private_pem(const test::TempDir& dir, const std::string& name, const EVP_PKEY* key) {
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(PEM_write_bio_PrivateKey(bio.get(), const_cast<EVP_PKEY*>(key), nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return dir.write(name, std::string(data, static_cast<std::size_t>(len)));
}

TEST(Encryption, SizesFollowTheChunkCount) {
  EXPECT_EQ(chunk_count(0, 4096), 1u);
  EXPECT_EQ(chunk_count(1, 4096), 1u);
  EXPECT_EQ(chunk_count(4096, 4096), 1u);
  EXPECT_EQ(chunk_count(4097, 4096), 2u);
  EXPECT_EQ(ciphertext_size(0, 4096), 28u);
  EXPECT_EQ(ciphertext_size(8192, 4096), 8192u + 56u);
  EXPECT_TRUE(check_chunk_size(65536, "c").ok());
  EXPECT_THAT(check_chunk_size(65535, "spec.images[0].encryption.chunk_size"),
              IsError(Code::malformed, "spec.images[0].encryption.chunk_size: 65535 is not a power of two from 4096 "
                                       "to 16777216"));
  EXPECT_THAT(check_chunk_size(2048, "c"), IsError(Code::malformed, HasSubstr("not a power of two from 4096")));
  EXPECT_THAT(check_chunk_size(std::uint64_t{1} << 25, "c"), IsError(Code::malformed, HasSubstr("to 16777216")));
}

TEST(Encryption, SecretsAreThirtyTwoToSixtyFourBytes) {
  EXPECT_THAT(SoftwareSecret::create(std::string(31, 'x'), "k.secret"),
              IsError(Code::malformed, "k.secret: holds 31 bytes; an encryption secret is 32 to 64 random bytes "
                                       "(e.g. head -c 32 /dev/urandom)"));
  EXPECT_THAT(SoftwareSecret::create(std::string(65, 'x'), "k.secret"), IsError(Code::malformed, HasSubstr("65 bytes")));
  EXPECT_TRUE(SoftwareSecret::create(std::string(64, 'x'), "k.secret").ok());
}

TEST(Encryption, DataKeysDependOnSecretAndEveryFieldOfTheContext) {
  const auto s = secret();
  const DataKey base = derive_data_key(*s, context(100)).value();
  EXPECT_EQ(derive_data_key(*s, context(100)).value(), base);  // deterministic
  EXPECT_FALSE(derive_data_key(*secret('t'), context(100)).value() == base);
  for (ImageContext c : {ImageContext{"cam2", "1.0", "rootfs", 100, kMinChunkSize},
                         ImageContext{"cam", "1.1", "rootfs", 100, kMinChunkSize},
                         ImageContext{"cam", "1.0", "kernel", 100, kMinChunkSize},
                         ImageContext{"cam", "1.0", "rootfs", 101, kMinChunkSize},
                         ImageContext{"cam", "1.0", "rootfs", 100, 2 * kMinChunkSize},
                         // length-prefixed fields: moving a byte between them changes the context
                         ImageContext{"ca", "m1.0", "rootfs", 100, kMinChunkSize}})
    EXPECT_FALSE(derive_data_key(*s, c).value() == base) << c.product << " " << c.version << " " << c.image;
}

class ChunkRoundTrip : public ::testing::TestWithParam<std::size_t> {};

TEST_P(ChunkRoundTrip, DecryptsWhatWasEncryptedWhateverTheSplit) {
  const std::size_t n = GetParam();
  const auto c = context(n);
  const DataKey key = derive_data_key(*secret(), c).value();
  const Bytes pt = random_bytes(n, 7);
  const Bytes ct = encrypt(key, c, pt);
  EXPECT_EQ(ct.size(), ciphertext_size(n, kMinChunkSize));
  EXPECT_EQ(encrypt(key, c, pt, 4096 * 3 + 5), ct);  // the same bytes whatever the pieces
  for (std::size_t piece : {std::size_t{1} << 20, std::size_t{1}, std::size_t{4124}}) {
    if (piece == 1 && n > 20000) continue;
    Decrypted d = decrypt(key, c, ct, piece);
    ASSERT_TRUE(d.result.ok()) << d.result.error().message;
    EXPECT_EQ(d.released, pt);
    EXPECT_EQ(*d.result, sha256(std::string_view(reinterpret_cast<const char*>(pt.data()), pt.size())));
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, ChunkRoundTrip, ::testing::Values(0, 1, 4095, 4096, 4097, 3 * 4096, 50000));

// The halves the packager runs on two threads give exactly ChunkEncryptor's
// bytes, and refuse a chunk of the wrong length (a nonce is only ever used
// for the bytes it was derived from).
TEST(Encryption, NoncerAndSealerMakeTheEncryptorsBytes) {
  for (std::size_t n : {std::size_t{0}, std::size_t{4096}, std::size_t{3 * 4096 + 17}}) {
    const auto c = context(n);
    const DataKey key = derive_data_key(*secret(), c).value();
    const Bytes pt = random_bytes(n, 3);
    auto noncer = ChunkNoncer::create(key, c);
    auto sealer = ChunkSealer::create(key, c);
    ASSERT_TRUE(noncer.ok() && sealer.ok());
    Bytes out;
    std::size_t at = 0;
    std::vector<ChunkNonce> nonces;
    do {
      const std::size_t len = noncer->next_length();
      auto nonce = noncer->next(std::span(pt).subspan(at, len));
      ASSERT_TRUE(nonce.ok()) << nonce.error().message;
      nonces.push_back(*nonce);
      ASSERT_TRUE(sealer->seal(*nonce, std::span(pt).subspan(at, len), out).ok());
      at += len;
    } while (!noncer->done());
    EXPECT_EQ(out, encrypt(key, c, pt)) << n;
    EXPECT_EQ(noncer->finish().value(), sha256(std::string_view(reinterpret_cast<const char*>(pt.data()), pt.size())));
    EXPECT_EQ(noncer->next_length(), 0u);
    EXPECT_THAT(noncer->next({}), IsError(Code::internal, "image \"rootfs\": chunk " + std::to_string(nonces.size()) +
                                                              " of " + std::to_string(nonces.size()) + " has 0 bytes"));
    if (n > 4096) {
      EXPECT_THAT(sealer->seal(nonces[0], std::span(pt).subspan(0, 100), out),
                  IsError(Code::internal, "image \"rootfs\": chunk 0 to seal has 100 bytes"));
      EXPECT_EQ(out, encrypt(key, c, pt)) << "a refused seal appended nothing";
      // Into a caller's buffer: the same bytes, and exactly the room they take.
      Bytes placed(4096 + kChunkOverhead + 1, 0xEE);
      EXPECT_THAT(sealer->seal(nonces[0], std::span(pt).subspan(0, 4096), std::span(placed)),
                  IsError(Code::internal, "image \"rootfs\": chunk 0 sealed into 4125 bytes, it takes 4124"));
      ASSERT_TRUE(sealer->seal(nonces[1], std::span(pt).subspan(4096, 4096), std::span(placed).first(4124)).ok());
      EXPECT_TRUE(std::equal(placed.begin(), placed.begin() + 4124, out.begin() + 4124));
      EXPECT_EQ(placed.back(), 0xEE);
      auto early = ChunkNoncer::create(key, c);
      EXPECT_THAT(early->next(std::span(pt).subspan(0, 4095)),
                  IsError(Code::internal, "image \"rootfs\": chunk 0 of 4 has 4095 bytes"));
      EXPECT_THAT(early->finish(), IsError(Code::internal, "image \"rootfs\": 0 of 4 chunks encrypted"));
    }
  }
}

TEST(Encryption, EveryFlippedBitFailsAtItsChunkAndReleasesNothingOfIt) {
  const auto c = context(3 * 4096 + 100);
  const DataKey key = derive_data_key(*secret(), c).value();
  const Bytes pt = random_bytes(c.plaintext_size, 1);
  const Bytes ct = encrypt(key, c, pt);
  const std::size_t stored = 4096 + kChunkOverhead;
  // nonce, ciphertext and tag of each chunk
  for (std::size_t pos : {std::size_t{0}, std::size_t{11}, std::size_t{12}, stored - 1, stored, 2 * stored + 500,
                          3 * stored + 12, ct.size() - 1}) {
    Bytes bad = ct;
    bad[pos] ^= 0x01;
    Decrypted d = decrypt(key, c, bad);
    const std::size_t chunk = pos / stored;
    EXPECT_THAT(d.result, IsError(Code::decryption, "image/rootfs: chunk " + std::to_string(chunk + 1) +
                                                        " of 4 does not authenticate (altered, moved, cut short, or "
                                                        "from another image or package)"))
        << pos;
    EXPECT_EQ(d.released.size(), chunk * 4096) << pos;
  }
}

TEST(Encryption, ReorderedTruncatedOrTransplantedChunksFail) {
  const auto c = context(3 * 4096);
  const DataKey key = derive_data_key(*secret(), c).value();
  const Bytes pt = random_bytes(c.plaintext_size, 2);
  const Bytes ct = encrypt(key, c, pt);
  const std::size_t stored = 4096 + kChunkOverhead;

  Bytes swapped = ct;  // chunks 1 and 2 exchanged
  std::swap_ranges(swapped.begin(), swapped.begin() + stored, swapped.begin() + stored);
  EXPECT_THAT(decrypt(key, c, swapped).result, IsError(Code::decryption, HasSubstr("chunk 1 of 3 does not authenticate")));

  // Cut after two chunks, and declared so: chunk 2 was not the last one.
  const Bytes cut(ct.begin(), ct.begin() + 2 * stored);
  const auto shorter = context(2 * 4096);
  EXPECT_THAT(decrypt(key, shorter, cut).result,
              IsError(Code::decryption, HasSubstr("chunk 1 of 2 does not authenticate")));
  // Cut, declared as before: ends early.
  EXPECT_THAT(decrypt(key, c, cut).result,
              IsError(Code::decryption, "image/rootfs: ends inside chunk 3 of 3 (cut short)"));
  // A byte more than declared.
  Bytes longer = ct;
  longer.push_back(0);
  EXPECT_THAT(decrypt(key, c, longer).result,
              IsError(Code::decryption, "image/rootfs: data after the last of 3 chunks"));

  // Another image of the same release: its own key and binding.
  const auto other_c = context(3 * 4096, kMinChunkSize, "app");
  const DataKey other_key = derive_data_key(*secret(), other_c).value();
  const Bytes other = encrypt(other_key, other_c, random_bytes(c.plaintext_size, 3));
  Bytes mixed = ct;
  std::copy(other.begin() + stored, other.begin() + 2 * stored, mixed.begin() + stored);
  EXPECT_THAT(decrypt(key, c, mixed).result, IsError(Code::decryption, HasSubstr("chunk 2 of 3 does not authenticate")));

  // Another build of the same image (same product, version, name and size:
  // the same key) whose chunk 2 differs: that chunk is genuine at its place,
  // but the next chunk's nonce no longer matches the plaintext before it.
  // (Had it been the last chunk, only the image's digests would tell: the
  // manifest's ciphertext SHA-256 and the plaintext SHA-256 checked at the end.)
  Bytes pt2 = pt;
  pt2[4096 + 1] ^= 0xff;
  const Bytes build2 = encrypt(key, c, pt2);
  Bytes spliced = ct;
  std::copy(build2.begin() + stored, build2.begin() + 2 * stored, spliced.begin() + stored);
  Decrypted d = decrypt(key, c, spliced);
  EXPECT_THAT(d.result, IsError(Code::decryption, "image/rootfs: chunk 3 of 3: its nonce does not follow from the "
                                                  "plaintext so far (this chunk or one before it is from another "
                                                  "build of this image)"));
  EXPECT_EQ(d.released.size(), 2 * 4096u);
  // Changing one chunk changes only that chunk and the ones after it.
  EXPECT_TRUE(std::equal(ct.begin(), ct.begin() + stored, build2.begin()));
  EXPECT_FALSE(std::equal(ct.begin() + 2 * stored, ct.end(), build2.begin() + 2 * stored));
}

class Wrap : public ::testing::TestWithParam<KeyAgreement> {};

TEST_P(Wrap, OnlyTheRecipientUnwrapsAndOnlyForThisImage) {
  test::TempDir dir;
  const auto a = GetParam();
  const ossl::PKey device = generate(a);
  const ossl::PKey other_device = generate(a);
  const Recipient r = recipient_from_public_key(device.get(), "device.pub.pem").value();
  EXPECT_EQ(r.agreement, a);
  const auto c = context(10);
  const DataKey key = derive_data_key(*secret(), c).value();
  const WrappedKey w = wrap_data_key(key, r, c).value();
  EXPECT_EQ(w.ephemeral_public.size(), a == KeyAgreement::p256 ? 65u : 32u);
  EXPECT_EQ(w.wrapped.size(), 48u);
  // Deterministic: the same inputs wrap to the same bytes.
  const WrappedKey again = wrap_data_key(key, r, c).value();
  EXPECT_EQ(again.ephemeral_public, w.ephemeral_public);
  EXPECT_EQ(again.wrapped, w.wrapped);

  const auto priv = load_recipient_private_pem(write_private_pem(dir, "device.pem", device.get())).value();
  EXPECT_EQ(priv->key_id(), r.key_id);
  EXPECT_EQ(unwrap_data_key({w}, *priv, c, "image/rootfs").value(), key);

  const auto stranger = load_recipient_private_pem(write_private_pem(dir, "other.pem", other_device.get())).value();
  EXPECT_THAT(unwrap_data_key({w}, *stranger, c, "image/rootfs"),
              IsError(Code::decryption, ::testing::StartsWith("image/rootfs: not encrypted for key " +
                                                              to_hex(stranger->key_id()).substr(0, 16) + " (" +
                                                              dir / "other.pem" + "); its recipients are " +
                                                              to_hex(r.key_id).substr(0, 16))));
  // A wrapped key moved from another package (another version) or image.
  for (const auto& moved : {ImageContext{"cam", "1.1", "rootfs", 10, kMinChunkSize}, context(10, kMinChunkSize, "app")})
    EXPECT_THAT(unwrap_data_key({w}, *priv, moved, "image/rootfs"),
                IsError(Code::decryption, HasSubstr("does not unwrap: it was wrapped for another image or package, "
                                                    "or altered")));
  WrappedKey tampered = w;
  tampered.wrapped[3] ^= 1;
  EXPECT_THAT(unwrap_data_key({tampered}, *priv, c, "image/rootfs"), IsError(Code::decryption, HasSubstr("does not unwrap")));
  WrappedKey bad_point = w;
  bad_point.ephemeral_public[bad_point.ephemeral_public.size() - 1] ^= 1;
  auto r2 = unwrap_data_key({bad_point}, *priv, c, "image/rootfs");
  // X25519 takes any 32 bytes (another shared secret); a P-256 point off the curve is refused.
  EXPECT_EQ(r2.ok(), false);
  EXPECT_EQ(r2.error().code, Code::decryption);
}

INSTANTIATE_TEST_SUITE_P(Agreements, Wrap, ::testing::Values(KeyAgreement::p256, KeyAgreement::x25519),
                         [](const auto& p) { return std::string(p.param == KeyAgreement::p256 ? "P256" : "X25519"); });

TEST(Encryption, RecipientKeysArePointsOnP256OrX25519) {
  test::TempDir dir;
  const ossl::PKey ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  EXPECT_THAT(recipient_from_public_key(ed.get(), "k.pem"),
              IsError(Code::malformed, "k.pem: a ED25519 key; a recipient key is P-256 or X25519"));
  const ossl::PKey p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  EXPECT_THAT(recipient_from_public_key(p384.get(), "k.pem"),
              IsError(Code::malformed, "k.pem: an EC key on secp384r1; a recipient key is P-256 or X25519"));
  EXPECT_THAT(load_recipient_pem(dir.write("x.pem", "not pem")),
              IsError(Code::malformed, dir / "x.pem" + ": not a PEM public key (-----BEGIN PUBLIC KEY-----)"));
  EXPECT_THAT(load_recipient_private_pem(dir.write("y.pem", "not pem")),
              IsError(Code::malformed, HasSubstr("not an unencrypted PEM private key")));
}

}  // namespace
}  // namespace fwseal::enc

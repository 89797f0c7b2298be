#include "fwseal/signer/signer.h"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fwseal/base/file.h"
#include "fwseal/format/layout.h"
#include "fwseal/testing/pki.h"
#include "fwseal/testing/software_key.h"

namespace fwseal::signer {
namespace {

namespace fs = std::filesystem;

class SignerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fwseal-signer-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    pkg_ = dir_ + "/p.fwpkg";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A package as the packager lays it out, built from format/ alone: version 2
  // with a signature area of `space` bytes, or version 1 (`space` 0).
  void write_package(const std::string& image, std::uint64_t space = kDefaultSignatureSpace) {
    Manifest m;
    m.format_version = space ? kManifestFormatVersion : kManifestFormatVersion1;
    m.signature_space = space;
    m.product = "p";
    m.version = "1";
    m.hardware = {"hw"};
    m.created = 42;
    m.images = {{"app", "application", image.size(), sha256(image)}};
    std::string bytes = *serialize_manifest(m);
    std::string out = *tar_header("manifest.json", bytes.size(), 42) + bytes;
    out.resize(padded_size(out.size()), '\0');
    if (space) out += *tar_header("signatures.json", space, 42) + *serialize_signature_area({}, space);
    out += *tar_header("image/app", image.size(), 42) + image;
    out.resize(padded_size(out.size()), '\0');
    out += end_of_archive();
    ASSERT_TRUE(write_file_atomic(pkg_, out).ok());
    manifest_bytes_ = bytes;
  }

  std::string key_file(const char* type, const char* param = nullptr, std::size_t rsa_bits = 0) {
    ossl::PKey key(rsa_bits ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, rsa_bits)
                   : param  ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, param)
                            : EVP_PKEY_Q_keygen(nullptr, nullptr, type));
    std::string path = dir_ + "/" + std::to_string(counter_++) + ".pem";
    FILE* f = std::fopen(path.c_str(), "w");
    PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    return path;
  }

  std::string dir_, pkg_, manifest_bytes_;
  int counter_ = 0;
};

TEST_F(SignerTest, AppendsOneVerifyingEnvelopePerKey) {
  write_package("firmware");
  auto before = fs::file_size(pkg_);
  auto k1 = test::load_software_key(key_file("ED25519"));
  auto k2 = test::load_software_key(key_file("EC", "P-384"));
  ASSERT_TRUE(k1.ok() && k2.ok());
  auto r1 = sign_package(pkg_, **k1);
  ASSERT_TRUE(r1.ok()) << r1.error().message;
  EXPECT_EQ(r1->signature_count, 1u);
  EXPECT_EQ(r1->manifest_digest, sha256(manifest_bytes_));
  auto r2 = sign_package(pkg_, **k2);
  ASSERT_TRUE(r2.ok()) << r2.error().message;
  EXPECT_EQ(r2->signature_count, 2u);

  auto head = read_unverified_package(pkg_);
  ASSERT_TRUE(head.ok()) << head.error().message;
  ASSERT_EQ(head->signatures.size(), 2u);
  // Sorted by key id, whoever signed first.
  EXPECT_LT(head->signatures[0].key_id, head->signatures[1].key_id);
  for (const auto& env : head->signatures) {
    const auto* key = env.algorithm == Algorithm::ed25519 ? (*k1)->public_key() : (*k2)->public_key();
    EXPECT_TRUE(verify_signature(env.algorithm, key, signed_bytes(manifest_bytes_), env.signature).ok());
  }
  // Signed in place: the package keeps its size.
  EXPECT_EQ(fs::file_size(pkg_), before);
}

TEST_F(SignerTest, AVersion1PackageGetsEntriesAppended) {
  write_package("firmware", 0);
  auto before = fs::file_size(pkg_);
  auto k1 = test::load_software_key(key_file("ED25519"));
  auto k2 = test::load_software_key(key_file("EC", "P-384"));
  ASSERT_TRUE(k1.ok() && k2.ok());
  ASSERT_TRUE(sign_package(pkg_, **k1).ok());
  ASSERT_TRUE(sign_package(pkg_, **k2).ok());
  auto head = read_unverified_package(pkg_);
  ASSERT_TRUE(head.ok()) << head.error().message;
  ASSERT_EQ(head->signatures.size(), 2u);
  EXPECT_EQ(head->signatures[0].algorithm, Algorithm::ed25519);  // in the order of signing
  EXPECT_EQ(head->signatures[1].algorithm, Algorithm::ecdsa_p384);
  // The unsigned package is a prefix of the signed one, less its end blocks.
  EXPECT_EQ(head->end_offset, before - 1024 + 2 * (512 + 512));
}

TEST_F(SignerTest, AFullSignatureAreaIsRefusedAndLeftAsItWas) {
  write_package("firmware", 512);
  auto k1 = test::load_software_key(key_file("ED25519"));
  auto k2 = test::load_software_key(key_file("RSA", nullptr, 3072));
  ASSERT_TRUE(k1.ok() && k2.ok());
  ASSERT_TRUE(sign_package(pkg_, **k1).ok());  // about 200 bytes: fits in 512
  const std::string before = *read_file(pkg_);
  auto full = sign_package(pkg_, **k2);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, Code::usage);
  EXPECT_NE(full.error().message.find("more than the 512 the package reserves (its signature_space): package it "
                                      "again with a larger signature_space"),
            std::string::npos)
      << full.error().message;
  EXPECT_EQ(*read_file(pkg_), before);
}

TEST_F(SignerTest, SameKeyTwiceIsRefused) {
  write_package("firmware");
  auto k = test::load_software_key(key_file("EC", "P-256"));
  ASSERT_TRUE(sign_package(pkg_, **k).ok());
  auto size = fs::file_size(pkg_);
  auto again = sign_package(pkg_, **k);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Code::usage);
  EXPECT_NE(again.error().message.find("already signed by key"), std::string::npos);
  EXPECT_EQ(fs::file_size(pkg_), size);
}

TEST_F(SignerTest, NeverReadsImageData) {
  // The image no longer matches its digest: the signer must not notice,
  // because it does not read images (the verifier does).
  write_package("firmware");
  std::string bytes = *read_file(pkg_);
  bytes[bytes.find("firmware")] = 'F';
  ASSERT_TRUE(write_file_atomic(pkg_, bytes).ok());
  auto k = test::load_software_key(key_file("ED25519"));
  EXPECT_TRUE(sign_package(pkg_, **k).ok());
}

TEST_F(SignerTest, ImportChecksTheSignature) {
  write_package("firmware");
  auto k = test::load_software_key(key_file("ED25519"));
  auto tbs = to_be_signed(pkg_);
  ASSERT_TRUE(tbs.ok());
  EXPECT_EQ(*tbs, signed_bytes(manifest_bytes_));
  auto sig = (*k)->sign(*tbs);
  ASSERT_TRUE(sig.ok());
  std::string bad = *sig;
  bad[3] ^= 1;
  auto refused = import_signature(pkg_, (*k)->public_key(), bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Code::signature);
  EXPECT_TRUE(import_signature(pkg_, (*k)->public_key(), *sig).ok());
}

// (r, s) -> (r, n - s) when s is low: the other form of the same ECDSA signature.
std::string high_s(std::string_view der, int nid) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  EC_GROUP* group = EC_GROUP_new_by_curve_name(nid);
  BIGNUM* half = BN_new();
  BN_rshift1(half, EC_GROUP_get0_order(group));
  std::string out(der);
  if (BN_cmp(ECDSA_SIG_get0_s(sig), half) <= 0) {
    BIGNUM* s = BN_new();
    BN_sub(s, EC_GROUP_get0_order(group), ECDSA_SIG_get0_s(sig));
    ECDSA_SIG_set0(sig, BN_dup(ECDSA_SIG_get0_r(sig)), s);
    unsigned char* buf = nullptr;
    int len = i2d_ECDSA_SIG(sig, &buf);
    out.assign(reinterpret_cast<char*>(buf), static_cast<std::size_t>(len));
    OPENSSL_free(buf);
  }
  BN_free(half);
  EC_GROUP_free(group);
  ECDSA_SIG_free(sig);
  return out;
}

// An HSM that returns the high-S form of every ECDSA signature.
class HighSKey final : public SigningKey {
 public:
  explicit HighSKey(const SigningKey& inner) : inner_(inner) {}
  Algorithm algorithm() const override { return inner_.algorithm(); }
  const KeyId& key_id() const override { return inner_.key_id(); }
  const EVP_PKEY* public_key() const override { return inner_.public_key(); }
  Result<std::string> sign(std::string_view message) const override {
    FWSEAL_ASSIGN(std::string sig, inner_.sign(message));
    return high_s(sig, NID_X9_62_prime256v1);
  }

 private:
  const SigningKey& inner_;
};

// Issue 15, point 4: a package stores the low-S form, whatever the HSM returns
// (R22), and an imported high-S signature is stored low-S as well.
TEST_F(SignerTest, EcdsaSignaturesAreStoredLowS) {
  write_package("firmware");
  auto k = test::load_software_key(key_file("EC", "P-256"));
  ASSERT_TRUE(k.ok());
  HighSKey high(**k);
  auto signed_high = high.sign(signed_bytes(manifest_bytes_));
  ASSERT_TRUE(signed_high.ok());
  Status refused = verify_signature(Algorithm::ecdsa_p256, (*k)->public_key(), signed_bytes(manifest_bytes_), *signed_high);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Code::signature);
  EXPECT_NE(refused.error().message.find("R22"), std::string::npos) << refused.error().message;
  ASSERT_TRUE(sign_package(pkg_, high).ok());
  auto head = read_unverified_package(pkg_);
  ASSERT_TRUE(head.ok()) << head.error().message;
  const std::string& stored = head->signatures.at(0).signature;
  EXPECT_EQ(*ecdsa_low_s(Algorithm::ecdsa_p256, stored), stored);
  EXPECT_NE(high_s(stored, NID_X9_62_prime256v1), stored);
  EXPECT_TRUE(verify_signature(Algorithm::ecdsa_p256, (*k)->public_key(), signed_bytes(manifest_bytes_), stored).ok());

  write_package("firmware");
  auto imported = import_signature(pkg_, (*k)->public_key(), *signed_high);
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  auto again = read_unverified_package(pkg_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(high_s(again->signatures.at(0).signature, NID_X9_62_prime256v1), *signed_high);
}

// Issue 15, point 4: RSA-PSS signatures are exactly modulus-sized. OpenSSL
// accepts one whose leading zero byte was dropped (as a service returning
// minimal-length integers does for about 1 in 256 signatures).
TEST_F(SignerTest, ImportRefusesAnRsaSignatureAByteShort) {
  write_package("firmware");
  auto k = test::load_software_key(key_file("RSA", nullptr, 3072));
  ASSERT_TRUE(k.ok()) << k.error().message;
  std::string tbs = signed_bytes(manifest_bytes_);
  std::string sig;
  for (int i = 0; i < 4000 && (sig.empty() || sig[0] != '\0'); ++i) sig = *(*k)->sign(tbs);
  ASSERT_EQ(sig[0], '\0') << "no signature with a leading zero byte in 4000 tries";
  ASSERT_EQ(sig.size(), 384u);
  auto refused = import_signature(pkg_, (*k)->public_key(), sig.substr(1));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Code::signature);
  EXPECT_NE(refused.error().message.find("383 bytes"), std::string::npos) << refused.error().message;
  EXPECT_TRUE(import_signature(pkg_, (*k)->public_key(), sig).ok());
}

// Issue 15, point 3: a signature imported once with the key as rsaEncryption
// and again with the same key as id-RSASSA-PSS is one signature by one key.
TEST_F(SignerTest, OneSignatureImportedUnderTwoEncodingsOfItsKeyIsRefusedTheSecondTime) {
  write_package("firmware");
  auto k = test::load_software_key(key_file("RSA", nullptr, 3072));
  ASSERT_TRUE(k.ok()) << k.error().message;
  std::string sig = *(*k)->sign(signed_bytes(manifest_bytes_));
  ossl::PKey pss = testpki::as_rsa_pss((*k)->public_key());
  ASSERT_TRUE(pss);
  ASSERT_TRUE(import_signature(pkg_, (*k)->public_key(), sig).ok());
  auto again = import_signature(pkg_, pss.get(), sig);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Code::usage);
  EXPECT_NE(again.error().message.find("already signed by key"), std::string::npos) << again.error().message;
  EXPECT_EQ(read_unverified_package(pkg_)->signatures.size(), 1u);
}

TEST_F(SignerTest, MalformedTailsAreRefused) {
  write_package("firmware");
  std::string good = *read_file(pkg_);
  auto k = test::load_software_key(key_file("ED25519"));

  ASSERT_TRUE(write_file_atomic(pkg_, good + std::string(512, '\0')).ok());
  auto trailing = sign_package(pkg_, **k);
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.error().code, Code::malformed);
  EXPECT_NE(trailing.error().message.find("after the end of the archive"), std::string::npos);

  ASSERT_TRUE(write_file_atomic(pkg_, good.substr(0, good.size() - 700)).ok());
  auto truncated = sign_package(pkg_, **k);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().code, Code::malformed);

  std::string header_changed = good;
  // The image's mode field, after the manifest and the signature area's header and data.
  header_changed[512 + 512 * ((manifest_bytes_.size() + 511) / 512) + 512 + kDefaultSignatureSpace + 100] = '7';
  ASSERT_TRUE(write_file_atomic(pkg_, header_changed).ok());
  auto mode = sign_package(pkg_, **k);
  ASSERT_FALSE(mode.ok());
  EXPECT_NE(mode.error().message.find("image/app: the header at offset"), std::string::npos) << mode.error().message;

  // The signer reads the structure with the verifier's reader: padding and
  // duplicate signatures are refused here too, not only at verification.
  std::string padding_changed = good;
  padding_changed[512 + manifest_bytes_.size()] = 'x';  // first padding byte after manifest.json
  ASSERT_TRUE(write_file_atomic(pkg_, padding_changed).ok());
  auto padding = sign_package(pkg_, **k);
  ASSERT_FALSE(padding.ok());
  EXPECT_EQ(padding.error().code, Code::malformed);
  EXPECT_NE(padding.error().message.find("manifest.json: padding byte at offset"), std::string::npos)
      << padding.error().message;

  auto missing = sign_package(dir_ + "/nope.fwpkg", **k);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Code::io);
}

}  // namespace
}  // namespace fwseal::signer

#include "fwseal/format/signature.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

namespace fwseal {
namespace {

ossl::PKey generate(Algorithm alg) {
  switch (alg) {
    case Algorithm::ecdsa_p256: return ossl::PKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    case Algorithm::ecdsa_p384: return ossl::PKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
    case Algorithm::ed25519: return ossl::PKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    case Algorithm::rsa_pss_3072: return ossl::PKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{3072}));
    case Algorithm::rsa_pss_4096: return ossl::PKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{4096}));
  }
  return nullptr;
}

std::string sign(Algorithm alg, EVP_PKEY* key, std::string_view msg) {
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  EXPECT_EQ(EVP_DigestSignInit(ctx.get(), &pctx, algorithm_digest(alg), nullptr, key), 1);
  if (alg == Algorithm::rsa_pss_3072 || alg == Algorithm::rsa_pss_4096) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  size_t len = 0;
  EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(msg.data()), msg.size());
  std::string sig(len, '\0');
  EXPECT_EQ(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                           reinterpret_cast<const unsigned char*>(msg.data()), msg.size()),
            1);
  sig.resize(len);
  return *ecdsa_low_s(alg, sig);
}

class EveryAlgorithm : public ::testing::TestWithParam<Algorithm> {};

TEST_P(EveryAlgorithm, SignVerifyAndRejectTampering) {
  Algorithm alg = GetParam();
  auto key = generate(alg);
  ASSERT_TRUE(key);
  EXPECT_EQ(*algorithm_of(key.get()), alg);
  std::string msg = signed_bytes(R"({"a":1})");
  EXPECT_EQ(msg.substr(0, kSignedBytesPrefix.size()), kSignedBytesPrefix);
  std::string sig = sign(alg, key.get(), msg);
  EXPECT_TRUE(verify_signature(alg, key.get(), msg, sig).ok());
  std::string other = msg;
  other.back() ^= 1;
  auto bad = verify_signature(alg, key.get(), other, sig);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Code::signature);
  std::string flipped = sig;
  flipped[flipped.size() / 2] ^= 0x10;
  EXPECT_EQ(verify_signature(alg, key.get(), msg, flipped).error().code, Code::signature);
}

TEST_P(EveryAlgorithm, KeyIdIsSha256OfSpkiAndPemRoundTrips) {
  auto key = generate(GetParam());
  auto der = public_key_to_der(key.get());
  ASSERT_TRUE(der.ok());
  EXPECT_EQ(*key_id_of(key.get()), sha256(*der));
  auto pem = public_key_to_pem(key.get());
  ASSERT_TRUE(pem.ok());
  auto back = public_key_from_pem(*pem, "pem");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*key_id_of(back->get()), *key_id_of(key.get()));
}

INSTANTIATE_TEST_SUITE_P(All, EveryAlgorithm, ::testing::ValuesIn(kAllAlgorithms),
                         [](const auto& p) {
                           std::string n(algorithm_name(p.param));
                           for (auto& c : n) if (c == '-') c = '_';
                           return n;
                         });

TEST(Signature, WrongAlgorithmForKeyIsUntrusted) {
  auto key = generate(Algorithm::ecdsa_p256);
  auto r = verify_signature(Algorithm::ecdsa_p384, key.get(), "m", "s");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::untrusted);
}

TEST(Signature, SmallRsaKeysAreRefused) {
  ossl::PKey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
  auto r = algorithm_of(key.get());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("2048 bits"), std::string::npos);
}

TEST(Envelope, RoundTripsCanonically) {
  SignatureEnvelope env;
  env.algorithm = Algorithm::ed25519;
  env.key_id = sha256("k");
  env.signature = std::string(64, 'x');
  env.certificates = {"cert-der"};
  auto bytes = serialize_envelope(env);
  ASSERT_TRUE(bytes.ok());
  auto back = parse_envelope(*bytes, "signature/x.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->key_id, env.key_id);
  EXPECT_EQ(back->signature, env.signature);
  EXPECT_EQ(back->certificates, env.certificates);
  std::string spaced = *bytes;
  spaced.insert(1, " ");
  EXPECT_EQ(parse_envelope(spaced, "e").error().code, Code::malformed);
  std::string unknown = *bytes;
  unknown.insert(1, R"("a":1,)");
  EXPECT_EQ(parse_envelope(unknown, "sig").error().message, "R15: sig.a: unknown member");
}

}  // namespace
}  // namespace fwseal
